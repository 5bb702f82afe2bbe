// The station's own words as input (SPEC Part 2 "Speaking the station's language"): wherever a user names a
// category, phase, action, role or choice, its Chinese name works as well as its id. Written once here, for
// the command line and the coming web API alike.
//
// A name that fits two things is a usage error (exit 2) listing them; an unknown one lists the known names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/lifecycle.h"
#include "engine/workflow.h"

namespace minsheng {

// One thing a user may name: its id, and the Chinese names that also mean it (a label "派单/转办" is given
// whole and is split at '/' by resolve_name).
struct Nameable {
    std::string id;
    std::string label;  // shown in messages: "派单/转办"
    std::vector<std::string> names;
};

// The parts of a label written as alternatives: "排水/下水道" -> {排水, 下水道}.
std::vector<std::string> label_parts(const std::string& label);

// The id `given` names among `things`: the id itself, a whole name, or one '/'-part of a name. An exact id
// wins over names; a name or part several things share is a usage error listing them. When nothing fits,
// throws Error(`unknown_kind`) "未知的WHAT「given」：可用的有 …".
std::string resolve_name(const std::string& what, const std::string& given,
                         const std::vector<Nameable>& things, ErrorKind unknown_kind);

// "dispatch（派单/转办）、resolve（办理完毕）…": the names a message offers.
std::string known_names(const std::vector<Nameable>& things);

// Phases: intake 受理 · coordination 办理 · follow_up 待回访 · closed 办结 · rejected 不予受理. Usage error
// when unknown.
Phase resolve_phase(const std::string& given);
// Roles: coordinator 协调员 · supervisor 督办. Usage error when unknown.
Role resolve_role(const std::string& given);
std::string_view role_label(Role r);  // 协调员, 督办

// The action of `workflow` that `given` names (id, label or a '/'-part of it). Unknown: refused (exit 3)
// listing the workflow's actions.
const Action& resolve_action(const Workflow& workflow, const std::string& given);
// The choice value `given` names for `field` of `action` (the value or its label); other fields and values
// pass through unchanged (the runtime refuses a value not among the choices, listing them).
std::string resolve_choice(const Action& action, const std::string& field, const std::string& given);
// "满意" for satisfied=yes when the workflow labels it, else the value itself.
std::string choice_label(const Action& action, const std::string& field, const std::string& value);

// A field's name for people: the shipped workflows' fields in Chinese (root_cause 根本原因) and the case's
// own that `correct` changes (address 地址 …), the field's id for one only a station's own workflow knows.
std::string field_label(const std::string& field);

// A workflow's refusal message as the web shows it: the parts meant for the command line left out — a
// parenthesis naming a flag (（--set root_cause=…）) and the ids of `action`'s fields (须填写根本原因
// root_cause → 须填写根本原因). The command line prints the message as written.
std::string without_cli_syntax(const std::string& message, const Action& action);

}  // namespace minsheng
