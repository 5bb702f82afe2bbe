// The case model: a case's current state is a fold over its events (apply_event), and its deadline clock is
// read from that state on a given day (clock_at). Events carry everything the fold needs, so a projection
// can be rebuilt from the event log alone.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar.h"
#include "engine/lifecycle.h"

namespace minsheng {

struct Reporter {
    std::string name;
    std::string phone;
    std::string channel;  // 来电, 来访, 网格员, 12345 …
    std::string at;
    std::string summary;  // what this reporter said, when it differs from the case's summary
};

// Where a department's task stands (SPEC "Each dispatched department has its own task").
enum class TaskStatus { Dispatched, Signed, Returned, Replied };

// Stable names, as the projection and the JSON output store them: dispatched, signed, returned, replied.
std::string_view task_status_name(TaskStatus s);
// What people read: 已派单, 已签收, 已退单, 已回复.
std::string_view task_status_label(TaskStatus s);
std::optional<TaskStatus> task_status_from_name(std::string_view name);

// One dispatched department's part of a case (SPEC "Each dispatched department has its own task").
struct DepartmentTask {
    std::string department;
    TaskStatus status = TaskStatus::Dispatched;
    bool lead = false;  // 牵头单位; the others are 配合单位
    std::string dispatched_at;
    std::string updated_at;
    std::string note;  // the latest return reason or reply
};

// One entry of the append-only log. `action` is "open", "report" (a repeat report) or a workflow action id.
struct Event {
    std::int64_t seq = 0;  // assigned by storage
    std::string case_id;
    std::string action;
    std::string at;  // YYYY-MM-DDTHH:MM:SS, Asia/Shanghai
    std::string actor;
    nlohmann::json data = nlohmann::json::object();
    std::string recorded_at;  // wall-clock time it was written (storage fills it); empty before it is stored
    // Cancelled by a later `revoke` (SPEC Part 2): it stays in the log and the history (已撤销) and counts in
    // no state or statistic. Not stored: mark_revoked() reads it from the revoke events of the same log.
    bool revoked = false;
};

// The seqs a list of one case's events revokes, and the same list with those events marked `revoked`.
std::vector<std::int64_t> revoked_seqs(const std::vector<Event>& events);
void mark_revoked(std::vector<Event>& events);

// Whether the event was written more than a day after the time it says it happened (补录, SPEC Part 2:
// history then shows both times).
bool recorded_late(const Event& e);

// One run of the deadline clock: from receipt (or a reopen) to a resolve.
struct ClockCycle {
    Date start;
    std::optional<Date> deadline;
    std::optional<Date> resolved_on;
};

struct CaseState {
    std::string id;
    std::string category;
    int workflow_version = 0;
    int deadline_days = 20;
    std::string address;
    std::string address_key;  // normalized for repeat matching
    std::string summary;
    std::string received_at;
    Phase phase = Phase::Intake;
    std::string step;
    bool suspended = false;
    std::vector<Reporter> reporters;  // the first report and every repeat
    int report_count = 0;             // reports received, the first included
    std::vector<DepartmentTask> tasks;
    std::map<std::string, std::string> fields;
    int reopen_count = 0;
    int escalation_level = 0;  // 0 none, 1 催办, 2 督办, 3 通报
    bool typical = false;
    std::string first_dispatched_at;

    // The clock (SPEC "Deadline rules"). `deadline` excludes a suspension still running.
    Date clock_start;
    std::optional<Date> deadline;
    std::string deadline_problem;  // why deadline is unknown (a year the calendar lacks), else empty
    std::optional<Date> suspended_since;
    std::optional<Date> resolved_on;  // set while the clock is stopped by a resolve
    std::vector<ClockCycle> past_cycles;
    int suspended_working_days = 0;  // total added by finished suspensions
    int extended_working_days = 0;

    std::string last_event_at;
    std::int64_t last_seq = 0;
    int event_count = 0;

    // The visits that recorded an answer (visit_answer) and how many of them were satisfied: kept with the
    // case so the supervisor's desk tallies 满意率 without reading events. A revoked visit counts nowhere,
    // which replay() gives by leaving it out.
    int visits_answered = 0;
    int visits_satisfied = 0;

    int repeat_count() const { return report_count > 0 ? report_count - 1 : 0; }
    std::vector<std::string> departments() const;  // every department ever dispatched, in order
};

std::string_view escalation_name(int level);  // "", 催办, 督办, 通报

// Folds one event into the state. Calendar gaps leave the deadline unknown with deadline_problem set.
// A `revoke` event only counts here: what it cancels is undone by replay(), which folds the case's events
// leaving out the revoked ones (a caller appending a revoke replays the case).
void apply_event(CaseState& state, const Event& event, const Calendar& calendar);
// When `event` is a `visit` that recorded an answer (its `satisfied` field), whether the resident was
// satisfied: 满意 or 基本满意 (yes, basic). SPEC Part 2: only `visit` events are visits, whatever fields
// another action recorded. Nothing for any other event. Whether it was revoked is the caller's to know.
std::optional<bool> visit_answer(const Event& event);
// The case from its events, revoked events left out (those marked, and those a revoke among `events`
// names).
CaseState replay(const std::vector<Event>& events, const Calendar& calendar);

// The text of member `key` of an event's data (or any JSON object); "" when it is missing or not a string.
std::string json_text(const nlohmann::json& j, const char* key);

// The state <-> JSON used by the projection (full fidelity, not the user-facing object).
nlohmann::json state_to_json(const CaseState& state);
CaseState state_from_json(const nlohmann::json& j);

// The clock read on a day. What the calendar cannot give is left out and `problem` says why (a year it
// lacks, named, with both ways out); what it can give is still there (SPEC deadline rule 6).
struct ClockView {
    std::optional<Date> deadline;       // the effective deadline (a running suspension included)
    bool deadline_provisional = false;  // it needs a provisional year (暂定)
    bool overdue = false;
    bool stopped = false;          // resolved, closed or rejected: the clock no longer runs
    int working_days_left = 0;     // negative when overdue; frozen at the resolve once stopped
    int working_days_overdue = 0;  // working days d with deadline < d <= today
    bool days_known = true;        // whether the two counts above are known
    std::string problem;           // something unknown: why
    bool undecidable = false;      // whether it is overdue depends on a year the calendar lacks

    // Everything a table row, an export or an audit shows of the clock is known.
    bool complete() const { return problem.empty(); }
};
ClockView clock_at(const CaseState& state, Date today, const Calendar& calendar);

// The refusal for a case whose clock is incomplete (SPEC rule 6: never a silent wrong or empty answer): one
// line naming the case, the missing year and both ways out. Does nothing when the clock is complete.
void require_complete_clock(const CaseState& state, const ClockView& clock);

// One round of the deadline clock as `case show` lists it: the first handling and each reopening.
struct ClockRound {
    Date start;
    std::optional<Date> deadline;
    bool deadline_provisional = false;
    std::optional<Date> resolved_on;
    std::optional<bool> on_time;  // known once resolved, when the deadline is known
    bool current = false;
};
std::vector<ClockRound> clock_rounds(const CaseState& state, const Calendar& calendar);

// Date part of a timestamp (YYYY-MM-DD[THH:MM[:SS]]).
Date date_of(const std::string& timestamp);
// Validates and normalizes a timestamp to YYYY-MM-DDTHH:MM:SS; throws Error(Usage) on a bad one.
std::string normalize_timestamp(std::string_view text);
// A stored timestamp as people read it, to the minute: 2025-06-02T09:00:00 -> 2025-06-02 09:00.
std::string minute_text(std::string_view timestamp);

}  // namespace minsheng
