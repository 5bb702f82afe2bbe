#include "engine/workflow_compiled.h"

#include <nlohmann/json.hpp>

namespace minsheng {

namespace {

// Raise this whenever `Workflow` or what load_workflow puts in it changes (a member added, a meaning
// changed): forms of another format are then ignored and the stored YAML parsed instead, so a newer minsheng
// never trusts an older one's reading. The round-trip test over every shipped workflow
// (workflow_compiled_test.cpp) fails when a member is left out below.
constexpr int kCompiledWorkflowFormat = 1;

}  // namespace

// The (de)serialisers nlohmann finds by argument-dependent lookup: in the structs' own namespace.
NLOHMANN_JSON_SERIALIZE_ENUM(Condition::Op, {{Condition::Op::Equals, "equals"},
                                             {Condition::Op::NotEquals, "not_equals"},
                                             {Condition::Op::Present, "present"},
                                             {Condition::Op::Absent, "absent"},
                                             {Condition::Op::GreaterThan, "greater_than"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Action::From, {{Action::From::Steps, "steps"},
                                            {Action::From::AnyOpen, "any_open"},
                                            {Action::From::Any, "any"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Phase, {{Phase::Intake, "intake"},
                                     {Phase::Coordination, "coordination"},
                                     {Phase::FollowUp, "follow_up"},
                                     {Phase::Closed, "closed"},
                                     {Phase::Rejected, "rejected"},
                                     {Phase::Merged, "merged"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Role, {{Role::Coordinator, "coordinator"}, {Role::Supervisor, "supervisor"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Effect, {{Effect::None, "none"},
                                      {Effect::Dispatch, "dispatch"},
                                      {Effect::Sign, "sign"},
                                      {Effect::Return, "return"},
                                      {Effect::Reply, "reply"},
                                      {Effect::Suspend, "suspend"},
                                      {Effect::Resume, "resume"},
                                      {Effect::Escalate, "escalate"},
                                      {Effect::Extend, "extend"},
                                      {Effect::MarkTypical, "mark_typical"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SourceMark, line, column)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Condition, field, op, value, values)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Guard, when, require, message, mark)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Outcome, when, to)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Step, id, label, phase, mark)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Action, id, label, from_kind, from, to, outcomes, roles, requires_,
                                   choices, choice_labels, fields, guards, sets, effect, require_replies,
                                   mark)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Workflow, category, name, version, deadline_days, departments, steps,
                                   actions, write_up, description)

// JSON text: readable with the sqlite3 shell. (MessagePack was tried: nlohmann reads it byte by byte, and it
// took 1.45M instructions to JSON's 1.25M for the drainage workflow.)
std::string compile_workflow(const Workflow& w) {
    // A workflow stored by an older minsheng may hold text that is not UTF-8 (load_workflow refuses it now),
    // which JSON cannot hold: such a workflow has no compiled form, and its YAML is read instead.
    try {
        return nlohmann::json{{"format", kCompiledWorkflowFormat}, {"workflow", w}}.dump();
    } catch (const nlohmann::json::type_error&) {
        return "";
    }
}

std::optional<Workflow> read_compiled_workflow(std::string_view compiled, const std::string& source) {
    // No exceptions for a form that is not JSON: an empty or damaged column is a normal "not here".
    auto j = nlohmann::json::parse(compiled, nullptr, /*allow_exceptions=*/false);
    try {
        if (!j.is_object() || j.value("format", 0) != kCompiledWorkflowFormat) return std::nullopt;
        auto w = j.at("workflow").get<Workflow>();
        w.source = source;
        return w;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // a member missing, or of the wrong type
    }
}

}  // namespace minsheng
