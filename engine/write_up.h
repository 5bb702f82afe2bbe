// Typical-case write-ups (典型事例): the values a case gives its workflow's `write_up` template, and the
// masked write-up rendered from them (the template language itself is write_up_template.h; the documents
// that hold write-ups are report_render.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/calendar.h"
#include "engine/case.h"
#include "engine/workflow.h"
#include "engine/write_up_template.h"

namespace minsheng::report {

// The template used when a workflow has no `write_up`.
extern const char* const kDefaultWriteUp;

// The values one case gives its template: `c` is the case as it stands, `events` its whole history (oldest
// first), `workflow` the category's workflow (its name and action labels are used). All text is masked.
TemplateValues write_up_values(const CaseState& c, const std::vector<Event>& events, const Workflow& workflow,
                               const Calendar& calendar);

struct WriteUp {
    std::string id;
    std::string category;
    std::string category_name;
    std::string heading;                                     // 海福巷3号 · 排水/下水道 (masked)
    std::vector<std::string> paragraphs;                     // masked plain text
    std::vector<std::pair<std::string, std::string>> facts;  // 要素: label, value (masked plain text)
};

// Renders the workflow's write_up (kDefaultWriteUp when empty). Throws Error(Refused) for a bad template.
WriteUp make_write_up(const CaseState& c, const std::vector<Event>& events, const Workflow& workflow,
                      const Calendar& calendar);

std::string chinese_date(Date d);  // 2023年6月5日

}  // namespace minsheng::report
