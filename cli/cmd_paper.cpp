// Paper (SPEC Part 2): the printable case sheet of `case show ID --format html`. The sheet itself is the
// engine's (engine/case_sheet.h); this file gathers its labels and writes it where it was asked for.
#include "cli/context.h"
#include "engine/case_sheet.h"

namespace minsheng::cli {

void write_case_sheet(const Context& ctx, Station& st, const CaseState& c, const ClockView& v,
                      const std::vector<Event>& history, const std::string& out_path) {
    CaseSheetLabels labels;
    labels.category_name = c.category;
    for (const auto& w : st.workflows())
        if (w.category == c.category) labels.category_name = w.name;
    labels.step_label = st.workflow_label(c);
    const Workflow& w = st.workflow(c.category, c.workflow_version);
    labels.action_label = [&w](const std::string& id) -> std::string {
        if (id == "open") return "受理";
        if (id == "report") return "重复反映";
        const Action* a = w.find_action(id);
        return a && !a->label.empty() ? a->label : id;
    };
    const std::string html = case_sheet_html(c, v, labels, history);
    if (out_path.empty())
        *ctx.out << html;
    else
        write_file(out_path, html);
}

}  // namespace minsheng::cli
