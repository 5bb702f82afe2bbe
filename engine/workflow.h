// A workflow: the steps inside the lifecycle's phases for one category of problem, and the actions that move
// between them. Runtime data read from YAML (workflows/*.yaml, format in workflows/README.md); the phases
// themselves are compile-time (lifecycle.h) and a workflow that would make a move they forbid does not load.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/lifecycle.h"

namespace minsheng {

enum class Role { Coordinator, Supervisor };
std::string_view role_name(Role r);
std::optional<Role> role_from_name(std::string_view name);

// What an action does beyond moving the step. Phase effects (resolve stops the clock, reopen restarts it)
// follow from the step's phases, not from this.
enum class Effect {
    None,
    Dispatch,     // route to the --department(s): creates one department task each
    Sign,         // a department takes its task (签收)
    Return,       // a department hands its task back (退单)
    Reply,        // a department reports its part done
    Suspend,      // 挂起: the clock stops
    Resume,       // the clock runs again
    Escalate,     // 催办 -> 督办 -> 通报; only on overdue cases
    Extend,       // 延期: adds `days` working days; only before the deadline
    MarkTypical,  // selects the case for the year's typical cases
};
std::string_view effect_name(Effect e);
std::optional<Effect> effect_from_name(std::string_view name);

// Where a problem is in its file; 1-based.
struct SourceMark {
    int line = 0;
    int column = 0;
    bool operator==(const SourceMark&) const = default;
};

// The counters the engine computes from a case's history (repeat_count, reopen_count, escalation_level,
// departments: tasks not returned). Conditions can test them; no action can take or set them as fields, and
// a case field of the same name never hides them.
const std::vector<std::string>& computed_names();
bool is_computed_name(std::string_view name);

// One test on a case's fields or counters. Fields are the case's `fields`; the counters (computed_names())
// can be tested too.
struct Condition {
    enum class Op { Equals, NotEquals, Present, Absent, GreaterThan };
    std::string field;
    Op op = Op::Equals;
    std::string value;  // for Equals, NotEquals (one of several values: `values`), GreaterThan (an integer)
    std::vector<std::string> values;  // Equals/NotEquals against any of these when non-empty
    bool operator==(const Condition&) const = default;
};

// "When `when` all hold, `require` must all hold, else the action is refused with `message`."
struct Guard {
    std::vector<Condition> when;  // empty: always
    std::vector<Condition> require;
    std::string message;  // shown to the user when refused
    SourceMark mark;
    bool operator==(const Guard&) const = default;
};

// A branch of an action with several possible targets (e.g. the visit: satisfied -> closed, not -> handling).
struct Outcome {
    std::vector<Condition> when;  // evaluated against the fields after this action's --set values
    std::string to;               // step id
    bool operator==(const Outcome&) const = default;
};

struct Step {
    std::string id;
    std::string label;  // Chinese label shown to users
    Phase phase = Phase::Intake;
    SourceMark mark;
    bool operator==(const Step&) const = default;
};

struct Action {
    enum class From { Steps, AnyOpen, Any };
    std::string id;
    std::string label;
    From from_kind = From::Steps;
    std::vector<std::string> from;       // step ids, when from_kind == Steps
    std::string to;                      // step id; empty means the case stays where it is
    std::vector<Outcome> outcomes;       // instead of `to`: first outcome whose `when` holds
    std::vector<Role> roles;             // who may perform it; supervisors may always
    std::vector<std::string> requires_;  // inputs that must be given with the action: "department", "note",
                                         // or a field name supplied with --set
    std::map<std::string, std::vector<std::string>> choices;  // allowed values for given fields
    // The Chinese label of each choice, when the workflow gives one (choices: {satisfied: {yes: 满意}}):
    // shown to people, and accepted as input in place of the value.
    std::map<std::string, std::map<std::string, std::string>> choice_labels;
    std::vector<std::string> fields;  // fields it takes with --set when given (beyond requires and choices)
    std::vector<Guard> guards;
    std::map<std::string, std::string> sets;  // fields this action sets on the case
    Effect effect = Effect::None;
    bool require_replies = false;  // every department task not returned must be replied first
    SourceMark mark;

    // The fields this action takes with --set: the field names in `requires`, the keys of `choices` and
    // `fields`. Any other --set is refused.
    std::vector<std::string> accepted_fields() const;
    bool operator==(const Action&) const = default;
};

struct Workflow {
    std::string category;  // id, e.g. drainage
    std::string name;      // Chinese name, e.g. 排水/下水道
    int version = 1;
    int deadline_days = 20;
    std::vector<std::string> departments;  // usually involved; the first is the usual lead (牵头单位)
    std::vector<Step> steps;               // the first intake step is where a new case starts
    std::vector<Action> actions;
    std::string write_up;     // the typical-case write-up template (reports)
    std::string description;  // optional text for people, as written
    std::string source;       // the YAML text as loaded

    const Step* find_step(std::string_view id) const;
    const Action* find_action(std::string_view id) const;
    // The first action whose `sets` writes `field`; nullptr when none does.
    const Action* action_setting(std::string_view field) const;
    const Step& initial_step() const;
    // Member by member: the compiled form's round-trip test compares a workflow read back with the one
    // written.
    bool operator==(const Workflow&) const = default;
};

// The actions every workflow accepts whatever its file says (SPEC Part 2 "Next steps, corrections, merging"):
// correct, revoke, merge (decided in runtime.h). A workflow cannot define an action of these names.
bool is_builtin_action(std::string_view action);
const std::vector<std::string>& builtin_actions();

struct WorkflowProblem {
    std::string file;
    SourceMark mark;
    std::string message;
    std::string to_string() const;  // "FILE:LINE:COL: message"
};

struct WorkflowLoad {
    std::optional<Workflow> workflow;       // set only when there are no problems
    std::vector<WorkflowProblem> problems;  // every problem found, in file order
};

// Which checks a load runs. A station's stored text passed the checks of the minsheng that stored it; a later
// minsheng may check more (the write_up template's placeholders, say), and must still read that text: its
// cases were opened under it. The template is checked again when a report renders it.
enum class WorkflowChecks { All, Stored };

// Parses and checks one workflow file's text; never throws for bad content (problems are returned).
WorkflowLoad load_workflow(const std::string& text, const std::string& file_name,
                           WorkflowChecks checks = WorkflowChecks::All);

// Convenience: load_workflow, throwing Error(Refused) with the first problem when there are any.
Workflow load_workflow_or_throw(const std::string& text, const std::string& file_name,
                                WorkflowChecks checks = WorkflowChecks::All);

}  // namespace minsheng
