// Output shapes shared by the commands (see output.h).
#include "cli/output.h"

#include <algorithm>

#include "engine/text.h"

namespace minsheng::cli {

using nlohmann::json;

std::string recorded_late_note(const Event& e) {
    if (!recorded_late(e)) return "";
    std::string r = e.recorded_at.substr(0, 16);
    std::replace(r.begin(), r.end(), 'T', ' ');
    return "（补录于 " + r + "）";
}

json event_object(const Event& e) {
    json j = {{"seq", e.seq}, {"action", e.action}, {"at", e.at}, {"actor", e.actor}};
    if (!e.recorded_at.empty()) j["recorded_at"] = e.recorded_at;
    for (const char* key : {"note", "departments", "set", "from_step", "to_step", "level_name", "days"})
        if (e.data.contains(key)) j[key] = e.data[key];
    if (e.action == "open" || e.action == "report") {
        if (e.data.contains("reporter")) j["reporter"] = e.data["reporter"];
        if (e.data.contains("summary")) j["summary"] = e.data["summary"];
    }
    return j;
}

json case_object(const CaseState& c, const ClockView& v, const std::string& step_label,
                 const std::vector<Event>* history) {
    json departments = json::array();
    json tasks = json::array();
    for (const auto& t : c.tasks) {
        departments.push_back(t.department);
        tasks.push_back({{"department", t.department},
                         {"status", std::string(task_status_name(t.status))},
                         {"lead", t.lead},
                         {"updated_at", t.updated_at},
                         {"note", t.note}});
    }
    json reporters = json::array();
    for (const auto& r : c.reporters)
        reporters.push_back({{"name", r.name}, {"phone", r.phone}, {"channel", r.channel}, {"at", r.at}});
    json j = {
        {"id", c.id},
        {"category", c.category},
        {"workflow_version", c.workflow_version},
        {"phase", phase_name(c.phase)},
        {"step", c.step},
        {"step_label", step_label},
        {"address", c.address},
        {"summary", c.summary},
        {"received_at", c.received_at},
        {"deadline", v.deadline ? json(format_date(*v.deadline)) : json(nullptr)},
        {"deadline_provisional", v.deadline_provisional},
        // What the calendar cannot decide is null, never a guess (SPEC rule 6).
        {"overdue", v.undecidable ? json(nullptr) : json(v.overdue)},
        {"suspended", c.suspended},
        {"working_days_left", v.deadline && v.days_known ? json(v.working_days_left) : json(nullptr)},
        {"working_days_overdue",
         v.days_known || (!v.deadline && !v.undecidable) ? json(v.working_days_overdue) : json(nullptr)},
        {"repeat_count", c.repeat_count()},
        {"reopen_count", c.reopen_count},
        {"departments", departments},
        {"department_tasks", tasks},
        {"escalation_level", c.escalation_level},
        {"escalation", std::string(escalation_name(c.escalation_level))},
        {"typical", c.typical},
        {"reporters", reporters},
        {"fields", c.fields}};
    if (!v.problem.empty()) j["deadline_problem"] = v.problem;
    if (c.resolved_on) j["resolved_on"] = format_date(*c.resolved_on);
    if (history) {
        json h = json::array();
        for (const auto& e : *history)
            h.push_back(event_object(e));
        j["history"] = h;
    }
    return j;
}

void Table::print(std::ostream& out) const {
    std::vector<int> widths(headers_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], display_width(row[i]));
    };
    measure(headers_);
    for (const auto& r : rows_)
        measure(r);
    auto line = [&](const std::vector<std::string>& row) {
        std::string s;
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            const bool last = i + 1 == row.size();
            s += last ? row[i] : pad_to_width(row[i], widths[i]) + "  ";
        }
        out << s << '\n';
    };
    line(headers_);
    std::vector<std::string> rule;
    for (int w : widths)
        rule.push_back(std::string(static_cast<size_t>(w), '-'));
    line(rule);
    for (const auto& r : rows_)
        line(r);
}

void csv_row(std::ostream& out, const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i)
        out << (i ? "," : "") << csv_field(fields[i]);
    out << "\r\n";
}

std::string days_left_text(const ClockView& v) {
    if (!v.deadline) return v.complete() ? "—" : "未知";
    if (!v.days_known) return v.overdue ? "超期（天数未知）" : "未知";
    if (v.stopped) return "已停表 (" + std::to_string(v.working_days_left) + ")";
    if (v.overdue) return "超期 " + std::to_string(v.working_days_overdue) + " 个工作日";
    return "剩余 " + std::to_string(v.working_days_left) + " 个工作日";
}

std::string deadline_text(const ClockView& v) {
    if (!v.deadline) return v.complete() ? "—" : "未知";
    return format_date(*v.deadline) + (v.deadline_provisional ? "（暂定）" : "");
}

json rounds_json(const std::vector<ClockRound>& rounds) {
    json out = json::array();
    for (const auto& r : rounds)
        out.push_back({{"start", format_date(r.start)},
                       {"deadline", r.deadline ? json(format_date(*r.deadline)) : json(nullptr)},
                       {"deadline_provisional", r.deadline_provisional},
                       {"resolved_on", r.resolved_on ? json(format_date(*r.resolved_on)) : json(nullptr)},
                       {"on_time", r.on_time ? json(*r.on_time) : json(nullptr)},
                       {"current", r.current}});
    return out;
}

}  // namespace minsheng::cli
