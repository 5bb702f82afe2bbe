// The case and event views SPEC's JSON describes (see views.h).
#include "usecases/views.h"

namespace minsheng {

using nlohmann::json;

json event_object(const Event& e) {
    json j = {{"seq", e.seq}, {"action", e.action}, {"at", e.at}, {"actor", e.actor}};
    if (!e.recorded_at.empty()) j["recorded_at"] = e.recorded_at;
    for (const char* key : {"note", "departments", "set", "from_step", "to_step", "level_name", "days", "was",
                            "revokes", "into", "from"})
        if (e.data.contains(key)) j[key] = e.data[key];
    if (e.revoked) j["revoked"] = true;
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
        reporters.push_back({{"name", r.name},
                             {"phone", r.phone},
                             {"channel", r.channel},
                             {"at", r.at},
                             {"summary", r.summary.empty() ? c.summary : r.summary}});
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
        for (const auto& e : *history) {
            h.push_back(event_object(e));
            // Both merged cases name each other (SPEC: 并案).
            if (e.action == "merge" && !e.revoked) j["merged_into"] = json_text(e.data, "into");
            if (e.action == "merge-in" && !e.revoked) j["merged_from"].push_back(json_text(e.data, "from"));
        }
        j["history"] = h;
    }
    return j;
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

}  // namespace minsheng
