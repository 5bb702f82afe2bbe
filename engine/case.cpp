// The fold from events to a case's state, and the deadline clock read from that state (SPEC "Deadline
// rules").
#include "engine/case.h"

#include <algorithm>
#include <cctype>

#include "engine/error.h"
#include "engine/text.h"
#include "engine/workflow.h"

namespace minsheng {

using nlohmann::json;

std::string json_text(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string_view task_status_name(TaskStatus s) {
    switch (s) {
        case TaskStatus::Dispatched:
            return "dispatched";
        case TaskStatus::Signed:
            return "signed";
        case TaskStatus::Returned:
            return "returned";
        case TaskStatus::Replied:
            return "replied";
    }
    return "?";
}

std::string_view task_status_label(TaskStatus s) {
    switch (s) {
        case TaskStatus::Dispatched:
            return "已派单";
        case TaskStatus::Signed:
            return "已签收";
        case TaskStatus::Returned:
            return "已退单";
        case TaskStatus::Replied:
            return "已回复";
    }
    return "未知";
}

std::optional<TaskStatus> task_status_from_name(std::string_view name) {
    for (TaskStatus s :
         {TaskStatus::Dispatched, TaskStatus::Signed, TaskStatus::Returned, TaskStatus::Replied})
        if (task_status_name(s) == name) return s;
    return std::nullopt;
}

namespace {

Reporter reporter_from(const json& j, const std::string& at) {
    Reporter r;
    r.name = json_text(j, "name");
    r.phone = json_text(j, "phone");
    r.channel = json_text(j, "channel");
    r.summary = json_text(j, "summary");
    r.at = at;
    return r;
}

DepartmentTask* find_task(CaseState& s, const std::string& department) {
    for (auto& t : s.tasks)
        if (t.department == department) return &t;
    return nullptr;
}

// Runs a calendar computation; a year the calendar lacks leaves the deadline unknown, with the reason kept.
template <class F>
void with_calendar(CaseState& s, F&& f) {
    try {
        f();
    } catch (const Error& e) {
        s.deadline.reset();
        s.deadline_problem = e.what();
    }
}

void restart_clock(CaseState& s, Date on, const Calendar& calendar) {
    s.past_cycles.push_back({s.clock_start, s.deadline, s.resolved_on});
    s.clock_start = on;
    s.resolved_on.reset();
    s.suspended_since.reset();
    s.deadline_problem.clear();
    // A new cycle needs its own root cause (SPEC: required once a case was reopened) and its own visit; the
    // old ones stay in the history.
    s.fields.erase("root_cause");
    s.fields.erase("satisfied");
    // A new round of tasks (SPEC Part 2): each department still on the case answers again; its previous
    // reply stays in the history, not in the current state.
    for (auto& t : s.tasks) {
        if (t.status == TaskStatus::Returned) continue;
        t.status = TaskStatus::Dispatched;
        t.note.clear();
    }
    with_calendar(s, [&] { s.deadline = calendar.add_working_days(on, s.deadline_days); });
}

// The event's address key when it was folded the way this program folds; else the address folded again (an
// event written before the folding learnt traditional characters and numerals).
std::string address_key_of(const json& d) {
    if (d.value("address_fold", 0) == kAddressFoldVersion) return json_text(d, "address_key");
    return normalize_address(json_text(d, "address"));
}

void apply_open(CaseState& s, const Event& e, const Calendar& calendar) {
    const json& d = e.data;
    s.id = e.case_id;
    s.category = json_text(d, "category");
    s.workflow_version = d.value("workflow_version", 1);
    s.deadline_days = d.value("deadline_days", 20);
    s.address = json_text(d, "address");
    s.address_key = address_key_of(d);
    s.summary = json_text(d, "summary");
    s.received_at = e.at;
    s.step = json_text(d, "step");
    s.phase = Phase::Intake;
    s.report_count = 1;
    if (d.contains("reporter")) s.reporters.push_back(reporter_from(d["reporter"], e.at));
    s.clock_start = date_of(e.at);
    with_calendar(s, [&] { s.deadline = calendar.add_working_days(s.clock_start, s.deadline_days); });
}

// What an action event says, decoded once from Event::data (which stays the stored form). A member that is
// absent reads as empty, none or zero; one of the wrong type throws, as reading it where it is used did.
struct ActionPayload {
    Effect effect = Effect::None;             // an effect this program does not know is none
    std::optional<LifecycleEvent> lifecycle;  // resolve stops the clock; unsatisfied, reopen restart it
    std::optional<Phase> to_phase;            // none: the phase stays
    std::string to_step;                      // empty: the step stays
    std::map<std::string, std::string> set;   // fields the action sets
    std::vector<std::string> departments;     // whose tasks it dispatches, signs, returns or replies
    std::string note;                         // a return's reason or a reply
    int days = 0;                             // extend: working days added
    std::optional<int> level;                 // escalate: none means one above the case's level
};

ActionPayload decode_action(const json& d) {
    ActionPayload p;
    p.effect = effect_from_name(json_text(d, "effect")).value_or(Effect::None);
    p.lifecycle = lifecycle_event_from_name(json_text(d, "lifecycle"));
    p.to_phase = phase_from_name(json_text(d, "to_phase"));
    p.to_step = json_text(d, "to_step");
    if (d.contains("set"))
        for (auto& [k, v] : d["set"].items())
            p.set[k] = v.get<std::string>();
    if (d.contains("departments"))
        for (const auto& dep : d["departments"])
            p.departments.push_back(dep.get<std::string>());
    p.note = json_text(d, "note");
    if (p.effect == Effect::Extend) p.days = d.value("days", 0);
    if (p.effect == Effect::Escalate && d.contains("level")) p.level = d["level"].get<int>();
    return p;
}

void apply_tasks(CaseState& s, const std::string& at, const ActionPayload& p) {
    for (const std::string& dep : p.departments) {
        DepartmentTask* t = find_task(s, dep);
        if (p.effect == Effect::Dispatch) {
            const bool has_lead = std::any_of(s.tasks.begin(), s.tasks.end(), [](const DepartmentTask& x) {
                return x.lead && x.status != TaskStatus::Returned;
            });
            if (!t) {
                s.tasks.push_back({dep, TaskStatus::Dispatched, !has_lead, at, at, ""});
            } else if (t->status == TaskStatus::Returned) {
                t->status = TaskStatus::Dispatched;
                t->updated_at = at;
                t->lead = t->lead || !has_lead;
            }
            if (s.first_dispatched_at.empty()) s.first_dispatched_at = at;
        } else if (t &&
                   (p.effect == Effect::Sign || p.effect == Effect::Return || p.effect == Effect::Reply)) {
            t->status = p.effect == Effect::Sign     ? TaskStatus::Signed
                        : p.effect == Effect::Return ? TaskStatus::Returned
                                                     : TaskStatus::Replied;
            t->updated_at = at;
            if (p.effect != Effect::Sign) t->note = p.note;
            if (p.effect == Effect::Return) t->lead = false;
        }
    }
}

// `correct` (SPEC Part 2): the current values change; the event keeps the old ones for the history.
void apply_correct(CaseState& s, const Event& e, const Calendar& calendar) {
    const json& d = e.data;
    const json set = d.value("set", json::object());
    auto value = [&](const char* k) { return json_text(set, k); };
    if (set.contains("address")) {
        s.address = value("address");
        s.address_key = address_key_of(d);
    }
    if (set.contains("summary")) s.summary = value("summary");
    if (!s.reporters.empty()) {
        Reporter& first = s.reporters.front();
        if (set.contains("reporter")) first.name = value("reporter");
        if (set.contains("phone")) first.phone = value("phone");
        if (set.contains("channel")) first.channel = value("channel");
    }
    if (set.contains("category")) {
        // Only in intake (decide_correct): the case starts over in the other workflow's first step, its
        // deadline counted with that workflow's time limit from the same receipt.
        s.category = value("category");
        s.workflow_version = d.value("workflow_version", s.workflow_version);
        s.step = json_text(d, "step");
        s.deadline_days = d.value("deadline_days", s.deadline_days);
        s.deadline_problem.clear();
        with_calendar(s, [&] {
            s.deadline = calendar.add_working_days(
                s.clock_start, s.deadline_days + s.extended_working_days + s.suspended_working_days);
        });
    }
}

void apply_merge_in(CaseState& s, const Event& e) {
    for (const auto& r : e.data.value("reporters", json::array()))
        s.reporters.push_back(reporter_from(r, json_text(r, "at")));
    s.report_count += e.data.value("report_count", 0);
}

void apply_action(CaseState& s, const Event& e, const Calendar& calendar) {
    const ActionPayload p = decode_action(e.data);
    const Date on = date_of(e.at);
    for (const auto& [k, v] : p.set)
        s.fields[k] = v;
    apply_tasks(s, e.at, p);

    if (p.lifecycle == LifecycleEvent::Resolve) {
        s.resolved_on = on;
    } else if (p.lifecycle == LifecycleEvent::Unsatisfied || p.lifecycle == LifecycleEvent::Reopen) {
        ++s.reopen_count;
        restart_clock(s, on, calendar);
    }

    if (p.effect == Effect::Suspend) {
        s.suspended = true;
        s.suspended_since = on;
    } else if (p.effect == Effect::Resume && s.suspended) {
        s.suspended = false;
        const Date since = s.suspended_since.value_or(on);
        s.suspended_since.reset();
        // After a resolve the clock has stopped: a suspension while awaiting the visit moves nothing.
        if (s.deadline && !s.resolved_on) {
            with_calendar(s, [&] {
                const int added = calendar.working_days_between(since, on);
                s.deadline = calendar.add_working_days(*s.deadline, added);
                s.suspended_working_days += added;
            });
        }
    } else if (p.effect == Effect::Escalate) {
        s.escalation_level = p.level.value_or(s.escalation_level + 1);
    } else if (p.effect == Effect::Extend) {
        if (s.deadline) {
            with_calendar(s, [&] {
                s.deadline = calendar.add_working_days(*s.deadline, p.days);
                s.extended_working_days += p.days;
            });
        }
    } else if (p.effect == Effect::MarkTypical) {
        s.typical = true;
    }

    if (p.to_phase) s.phase = *p.to_phase;
    if (!p.to_step.empty()) s.step = p.to_step;
}

json date_json(const std::optional<Date>& d) {
    return d ? json(format_date(*d)) : json(nullptr);
}
std::optional<Date> date_from(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return parse_date(it->get<std::string>());
}

}  // namespace

std::vector<std::string> CaseState::departments() const {
    std::vector<std::string> out;
    for (const auto& t : tasks)
        out.push_back(t.department);
    return out;
}

std::string_view escalation_name(int level) {
    switch (level) {
        case 0:
            return "";
        case 1:
            return "催办";
        case 2:
            return "督办";
        default:
            return "通报";
    }
}

void apply_event(CaseState& s, const Event& e, const Calendar& calendar) {
    if (e.action == "recompute") {
        // A calendar load changed this case's deadline: the fold already computes with the calendar as it
        // is, so the event only tells the history. It is not an action on the case: `--at` may still go
        // back to before it, so it leaves last_event_at alone.
        s.last_seq = e.seq;
        ++s.event_count;
        return;
    }
    if (e.action == "open") {
        apply_open(s, e, calendar);
    } else if (e.action == "revoke") {
        // Undone by replay(), which leaves the revoked event out.
    } else if (e.action == "correct") {
        apply_correct(s, e, calendar);
    } else if (e.action == "merge") {
        s.phase = Phase::Merged;
        s.suspended = false;
        s.suspended_since.reset();
    } else if (e.action == "merge-in") {
        apply_merge_in(s, e);
    } else if (e.action == "report") {
        ++s.report_count;
        if (e.data.contains("reporter")) s.reporters.push_back(reporter_from(e.data["reporter"], e.at));
    } else {
        apply_action(s, e, calendar);
        if (const auto answer = visit_answer(e)) {
            ++s.visits_answered;
            s.visits_satisfied += *answer ? 1 : 0;
        }
    }
    s.last_event_at = e.at;
    s.last_seq = e.seq;
    ++s.event_count;
}

std::optional<bool> visit_answer(const Event& e) {
    if (e.action != "visit") return std::nullopt;
    const auto set = e.data.find("set");
    if (set == e.data.end() || !set->is_object()) return std::nullopt;
    const auto answer = set->find("satisfied");
    if (answer == set->end() || !answer->is_string()) return std::nullopt;
    const std::string& text = answer->get_ref<const std::string&>();
    return text == "yes" || text == "basic";
}

std::vector<std::int64_t> revoked_seqs(const std::vector<Event>& events) {
    std::vector<std::int64_t> out;
    for (const auto& e : events)
        if (e.action == "revoke" && e.data.contains("revokes") && e.data["revokes"].is_number_integer())
            out.push_back(e.data["revokes"].get<std::int64_t>());
    return out;
}

void mark_revoked(std::vector<Event>& events) {
    const auto seqs = revoked_seqs(events);
    for (auto& e : events)
        if (std::find(seqs.begin(), seqs.end(), e.seq) != seqs.end()) e.revoked = true;
}

CaseState replay(const std::vector<Event>& events, const Calendar& calendar) {
    const auto seqs = revoked_seqs(events);
    CaseState s;
    for (const auto& e : events) {
        if (e.revoked || std::find(seqs.begin(), seqs.end(), e.seq) != seqs.end()) {
            // It happened and was cancelled: it is counted as logged, nothing more.
            s.last_seq = e.seq;
            ++s.event_count;
            continue;
        }
        apply_event(s, e, calendar);
    }
    return s;
}

json state_to_json(const CaseState& s) {
    json reporters = json::array();
    for (const auto& r : s.reporters)
        reporters.push_back({{"name", r.name},
                             {"phone", r.phone},
                             {"channel", r.channel},
                             {"at", r.at},
                             {"summary", r.summary}});
    json tasks = json::array();
    for (const auto& t : s.tasks)
        tasks.push_back({{"department", t.department},
                         {"status", std::string(task_status_name(t.status))},
                         {"lead", t.lead},
                         {"dispatched_at", t.dispatched_at},
                         {"updated_at", t.updated_at},
                         {"note", t.note}});
    json cycles = json::array();
    for (const auto& c : s.past_cycles)
        cycles.push_back({{"start", format_date(c.start)},
                          {"deadline", date_json(c.deadline)},
                          {"resolved_on", date_json(c.resolved_on)}});
    return {{"id", s.id},
            {"category", s.category},
            {"workflow_version", s.workflow_version},
            {"deadline_days", s.deadline_days},
            {"address", s.address},
            {"address_key", s.address_key},
            {"summary", s.summary},
            {"received_at", s.received_at},
            {"phase", phase_name(s.phase)},
            {"step", s.step},
            {"suspended", s.suspended},
            {"reporters", reporters},
            {"report_count", s.report_count},
            {"tasks", tasks},
            {"fields", s.fields},
            {"reopen_count", s.reopen_count},
            {"escalation_level", s.escalation_level},
            {"typical", s.typical},
            {"first_dispatched_at", s.first_dispatched_at},
            {"clock_start", s.clock_start.is_special() ? json(nullptr) : json(format_date(s.clock_start))},
            {"deadline", date_json(s.deadline)},
            {"deadline_problem", s.deadline_problem},
            {"suspended_since", date_json(s.suspended_since)},
            {"resolved_on", date_json(s.resolved_on)},
            {"past_cycles", cycles},
            {"suspended_working_days", s.suspended_working_days},
            {"extended_working_days", s.extended_working_days},
            {"last_event_at", s.last_event_at},
            {"last_seq", s.last_seq},
            {"event_count", s.event_count},
            {"visits_answered", s.visits_answered},
            {"visits_satisfied", s.visits_satisfied}};
}

namespace {

// A stored task's status: a missing one is a new task's; a name the program never writes means the stored
// state is damaged, and a task in an unknown state must not be guessed at.
TaskStatus task_status_of(const json& task) {
    if (!task.contains("status")) return TaskStatus::Dispatched;
    const std::string name = json_text(task, "status");
    if (auto st = task_status_from_name(name)) return *st;
    throw storage_error("数据库中部门 " + json_text(task, "department") + " 的任务状态 '" + name +
                        "' 无法识别（数据库可能已损坏，请运行 audit verify）");
}

}  // namespace

CaseState state_from_json(const json& j) {
    CaseState s;
    s.id = json_text(j, "id");
    s.category = json_text(j, "category");
    s.workflow_version = j.value("workflow_version", 0);
    s.deadline_days = j.value("deadline_days", 20);
    s.address = json_text(j, "address");
    s.address_key = json_text(j, "address_key");
    s.summary = json_text(j, "summary");
    s.received_at = json_text(j, "received_at");
    s.phase = phase_from_name(json_text(j, "phase")).value_or(Phase::Intake);
    s.step = json_text(j, "step");
    s.suspended = j.value("suspended", false);
    for (const auto& r : j.value("reporters", json::array()))
        s.reporters.push_back(reporter_from(r, json_text(r, "at")));
    s.report_count = j.value("report_count", 1);
    for (const auto& t : j.value("tasks", json::array()))
        s.tasks.push_back({json_text(t, "department"), task_status_of(t), t.value("lead", false),
                           json_text(t, "dispatched_at"), json_text(t, "updated_at"), json_text(t, "note")});
    s.fields = j.value("fields", std::map<std::string, std::string>{});
    s.reopen_count = j.value("reopen_count", 0);
    s.escalation_level = j.value("escalation_level", 0);
    s.typical = j.value("typical", false);
    s.first_dispatched_at = json_text(j, "first_dispatched_at");
    if (auto d = date_from(j, "clock_start")) s.clock_start = *d;
    s.deadline = date_from(j, "deadline");
    s.deadline_problem = json_text(j, "deadline_problem");
    s.suspended_since = date_from(j, "suspended_since");
    s.resolved_on = date_from(j, "resolved_on");
    for (const auto& c : j.value("past_cycles", json::array()))
        s.past_cycles.push_back(
            {*date_from(c, "start"), date_from(c, "deadline"), date_from(c, "resolved_on")});
    s.suspended_working_days = j.value("suspended_working_days", 0);
    s.extended_working_days = j.value("extended_working_days", 0);
    s.last_event_at = json_text(j, "last_event_at");
    s.last_seq = j.value("last_seq", std::int64_t{0});
    s.event_count = j.value("event_count", 0);
    s.visits_answered = j.value("visits_answered", 0);
    s.visits_satisfied = j.value("visits_satisfied", 0);
    return s;
}

ClockView clock_at(const CaseState& s, Date today, const Calendar& calendar) {
    ClockView v;
    v.stopped = s.resolved_on.has_value() || !is_open(s.phase);
    if (s.phase == Phase::Rejected || s.phase == Phase::Merged) {
        // Not accepted, or joined another case: its clock never runs to a verdict, so nothing about it is
        // missing.
        v.deadline = s.deadline;
        v.days_known = false;
        return v;
    }
    if (!s.deadline) {
        v.problem = s.deadline_problem;
        v.days_known = false;
        // The deadline could not be computed because it lies in a year after the covered ones. When every
        // year from the clock's start to `today` is covered, the deadline is therefore after today: not
        // overdue, known without guessing. Otherwise nothing can be said.
        const bool covered = !s.clock_start.is_special() && today >= s.clock_start &&
                             calendar.covers_years(s.clock_start.year(), today.year());
        v.undecidable = !v.stopped && !covered;
        return v;
    }
    Date deadline = *s.deadline;
    auto provisional = [&](Date d) {
        return !s.clock_start.is_special() && calendar.any_provisional(s.clock_start.year(), d.year());
    };
    auto unknown_days = [&](const Error& e) {
        v.days_known = false;
        v.working_days_left = v.working_days_overdue = 0;
        v.problem = e.what();
    };
    v.deadline = deadline;
    v.deadline_provisional = provisional(deadline);
    if (s.resolved_on) {
        // The clock stopped at the resolve: what was left then stays the figure.
        const Date r = *s.resolved_on;
        try {
            v.working_days_left = r <= deadline ? calendar.working_days_between(r, deadline)
                                                : -calendar.working_days_between(deadline, r);
        } catch (const Error& e) {
            unknown_days(e);
        }
        return v;
    }
    if (s.suspended && s.suspended_since && today > *s.suspended_since) {
        try {
            deadline =
                calendar.add_working_days(deadline, calendar.working_days_between(*s.suspended_since, today));
        } catch (const Error& e) {
            // The suspension moves the deadline by an unknown amount. It only ever moves later, so a case
            // not yet past its stored deadline is not overdue; past it, nothing can be said.
            unknown_days(e);
            v.deadline.reset();
            v.deadline_provisional = false;
            v.undecidable = today > *s.deadline;
            return v;
        }
        v.deadline = deadline;
        v.deadline_provisional = provisional(deadline);
    }
    // Overdue or not is a comparison of dates: known even when the count of days is not.
    v.overdue = today > deadline;
    try {
        if (v.overdue) {
            v.working_days_overdue = calendar.working_days_between(deadline, today);
            v.working_days_left = -v.working_days_overdue;
        } else {
            v.working_days_left = calendar.working_days_between(today, deadline);
        }
    } catch (const Error& e) {
        unknown_days(e);
    }
    return v;
}

void require_complete_clock(const CaseState& s, const ClockView& v) {
    if (!v.complete()) throw refused("案件 " + s.id + "：" + v.problem);
}

std::vector<ClockRound> clock_rounds(const CaseState& s, const Calendar& calendar) {
    std::vector<ClockRound> out;
    auto add = [&](Date start, const std::optional<Date>& deadline, const std::optional<Date>& resolved,
                   bool current) {
        ClockRound r;
        r.start = start;
        r.deadline = deadline;
        r.deadline_provisional = deadline && calendar.any_provisional(start.year(), deadline->year());
        r.resolved_on = resolved;
        if (resolved && deadline) r.on_time = *resolved <= *deadline;
        r.current = current;
        out.push_back(r);
    };
    for (const auto& c : s.past_cycles)
        add(c.start, c.deadline, c.resolved_on, false);
    if (!s.clock_start.is_special()) add(s.clock_start, s.deadline, s.resolved_on, true);
    return out;
}

Date date_of(const std::string& timestamp) {
    return parse_date(std::string_view(timestamp).substr(0, 10));
}

bool recorded_late(const Event& e) {
    if (e.recorded_at.size() < 19 || e.at.size() < 19) return false;
    auto seconds = [](const std::string& ts) {
        const Date d = date_of(ts);
        const long day = (d - Date(1970, 1, 1)).days();
        const long h = std::stol(ts.substr(11, 2)), m = std::stol(ts.substr(14, 2)),
                   s = std::stol(ts.substr(17, 2));
        return day * 86400 + h * 3600 + m * 60 + s;
    };
    try {
        return seconds(e.recorded_at) - seconds(e.at) > 86400;
    } catch (const std::exception&) {
        return false;  // a malformed time in an old row: show it as it is
    }
}

std::string minute_text(std::string_view timestamp) {
    std::string s(timestamp.substr(0, 16));
    if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
    return s;
}

std::string normalize_timestamp(std::string_view text) {
    auto bad = [&] {
        return usage_error("时间 “" + std::string(text) +
                           "” 无法识别：请写成 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM[:SS]（北京时间）");
    };
    if (text.size() < 10) throw bad();
    try {
        parse_date(text.substr(0, 10));
    } catch (const Error&) {
        throw bad();
    }
    if (text.size() == 10) return std::string(text) + "T00:00:00";
    if (text[10] != 'T' && text[10] != ' ') throw bad();
    std::string_view t = text.substr(11);
    if (t.size() != 5 && t.size() != 8) throw bad();
    auto two = [&](size_t i, int max) {
        if (!std::isdigit(static_cast<unsigned char>(t[i])) ||
            !std::isdigit(static_cast<unsigned char>(t[i + 1])))
            throw bad();
        const int v = (t[i] - '0') * 10 + (t[i + 1] - '0');
        if (v > max) throw bad();
    };
    two(0, 23);
    if (t[2] != ':') throw bad();
    two(3, 59);
    if (t.size() == 8) {
        if (t[5] != ':') throw bad();
        two(6, 59);
    }
    return std::string(text.substr(0, 10)) + "T" + std::string(t) + (t.size() == 5 ? ":00" : "");
}

}  // namespace minsheng
