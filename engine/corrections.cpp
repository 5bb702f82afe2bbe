// The actions every workflow accepts, whatever its file says (SPEC Part 2 "Next steps, corrections,
// merging"): correct a mistyped value, revoke an action entered by mistake, merge a duplicate case into
// another. Each is an event of the log like any action; the fold is case.cpp's.
#include <algorithm>

#include "engine/error.h"
#include "engine/runtime.h"
#include "engine/text.h"

namespace minsheng {

using nlohmann::json;

namespace {

// The built-in actions' names for people: 更正, 撤销, 并案.
std::string builtin_label(const std::string& action) {
    if (action == "correct") return "更正";
    if (action == "revoke") return "撤销";
    if (action == "merge") return "并案";
    return action;
}

void require_note(const std::string& action, const ActionRequest& r) {
    if (trim(r.note).empty())
        throw refused(builtin_label(action) + "需要写明原因").with_cli_text(action + " 需要 --note 说明原因");
}

// SPEC deadline rule 8 and the order of the log, as for every action.
void check_time(const CaseState& s, const ActionRequest& r) {
    if (!r.latest_at.empty() && r.at > r.latest_at)
        throw refused("时间 " + r.at + " 在将来（晚于 " + r.latest_at + "）：只能填写已经发生的时间")
            .with_cli_text("时间 " + r.at + " 在将来（晚于 " + r.latest_at + "）：--at 只能是已经发生的时间");
    if (r.at < s.last_event_at)
        throw refused("时间 " + r.at + " 早于案件 " + s.id + " 的最近一条记录（" + s.last_event_at + "）")
            .with_cli_text("--at " + r.at + " 早于案件 " + s.id + " 的最近一条记录（" + s.last_event_at +
                           "）");
}

void no_extra_inputs(const std::string& action, const ActionRequest& r, bool sets_allowed) {
    if (!r.departments.empty()) throw refused("--department 被拒绝：" + action + " 不涉及部门");
    if (!sets_allowed && !r.sets.empty()) throw refused("--set 被拒绝：" + action + " 不接受任何 --set 字段");
    if (action != "merge" && !r.into.empty()) throw refused("--into 只用于 merge（并案）");
}

Event event_for(const CaseState& s, const std::string& action, const ActionRequest& r) {
    Event e;
    e.case_id = s.id;
    e.action = action;
    e.at = r.at;
    e.actor = r.actor;
    return e;
}

std::string join(const std::vector<std::string>& xs) {
    std::string out;
    for (const auto& x : xs)
        out += (out.empty() ? "" : "、") + x;
    return out;
}

}  // namespace

const std::vector<std::string>& builtin_actions() {
    static const std::vector<std::string> names = {"correct", "revoke", "merge"};
    return names;
}

bool is_builtin_action(std::string_view action) {
    const auto& b = builtin_actions();
    return std::find(b.begin(), b.end(), action) != b.end();
}

const std::vector<std::string>& correctable_fields() {
    static const std::vector<std::string> names = {"address", "summary", "reporter",
                                                   "phone",   "channel", "category"};
    return names;
}

Event decide_correct(const CaseState& s, const ActionRequest& r, const std::optional<WorkflowOpening>& cat) {
    if (s.phase == Phase::Merged) throw refused("案件 " + s.id + " 已并案，不能再更正");
    no_extra_inputs("correct", r, true);
    if (r.sets.empty())
        throw refused("correct 需要 --set FIELD=VALUE（可更正：" + join(correctable_fields()) + "）");
    require_note("correct", r);
    check_time(s, r);
    json set = json::object(), was = json::object();
    Event e = event_for(s, "correct", r);
    for (const auto& [field, raw] : r.sets) {
        const auto& ok = correctable_fields();
        if (std::find(ok.begin(), ok.end(), field) == ok.end())
            throw refused("--set " + field + " 被拒绝：correct 只能更正 " + join(ok));
        if (set.contains(field)) throw refused("--set " + field + " 给了两次");
        require_text(raw, field, field == "summary");
        const std::string value = trim(raw);
        std::string old;
        const Reporter* first = s.reporters.empty() ? nullptr : &s.reporters.front();
        if (field == "address") {
            if (value.empty()) throw refused("地址不能为空");
            old = s.address;
            e.data["address_key"] = normalize_address(value);
            e.data["address_fold"] = kAddressFoldVersion;
        } else if (field == "summary") {
            if (value.empty()) throw refused("问题描述不能为空");
            old = s.summary;
        } else if (field == "reporter") {
            old = first ? first->name : "";
        } else if (field == "phone") {
            old = first ? first->phone : "";
        } else if (field == "channel") {
            old = first ? first->channel : "";
        } else {  // category
            if (s.phase != Phase::Intake)
                throw refused("类别只能在受理阶段更正；案件 " + s.id + " 已在" +
                              std::string(phase_label(s.phase)) + "阶段");
            if (!cat || cat->category != value) throw refused("内部错误：未提供类别 " + value + " 的流程");
            old = s.category;
            e.data["workflow_version"] = cat->version;
            e.data["deadline_days"] = cat->deadline_days;
            e.data["step"] = cat->initial_step;
        }
        if (old == value) throw refused(field + " 已是 “" + value + "”，无需更正");
        set[field] = value;
        was[field] = old;
    }
    e.data["set"] = set;
    e.data["was"] = was;
    e.data["note"] = r.note;
    return e;
}

Event decide_revoke(const CaseState& s, const std::vector<Event>& events, const ActionRequest& r) {
    if (r.role != Role::Supervisor)
        throw not_allowed("撤销（revoke）只有督办可以做；" + r.actor + " 是协调员");
    if (s.phase == Phase::Merged) throw refused("案件 " + s.id + " 已并案，并案不能撤销");
    no_extra_inputs("revoke", r, false);
    require_note("revoke", r);
    check_time(s, r);
    const auto gone = revoked_seqs(events);
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        const Event& x = *it;
        if (x.action == "revoke" || x.action == "recompute" || x.revoked ||
            std::find(gone.begin(), gone.end(), x.seq) != gone.end())
            continue;
        if (x.action == "open")
            throw refused("案件 " + s.id +
                          " 已没有可撤销的操作（受理登记不能撤销；登记错误请用 correct 更正）");
        if (x.action == "merge-in")
            throw refused("案件 " + s.id + " 最近的操作是并案转入（第 " + std::to_string(x.seq) +
                          " 条），并案不能撤销");
        Event e = event_for(s, "revoke", r);
        e.data = {{"revokes", x.seq}, {"revoked_action", x.action}, {"revoked_at", x.at}, {"note", r.note}};
        return e;
    }
    throw refused("案件 " + s.id + " 没有可撤销的操作");
}

std::pair<Event, Event> decide_merge(const CaseState& from, const CaseState& into, const ActionRequest& r) {
    no_extra_inputs("merge", r, false);
    if (r.into.empty()) throw refused("并案需要目标案件编号").with_cli_text("merge 需要 --into 目标案件编号");
    if (from.id == into.id) throw refused("案件不能并入自身");
    for (const CaseState* c : {&from, &into})
        if (!is_open(c->phase))
            throw refused("并案要求两个案件都未办结；案件 " + c->id + " 处于" +
                          std::string(phase_label(c->phase)) + "阶段");
    require_note("merge", r);
    check_time(from, r);
    check_time(into, r);
    Event out = event_for(from, "merge", r);
    out.data = {{"into", into.id}, {"note", r.note}, {"report_count", from.report_count}};
    Event in = event_for(into, "merge-in", r);
    json reporters = json::array();
    for (const auto& rep : from.reporters) {
        // Each keeps its own words: the merged case's summary when the reporter had none of their own.
        const std::string said = rep.summary.empty() ? from.summary : rep.summary;
        json j = {{"name", rep.name}, {"phone", rep.phone}, {"channel", rep.channel}, {"at", rep.at}};
        if (said != into.summary) j["summary"] = said;
        reporters.push_back(j);
    }
    in.data = {{"from", from.id},
               {"note", r.note},
               {"reporters", reporters},
               {"report_count", from.report_count},
               {"address", from.address}};
    return {out, in};
}

}  // namespace minsheng
