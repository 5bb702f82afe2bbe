// The workflow runtime: decides whether an action may be performed on a case and, if so, the event that
// records it. Phase moves go through the Boost.MSM lifecycle; the workflow supplies steps, roles and guards.
#pragma once

#include <string>
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
};

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
    std::string at;  // normalized timestamp
    std::string actor;
    Role role = Role::Coordinator;
};

// Decides the action against the case as it stands; returns the event to append, or throws Error:
// Refused (exit 3) for anything the workflow or lifecycle forbids, NotAllowed (exit 4) for a wrong role.
Event decide_action(const Workflow& workflow, const CaseState& state, const ActionRequest& request,
                    const Calendar& calendar);

}  // namespace minsheng
