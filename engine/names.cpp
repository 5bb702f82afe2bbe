// Names to ids (see names.h).
#include "engine/names.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "engine/text.h"

namespace minsheng {

std::vector<std::string> label_parts(const std::string& label) {
    std::vector<std::string> out;
    for (std::size_t from = 0; from <= label.size();) {
        const std::size_t slash = std::min(label.find('/', from), label.size());
        const std::string part = trim(label.substr(from, slash - from));
        if (!part.empty()) out.push_back(part);
        from = slash + 1;
    }
    return out;
}

std::string known_names(const std::vector<Nameable>& things) {
    std::string out;
    for (const auto& t : things)
        out += (out.empty() ? "" : "、") + t.id +
               (t.label.empty() || t.label == t.id ? "" : "（" + t.label + "）");
    return out;
}

std::string resolve_name(const std::string& what, const std::string& given,
                         const std::vector<Nameable>& things, ErrorKind unknown_kind) {
    const std::string wanted = trim(given);
    for (const auto& t : things)
        if (t.id == wanted) return t.id;
    // Whole names first: "派单/转办" names one action even if another shares a part of it.
    std::vector<const Nameable*> fits;
    for (const auto& t : things)
        for (const auto& n : t.names)
            if (n == wanted) {
                fits.push_back(&t);
                break;
            }
    if (fits.empty())
        for (const auto& t : things)
            for (const auto& n : t.names) {
                const auto parts = label_parts(n);
                if (std::find(parts.begin(), parts.end(), wanted) != parts.end()) {
                    fits.push_back(&t);
                    break;
                }
            }
    if (fits.size() == 1) return fits.front()->id;
    if (fits.size() > 1) {
        std::vector<Nameable> candidates;
        for (const auto* t : fits)
            candidates.push_back(*t);
        throw usage_error(what + "「" + wanted + "」有歧义，可指：" + known_names(candidates) +
                          "；请写明其中一个");
    }
    throw Error(unknown_kind, "未知的" + what + "「" + wanted + "」；可用的有：" + known_names(things));
}

namespace {

const std::vector<Nameable>& phase_names() {
    static const std::vector<Nameable> names = {
        {"intake", "受理", {"受理"}},           {"coordination", "办理", {"办理"}},
        {"follow_up", "待回访", {"待回访"}},    {"closed", "办结", {"办结", "办结归档"}},
        {"rejected", "不予受理", {"不予受理"}}, {"merged", "并案", {"并案"}},
    };
    return names;
}

}  // namespace

Phase resolve_phase(const std::string& given) {
    return *phase_from_name(resolve_name("阶段", given, phase_names(), ErrorKind::Usage));
}

std::string_view role_label(Role r) {
    return r == Role::Supervisor ? "督办" : "协调员";
}

Role resolve_role(const std::string& given) {
    static const std::vector<Nameable> names = {{"coordinator", "协调员", {"协调员"}},
                                                {"supervisor", "督办", {"督办"}}};
    return *role_from_name(resolve_name("角色", given, names, ErrorKind::Usage));
}

const Action& resolve_action(const Workflow& workflow, const std::string& given) {
    std::vector<Nameable> things;
    for (const auto& a : workflow.actions)
        things.push_back({a.id, a.label, {a.label}});
    return *workflow.find_action(resolve_name("动作", given, things, ErrorKind::Refused));
}

std::string resolve_choice(const Action& action, const std::string& field, const std::string& given) {
    auto labels = action.choice_labels.find(field);
    if (labels == action.choice_labels.end()) return given;
    const std::string wanted = trim(given);
    for (const auto& [value, label] : labels->second)
        if (value == wanted) return value;
    for (const auto& [value, label] : labels->second)
        if (label == wanted) return value;
    return given;
}

std::string choice_label(const Action& action, const std::string& field, const std::string& value) {
    auto labels = action.choice_labels.find(field);
    if (labels == action.choice_labels.end()) return value;
    auto it = labels->second.find(value);
    return it == labels->second.end() ? value : it->second;
}

std::string field_label(const std::string& field) {
    // The names the shipped workflows' fields go by (workflows/*.yaml), and the case's own that `correct`
    // changes, as the workspace labels them (web/src/labels.js).
    static const std::vector<std::pair<std::string, std::string>> labels = {
        {"department", "部门"},
        {"note", "说明"},
        {"root_cause", "根本原因"},
        {"satisfied", "回访结果"},
        {"finding", "勘查发现"},
        {"days", "延期工作日数"},
        {"difficulties", "难点"},
        {"elderly", "涉及老年人"},
        {"no_property", "无物业管理"},
        {"repeated_repairs", "曾反复维修"},
        {"persons", "涉及人数"},
        {"hukou_elsewhere", "人户分离"},
        {"exception_approved", "特事特办已批准"},
        {"address", "地址"},
        {"summary", "问题描述"},
        {"reporter", "反映人"},
        {"phone", "联系电话"},
        {"channel", "反映渠道"},
        {"category", "类别"},
    };
    for (const auto& [id, label] : labels)
        if (id == field) return label;
    return field;
}

std::string without_cli_syntax(const std::string& message, const Action& action) {
    std::string out;
    // Parentheses (full-width) that name a flag, or hold only an id (（approve-exception）), are dropped
    // whole.
    const std::string open = "（", close = "）";
    size_t pos = 0;
    while (pos < message.size()) {
        const size_t start = message.find(open, pos);
        if (start == std::string::npos) {
            out += message.substr(pos);
            break;
        }
        const size_t end = message.find(close, start);
        if (end == std::string::npos) {
            out += message.substr(pos);
            break;
        }
        const std::string inside = message.substr(start + open.size(), end - start - open.size());
        out += message.substr(pos, start - pos);
        const bool id_only = !inside.empty() && std::all_of(inside.begin(), inside.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
        if (inside.find("--") == std::string::npos && !id_only) out += open + inside + close;
        pos = end + close.size();
    }
    // A field's id standing alone (after its Chinese name) is dropped with the space before it.
    for (const auto& field : action.accepted_fields()) {
        for (size_t at = out.find(field); at != std::string::npos; at = out.find(field, at)) {
            auto ascii_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
            const size_t after = at + field.size();
            const bool whole =
                (at == 0 || !ascii_word(out[at - 1])) && (after >= out.size() || !ascii_word(out[after]));
            if (!whole) {
                at = after;
                continue;
            }
            const size_t from = at > 0 && out[at - 1] == ' ' ? at - 1 : at;
            out.erase(from, after - from);
            at = from;
        }
    }
    return out;
}

}  // namespace minsheng
