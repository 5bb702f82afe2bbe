// Deciding an action: the workflow's rules (step, role, inputs, guards), the engine's own rules for effects
// (escalate only when overdue, extend only before the deadline), then the lifecycle, in that order.
#include "engine/runtime.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "engine/error.h"
#include "engine/names.h"
#include "engine/text.h"

namespace minsheng {

using nlohmann::json;

namespace {

constexpr int kMaxEscalation = 3;      // 催办, 督办, 通报
constexpr int kMaxExtensionDays = 60;  // a longer extension is a typo, not a plan

json reporter_json(const ReportInput& r) {
    json j = {{"name", r.reporter}, {"phone", r.phone}, {"channel", r.channel}};
    return j;
}

std::optional<long> to_int(const std::string& s) {
    long v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc() || p != end || s.empty()) return std::nullopt;
    return v;
}

// The value a condition tests: the case's fields (with this action's --set applied) or a counter.
// The counters come first: a field of the same name (stored before --set was checked) never hides them.
std::optional<std::string> lookup(const std::string& key, const CaseState& s,
                                  const std::map<std::string, std::string>& fields) {
    if (key == "repeat_count") return std::to_string(s.repeat_count());
    if (key == "reopen_count") return std::to_string(s.reopen_count);
    if (key == "escalation_level") return std::to_string(s.escalation_level);
    if (key == "departments") {
        const auto n = std::count_if(s.tasks.begin(), s.tasks.end(), [](const DepartmentTask& t) {
            return t.status != TaskStatus::Returned;
        });
        return std::to_string(n);
    }
    if (auto it = fields.find(key); it != fields.end()) return it->second;
    return std::nullopt;
}

// What keeps each counter, for the message refusing it as a --set field.
std::string counter_source(const std::string& name) {
    if (name == "repeat_count") return "重复反映（case open 同一地址）";
    if (name == "reopen_count") return "重新办理（reopen、回访不满意 visit）";
    if (name == "escalation_level") return "催办/督办（escalate）";
    if (name == "departments") return "派单与退单（dispatch、return）";
    return "案件记录";
}

// SPEC Part 2: --set takes only the fields the action declares; counters and fields another action sets are
// refused, naming what sets them.
void check_set_fields(const Workflow& w, const Action& a, const ActionRequest& r) {
    const std::vector<std::string> accepted = a.accepted_fields();
    for (const auto& [k, v] : r.sets) {
        if (k.empty()) throw usage_error("--set 需要 字段=值 的形式，字段名不能为空");
        if (is_computed_name(k))
            throw refused("--set " + k + " 被拒绝：" + k + " 由系统根据" + counter_source(k) +
                          "计算，不能手工设置");
        if (const Action* setter = w.action_setting(k))
            throw refused("--set " + k + " 被拒绝：" + k + " 只能由 " + setter->id + "（" + setter->label +
                          "）设置");
        if (std::find(accepted.begin(), accepted.end(), k) == accepted.end()) {
            std::string list;
            for (const auto& f : accepted)
                list += (list.empty() ? "" : "、") + f;
            throw refused("--set " + k + " 被拒绝：" + a.id + "（" + a.label + "）不接受字段 " + k +
                          (list.empty() ? "；该操作不接受任何 --set 字段" : "；可设置的字段：" + list));
        }
    }
}

bool holds(const Condition& c, const CaseState& s, const std::map<std::string, std::string>& fields) {
    const auto v = lookup(c.field, s, fields);
    // White space alone is no value: `--set root_cause="  "` does not record a root cause.
    const bool present = v.has_value() && !trim(*v).empty();
    auto equals = [&] {
        if (!present) return false;
        if (!c.values.empty()) return std::find(c.values.begin(), c.values.end(), *v) != c.values.end();
        return *v == c.value;
    };
    switch (c.op) {
        case Condition::Op::Equals:
            return equals();
        case Condition::Op::NotEquals:
            return !equals();
        case Condition::Op::Present:
            return present;
        case Condition::Op::Absent:
            return !present;
        case Condition::Op::GreaterThan: {
            const auto a = present ? to_int(*v) : std::optional<long>(0);
            const auto b = to_int(c.value);
            return a && b && *a > *b;
        }
    }
    return false;
}

bool all_hold(const std::vector<Condition>& cs, const CaseState& s,
              const std::map<std::string, std::string>& f) {
    return std::all_of(cs.begin(), cs.end(), [&](const Condition& c) { return holds(c, s, f); });
}

std::string step_desc(const Workflow& w, const std::string& step_id) {
    const Step* st = w.find_step(step_id);
    if (!st) return step_id;
    return "「" + st->label + "」（阶段：" + std::string(phase_label(st->phase)) + "）";
}

// "满意（yes）" when the workflow labels the choice, else the value.
std::string choice_text(const Action& a, const std::string& field, const std::string& value) {
    const std::string label = choice_label(a, field, value);
    return label == value ? value : label + "（" + value + "）";
}

// "：满意（yes）、不满意（no）" for a field with choices, else "".
std::string choices_hint(const Action& a, const std::string& field) {
    auto it = a.choices.find(field);
    if (it == a.choices.end()) return "";
    std::string list;
    for (const auto& v : it->second)
        list += (list.empty() ? "" : "、") + choice_text(a, field, v);
    return "（可选：" + list + "）";
}

// "（可选：满意、不满意）": the same, in labels only (the web's wording).
std::string choice_labels_hint(const Action& a, const std::string& field) {
    auto it = a.choices.find(field);
    if (it == a.choices.end()) return "";
    std::string list;
    for (const auto& v : it->second)
        list += (list.empty() ? "" : "、") + choice_label(a, field, v);
    return "（可选：" + list + "）";
}

bool may_leave(const Action& a, const Step& from) {
    switch (a.from_kind) {
        case Action::From::Any:
            return true;
        case Action::From::AnyOpen:
            return is_open(from.phase);
        case Action::From::Steps:
            return std::find(a.from.begin(), a.from.end(), from.id) != a.from.end();
    }
    return false;
}

DepartmentTask const* task_of(const CaseState& s, const std::string& dep) {
    for (const auto& t : s.tasks)
        if (t.department == dep) return &t;
    return nullptr;
}

void check_task_effect(const Action& a, const CaseState& s, const ActionRequest& r) {
    if (r.departments.size() != 1)
        throw refused(a.label + "需要且只需要一个部门：写明是哪个部门的任务")
            .with_cli_text(a.label + "需要且只需要一个 --department：写明是哪个部门的任务");
    const std::string& dep = r.departments.front();
    const DepartmentTask* t = task_of(s, dep);
    if (!t) throw refused("案件 " + s.id + " 没有派给「" + dep + "」的任务；请先派单给它");
    const TaskStatus st = t->status;
    if (a.effect == Effect::Sign && st != TaskStatus::Dispatched)
        throw refused("「" + dep + "」的任务状态是" + std::string(task_status_label(st)) +
                      "；只有已派单的任务可以签收");
    if ((a.effect == Effect::Return || a.effect == Effect::Reply) && st != TaskStatus::Dispatched &&
        st != TaskStatus::Signed)
        throw refused("「" + dep + "」的任务已经是" + std::string(task_status_label(st)) + "状态");
}

// SPEC deadline rule 8: `--at` may lie in the past, never in the future.
void check_not_future(const std::string& at, const std::string& latest) {
    if (!latest.empty() && at > latest)
        throw refused("时间 " + at + " 在将来（晚于 " + latest + "）：只能填写已经发生的时间")
            .with_cli_text("时间 " + at + " 在将来（晚于 " + latest + "）：--at 只能是已经发生的时间");
}

}  // namespace

std::string latest_allowed_at(const std::string& now, const std::optional<Date>& today) {
    if (today) return format_date(*today) + "T23:59:59";
    return now;
}

WorkflowOpening opening_of(const Workflow& w) {
    return WorkflowOpening{w.category, w.version, w.deadline_days, w.initial_step().id};
}

Event make_open_event(const WorkflowOpening& w, const std::string& case_id, const ReportInput& r,
                      const std::string& actor) {
    check_not_future(r.at, r.latest_at);
    const std::string address = trim(r.address);
    const std::string summary = trim(r.summary);
    if (address.empty()) throw refused("地址是空的：请写明问题在哪里").with_cli_hint("（--address）");
    if (summary.empty()) throw refused("问题描述是空的：请写明是什么问题").with_cli_hint("（--summary）");
    Event e;
    e.case_id = case_id;
    e.action = "open";
    e.at = r.at;
    e.actor = actor;
    e.data = {{"category", w.category},
              {"workflow_version", w.version},
              {"deadline_days", w.deadline_days},
              {"address", address},
              {"address_key", normalize_address(address)},
              {"address_fold", kAddressFoldVersion},
              {"summary", summary},
              {"step", w.initial_step},
              {"reporter", reporter_json(r)}};
    return e;
}

Event make_report_event(const CaseState& s, const ReportInput& r, const std::string& actor) {
    check_not_future(r.at, r.latest_at);
    if (r.at < s.last_event_at)
        throw refused("反映时间 " + r.at + " 早于该案最近一次记录（" + s.last_event_at + "）");
    Event e;
    e.case_id = s.id;
    e.action = "report";
    e.at = r.at;
    e.actor = actor;
    json rep = reporter_json(r);
    if (trim(r.summary) != s.summary) rep["summary"] = trim(r.summary);
    e.data = {{"reporter", rep}};
    return e;
}

Event decide_action(const Workflow& w, const CaseState& s, const ActionRequest& r, const Calendar& calendar) {
    const Action* a = &resolve_action(w, r.action);  // the id, the label or a '/'-part of it
    if (!a->roles.empty() && r.role != Role::Supervisor &&
        std::find(a->roles.begin(), a->roles.end(), r.role) == a->roles.end())
        throw not_allowed(a->label + "只有督办可以做；" + r.actor + " 是协调员")
            .with_cli_text(a->label + "（" + a->id + "）只有督办可以做；" + r.actor + " 是协调员");
    if (s.phase == Phase::Merged)
        throw refused("案件 " + s.id + " 已并案（并入其他案件），不能再办理；请在并入的案件上继续办理");
    check_set_fields(w, *a, r);
    // A department given to an action that takes none would be dropped without a word (SPEC Part 2: nothing
    // given is silently ignored).
    const bool takes_department =
        std::find(a->requires_.begin(), a->requires_.end(), "department") != a->requires_.end() ||
        a->effect == Effect::Dispatch || a->effect == Effect::Sign || a->effect == Effect::Return ||
        a->effect == Effect::Reply;
    if (!r.departments.empty() && !takes_department)
        throw refused(a->label + "不涉及部门；派单给部门请用「派单」")
            .with_cli_text("--department 被拒绝：" + a->id + "（" + a->label +
                           "）不涉及部门；派单给部门请用 dispatch --department D");
    check_not_future(r.at, r.latest_at);
    if (r.at < s.last_event_at)
        throw refused("时间 " + r.at + " 早于该案最近一次记录（" + s.last_event_at + "）")
            .with_cli_text("--at " + r.at + " 早于该案最近一次记录（" + s.last_event_at + "）");

    const Step* from = w.find_step(s.step);
    if (!from) throw refused("案件 " + s.id + " 所在步骤 " + s.step + " 不在其办理流程中");
    if (!may_leave(*a, *from))
        throw refused("案件 " + s.id + " 在步骤" + step_desc(w, s.step) + "，不能" + a->label)
            .with_cli_hint("（" + a->id + "）");

    // Inputs.
    std::map<std::string, std::string> given;
    for (const auto& [k, v] : r.sets)
        given[k] = v;
    for (const auto& need : a->requires_) {
        if (need == "department") {
            if (r.departments.empty())
                throw refused(a->label + "需要选择部门").with_cli_text(a->label + "需要 --department 部门");
        } else if (need == "note") {
            if (trim(r.note).empty())
                throw refused(a->label + "需要写明理由或内容")
                    .with_cli_text(a->label + "需要 --note 写明理由或内容");
        } else if (auto it = given.find(need); it == given.end() || trim(it->second).empty()) {
            throw refused(a->label + "需要填写" + field_label(need) + choice_labels_hint(*a, need))
                .with_cli_text(a->label + "需要 --set " + need + "=…" + choices_hint(*a, need));
        }
    }
    for (const auto& [field, allowed] : a->choices) {
        auto it = given.find(field);
        if (it == given.end()) continue;
        if (std::find(allowed.begin(), allowed.end(), it->second) == allowed.end()) {
            std::string list, labels;
            for (const auto& x : allowed) {
                list += (list.empty() ? "" : "、") + choice_text(*a, field, x);
                labels += (labels.empty() ? "" : "、") + choice_label(*a, field, x);
            }
            throw refused(field_label(field) + "「" + it->second + "」不可用；可用的有：" + labels)
                .with_cli_text("--set " + field + "=" + it->second + " 不可用；可用的有：" + list);
        }
    }
    std::map<std::string, std::string> fields = s.fields;
    for (const auto& [k, v] : given)
        fields[k] = v;
    for (const auto& [k, v] : a->sets)
        fields[k] = v;

    // The engine's rules for effects.
    const Date on = date_of(r.at);
    json data = json::object();
    switch (a->effect) {
        case Effect::Dispatch:
            if (r.departments.empty())
                throw refused(a->label + "需要选择部门").with_cli_text(a->label + "需要 --department 部门");
            break;
        case Effect::Sign:
        case Effect::Return:
        case Effect::Reply:
            check_task_effect(*a, s, r);
            break;
        case Effect::Escalate: {
            const ClockView v = clock_at(s, on, calendar);
            if (v.undecidable) throw refused("案件 " + s.id + "：" + v.problem);
            if (!v.overdue)
                throw refused("案件 " + s.id + " 在 " + format_date(on) +
                              " 未超期；只有超期案件可以催办督办");
            if (s.escalation_level >= kMaxEscalation)
                throw refused("案件 " + s.id + " 已是最高督办等级（通报）");
            data["level"] = s.escalation_level + 1;
            data["level_name"] = std::string(escalation_name(s.escalation_level + 1));
            break;
        }
        case Effect::Extend: {
            const auto days = to_int(given.count("days") ? given["days"] : "");
            if (!days || *days < 1 || *days > kMaxExtensionDays)
                throw refused("延期天数须是 1 到 " + std::to_string(kMaxExtensionDays) +
                              " 之间的整数个工作日")
                    .with_cli_text("--set days=K：延期天数须是 1 到 " + std::to_string(kMaxExtensionDays) +
                                   " 之间的整数个工作日");
            // Judged on the day the extension is recorded, whatever its --at says (SPEC deadline rule 7): an
            // extension logged after the deadline passed cannot be backdated into time.
            const Date recorded = r.latest_at.empty() ? on : date_of(r.latest_at);
            const ClockView v = clock_at(s, recorded, calendar);
            if (v.stopped) throw refused("案件 " + s.id + " 已办理完毕，不再计时，无需延期");
            if (!v.deadline) throw refused(v.problem);
            if (v.overdue)
                throw refused("办理期限 " + format_date(*v.deadline) + " 已过；延期须在期限之前批准");
            data["days"] = *days;
            break;
        }
        default:
            break;
    }

    for (const auto& g : a->guards) {
        if (all_hold(g.when, s, fields) && !all_hold(g.require, s, fields))
            throw g.message.empty()
                ? refused(a->label + "被流程「" + w.name + "」的条件拒绝")
                      .with_cli_text(a->label + "（" + a->id + "）被流程 " + w.category + " 的条件拒绝")
                : refused(without_cli_syntax(g.message, *a)).with_cli_text(g.message);
    }
    if (a->require_replies) {
        for (const auto& t : s.tasks) {
            if (t.status != TaskStatus::Returned && t.status != TaskStatus::Replied)
                throw refused(a->label + "须等所有部门答复；" + t.department + " 现为" +
                              std::string(task_status_label(t.status)))
                    .with_cli_text(a->label + "（" + a->id + "）须等所有部门答复；" + t.department + " 现为" +
                                   std::string(task_status_label(t.status)));
        }
    }

    // Where the case goes.
    std::string to;
    if (!a->outcomes.empty()) {
        for (const auto& o : a->outcomes) {
            if (all_hold(o.when, s, fields)) {
                to = o.to;
                break;
            }
        }
        if (to.empty()) throw refused(a->label + "：所给的值不符合任何一种结果");
    } else {
        to = a->to;
    }
    const Step* target = to.empty() ? from : w.find_step(to);
    if (!target) throw refused("流程 " + w.category + " 的 " + a->id + " 指向不存在的步骤 " + to);

    LifecycleEvent lev = LifecycleEvent::Annotate;
    if (a->effect == Effect::Suspend) {
        lev = LifecycleEvent::Suspend;
    } else if (a->effect == Effect::Resume) {
        lev = LifecycleEvent::Resume;
    } else if (!to.empty()) {
        const auto mv = event_for_move(from->phase, target->phase);
        if (!mv)
            throw refused("案件阶段不能从" + std::string(phase_label(from->phase)) + "转到" +
                          std::string(phase_label(target->phase)));
        lev = *mv;
    }
    Lifecycle lifecycle(s.phase, s.suspended);
    const LifecycleResult res = lifecycle.fire(lev);
    if (!res.ok) throw refused("案件 " + s.id + " 现在不能" + a->label + "（" + a->id + "）：" + res.reason);

    Event e;
    e.case_id = s.id;
    e.action = a->id;
    e.at = r.at;
    e.actor = r.actor;
    data["from_step"] = from->id;
    data["to_step"] = target->id;
    data["from_phase"] = std::string(phase_name(from->phase));
    data["to_phase"] = std::string(phase_name(lifecycle.phase()));
    data["lifecycle"] = std::string(lifecycle_event_name(lev));
    data["effect"] = std::string(effect_name(a->effect));
    if (!r.departments.empty()) data["departments"] = r.departments;
    json set = json::object();
    for (const auto& [k, v] : given)
        set[k] = v;
    for (const auto& [k, v] : a->sets)
        set[k] = v;
    if (!set.empty()) data["set"] = set;
    if (!trim(r.note).empty()) data["note"] = r.note;
    e.data = data;
    return e;
}

std::vector<const Action*> possible_actions(const Workflow& w, const CaseState& s, Role role,
                                            const Calendar& calendar, Date on) {
    std::vector<const Action*> out;
    const Step* from = w.find_step(s.step);
    if (!from) return out;
    auto has_task = [&](std::initializer_list<TaskStatus> statuses) {
        for (const auto& t : s.tasks)
            if (std::find(statuses.begin(), statuses.end(), t.status) != statuses.end()) return true;
        return false;
    };
    for (const auto& a : w.actions) {
        if (!a.roles.empty() && role != Role::Supervisor &&
            std::find(a.roles.begin(), a.roles.end(), role) == a.roles.end())
            continue;
        if (!may_leave(a, *from)) continue;
        // The lifecycle move of every target the action may reach; one allowed one is enough.
        std::vector<std::string> targets;
        for (const auto& o : a.outcomes)
            targets.push_back(o.to);
        if (a.outcomes.empty()) targets.push_back(a.to);
        bool moves = false;
        for (const auto& to : targets) {
            const Step* target = to.empty() ? from : w.find_step(to);
            if (!target) continue;
            LifecycleEvent lev = LifecycleEvent::Annotate;
            if (a.effect == Effect::Suspend) {
                lev = LifecycleEvent::Suspend;
            } else if (a.effect == Effect::Resume) {
                lev = LifecycleEvent::Resume;
            } else if (!to.empty()) {
                const auto mv = event_for_move(from->phase, target->phase);
                if (!mv) continue;
                lev = *mv;
            }
            Lifecycle lifecycle(s.phase, s.suspended);
            if (lifecycle.fire(lev).ok) {
                moves = true;
                break;
            }
        }
        if (!moves) continue;
        bool effect_holds = true;
        switch (a.effect) {
            case Effect::Escalate: {
                const ClockView v = clock_at(s, on, calendar);
                effect_holds = !v.undecidable && v.overdue && s.escalation_level < kMaxEscalation;
                break;
            }
            case Effect::Extend: {
                const ClockView v = clock_at(s, on, calendar);
                effect_holds = !v.stopped && v.deadline && !v.overdue;
                break;
            }
            case Effect::Sign:
                effect_holds = has_task({TaskStatus::Dispatched});
                break;
            case Effect::Return:
            case Effect::Reply:
                effect_holds = has_task({TaskStatus::Dispatched, TaskStatus::Signed});
                break;
            default:
                break;
        }
        if (a.require_replies && has_task({TaskStatus::Dispatched, TaskStatus::Signed})) effect_holds = false;
        if (effect_holds) out.push_back(&a);
    }
    return out;
}

}  // namespace minsheng
