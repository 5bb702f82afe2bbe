// The workflow runtime: decides whether an action may be performed on a case and, if so, the event that
// records it. Phase moves go through the Boost.MSM lifecycle; the workflow supplies steps, roles and guards.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/calendar.h"
#include "engine/case.h"
#include "engine/workflow.h"

namespace minsheng {

struct ReportInput {
    std::string address;
    std::string summary;
    std::string reporter;
    std::string phone;
    std::string channel;
    std::string at;  // normalized timestamp
    // The latest `at` allowed (SPEC deadline rule 8): the current time, or the end of the --today date;
    // empty: no bound.
    std::string latest_at;
};

// The latest `at` an action or report may carry, from the wall clock `now` and the --today date when one was
// given: the end of that day, else `now` itself.
std::string latest_allowed_at(const std::string& now, const std::optional<Date>& today);

// What opening a case needs from its workflow: small enough to be stored beside the workflow's text, so that
// `case open` and an import need not parse the YAML.
struct WorkflowOpening {
    std::string category;
    int version = 0;
    int deadline_days = 0;
    std::string initial_step;
};
WorkflowOpening opening_of(const Workflow& workflow);

// The event that opens a case under a workflow. Throws Error(Refused) for an empty address or summary.
Event make_open_event(const WorkflowOpening& opening, const std::string& case_id, const ReportInput& report,
                      const std::string& actor);
inline Event make_open_event(const Workflow& workflow, const std::string& case_id, const ReportInput& report,
                             const std::string& actor) {
    return make_open_event(opening_of(workflow), case_id, report, actor);
}
// The event that attaches a repeat report to an open case.
Event make_report_event(const CaseState& state, const ReportInput& report, const std::string& actor);

struct ActionRequest {
    std::string action;
    std::vector<std::string> departments;
    std::vector<std::pair<std::string, std::string>> sets;  // --set KEY=VALUE, in order
    std::string note;
    std::string into;  // merge: the case the reports join
    std::string at;    // normalized timestamp
    std::string actor;
    Role role = Role::Coordinator;
    // As ReportInput's. Its date is also the day the action is recorded, on which an extension is judged
    // (SPEC deadline rule 7); empty: no bound, and the day of `at`.
    std::string latest_at;
};

// Decides the action against the case as it stands; returns the event to append, or throws Error:
// Refused (exit 3) for anything the workflow or lifecycle forbids, NotAllowed (exit 4) for a wrong role.
Event decide_action(const Workflow& workflow, const CaseState& state, const ActionRequest& request,
                    const Calendar& calendar);

// The fields `correct` changes.
const std::vector<std::string>& correctable_fields();
// `correct --set FIELD=VALUE… --note WHY` (coordinators and supervisors). `new_category` is the opening of
// the category named by --set category=…, when one is (the caller looks it up).
Event decide_correct(const CaseState& state, const ActionRequest& request,
                     const std::optional<WorkflowOpening>& new_category);
// `revoke --note WHY` (supervisors): cancels the latest event of `events` (the case's log) still in effect,
// never the opening and never a merge.
Event decide_revoke(const CaseState& state, const std::vector<Event>& events, const ActionRequest& request);
// `merge --into OTHER --note WHY` (并案): the event ending `from` (phase merged) and the one that joins its
// reports to `into` as repeat reports; each names the other case.
std::pair<Event, Event> decide_merge(const CaseState& from, const CaseState& into,
                                     const ActionRequest& request);

}  // namespace minsheng
