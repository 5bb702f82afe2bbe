// The write-up template: its placeholders, its checker and its renderer. Used by the workflow checker, which
// reports a template's problems when a workflow is loaded, and by the reports, which render it.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::report {

// The write-up template: a tiny subset of mustache.
//   {{name}}             the value (plain text; formats escape it afterwards)
//   {{#name}}…{{/name}}  shown when the value is non-empty and not "0"; sections nest
//   {{^name}}…{{/name}}  shown when it is empty or "0"
// A section tag alone on its line takes the line with it. After rendering, consecutive non-blank lines form
// one paragraph (joined without a separator, as Chinese text wants) and blank lines separate paragraphs.
// Names are those of write_up_placeholders(), or `fields.KEY` for any case field (empty when absent).

using TemplateValues = std::map<std::string, std::string>;

struct Placeholder {
    const char* name;
    const char* meaning;
};
// Every placeholder a write-up template may use, with its meaning (for documentation and checking).
const std::vector<Placeholder>& write_up_placeholders();

// A problem with a template, at the tag at fault.
struct TemplateProblem {
    std::size_t offset = 0;         // bytes from the start of the template to the tag's "{{"
    int line = 1;                   // the line of the template it is on, from 1
    std::string message;            // e.g. "unknown placeholder 'adress' (did you mean 'address'?)"
    std::string to_string() const;  // "第 N 行：message"
};
// Whether a value shows a {{#name}} section (and hides a {{^name}} one): not empty and not "0".
bool truthy(const std::string& value);

// Every problem with a template, in template order; empty when valid. The workflow checker reports these
// when a workflow is loaded, and the renderer refuses a template that has any.
std::vector<TemplateProblem> template_problems(std::string_view tmpl);
// Renders the template; throws Error(Refused) naming the first problem when template_problems() finds any,
// as "WHAT：第 N 行：message ADVICE".
std::string render_template(std::string_view tmpl, const TemplateValues& values,
                            const std::string& what = "write_up 模板", const std::string& advice = "");

}  // namespace minsheng::report
