// The supervisor's desk: the per-department table and the case sheet (see desk.h).
#include "usecases/desk.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/case_sheet.h"
#include "engine/error.h"
#include "engine/outcome.h"
#include "usecases/texts.h"

namespace minsheng {

namespace {

double round4(double x) {
    return std::round(x * 10000.0) / 10000.0;
}

// The departments that count a case: dispatched and not returned, each once.
std::vector<std::string> counting_departments(const CaseState& c) {
    std::vector<std::string> out;
    for (const auto& t : c.tasks)
        if (t.status != TaskStatus::Returned && std::find(out.begin(), out.end(), t.department) == out.end())
            out.push_back(t.department);
    return out;
}

}  // namespace

DeskTable department_table(Station& st, const std::string& actor, Date today, std::optional<Date> from,
                           std::optional<Date> to) {
    const StaffMember who = st.require_staff(actor);
    if (who.role != Role::Supervisor)
        throw not_allowed("只有督办可以查看各部门办理情况；" + who.name + " 是协调员");
    if (from && to && *to < *from)
        throw usage_error("截止日期 " + format_date(*to) + " 早于起始日期 " + format_date(*from));
    const Calendar& cal = st.calendar();
    DeskTable out;
    out.from = from;
    out.to = to;
    std::map<std::string, DepartmentFigures> rows;
    Store& store = st.store();
    store.read([&] {
        rows.clear();  // afresh if the read is retried
        store.scan_cases(CaseQuery{}, [&](const CaseState& c) {
            const auto departments = counting_departments(c);
            if (departments.empty()) return;
            const ClockView v = clock_at(c, today, cal);
            const bool running = c.phase == Phase::Intake || c.phase == Phase::Coordination;
            const Date received = date_of(c.received_at);
            const bool in_period = (!from || !(received < *from)) && (!to || !(*to < received));
            const bool on_time = in_period && c.resolved_on && report::resolved_on_time(c, cal);
            for (const auto& d : departments) {
                DepartmentFigures& r = rows[d];
                r.department = d;
                if (running && v.overdue) ++r.overdue;
                if (!in_period || c.phase == Phase::Merged || c.phase == Phase::Rejected) continue;
                ++r.cases;
                if (c.resolved_on) {
                    ++r.resolved;
                    r.on_time += on_time;
                }
                // The case's own tally of answered visits (revoked ones left out by the replay that
                // followed the revoke): no event is read.
                r.visits += c.visits_answered;
                r.satisfied += c.visits_satisfied;
            }
        });
    });
    for (auto& [name, r] : rows) {
        if (r.resolved) r.on_time_rate = round4(static_cast<double>(r.on_time) / r.resolved);
        if (r.visits) r.satisfaction_rate = round4(static_cast<double>(r.satisfied) / r.visits);
        out.departments.push_back(std::move(r));
    }
    std::stable_sort(out.departments.begin(), out.departments.end(),
                     [](const DepartmentFigures& a, const DepartmentFigures& b) {
                         if (a.overdue != b.overdue) return a.overdue > b.overdue;
                         return a.cases > b.cases;
                     });
    return out;
}

std::string case_sheet(Station& st, const std::string& id, Date today) {
    const CaseState c = st.get_case(id);
    const ClockView v = clock_at(c, today, st.calendar());
    CaseSheetLabels labels;
    labels.category_name = c.category;
    for (const auto& w : st.workflows())
        if (w.category == c.category) labels.category_name = w.name;
    labels.step_label = st.workflow_label(c);
    const Workflow& w = st.workflow(c.category, c.workflow_version);
    labels.action_label = [&w](const std::string& action) -> std::string {
        if (action == "open") return "受理";
        return texts::action_label(w, action);  // 更正, 撤销, 并案 … as `case history` says them
    };
    labels.field_value = [&w](const std::string& field, const std::string& value) {
        return texts::field_value_text(w, field, value);
    };
    return case_sheet_html(c, v, labels, st.history(id));
}

}  // namespace minsheng
