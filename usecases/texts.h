// The station's words for people (SPEC Part 2 "Speaking the station's language"), in one place: the command
// line's help, table headers and messages, the human CSVs' headers, and the words for phases, clocks, tasks
// and yes/no. The web workspace shows the same words by using this module (or the catalog it serves from it).
// Ids appear in people's output only where a user must type them (case ids). Output for programs (--json)
// keeps SPEC's keys and ids and never comes from here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/case.h"
#include "engine/workflow.h"

namespace minsheng::texts {

// The help line of a command or option, by key: "case.open", "case.open.--category", "global.--db" … An
// unknown key is a programming error and returns the key itself (a test checks every key used has a text).
std::string help(std::string_view key);
// Every help key with its text, for the catalog the web workspace serves and for tests.
const std::vector<std::pair<std::string_view, std::string_view>>& help_catalog();

// The CLI11 help screen's own labels (Usage, OPTIONS, REQUIRED …) in Chinese: {CLI11 label, ours}.
const std::vector<std::pair<std::string_view, std::string_view>>& help_labels();

std::string yes_no(bool b);  // 是 / 否
// The phase by its label, with 挂起 when suspended: "办理（挂起）".
std::string phase_text(Phase p, bool suspended);
std::string task_status_text(TaskStatus s);  // 已派单, 已签收, 已退单, 已回复
std::string escalation_text(int level);      // 未督办, 催办, 督办, 通报

// The clock in words: "2026-07-14", "2027-01-14（暂定）", "—" (none), "未知".
std::string deadline_text(const ClockView& v);
// "剩余 3 个工作日", "超期 2 个工作日", "已办结，提前 9 个工作日", "超期 4 个工作日办结", "不予受理，不计时".
std::string clock_text(const CaseState& c, const ClockView& v);

// The one line every empty answer prints.
inline constexpr std::string_view kNoCases = "没有符合条件的案件";
inline constexpr std::string_view kNoEvents = "没有记录";

// The words for the events no workflow defines: those every case has (登记, 重复反映, 期限重算, 更正, 撤销,
// 并案) and the station's own (添加人员, 设置密码); nothing for a workflow's action.
std::optional<std::string> builtin_event_label(const std::string& action);
// An action's label in `w` ("派单/转办"), or builtin_event_label; the id itself only for an action the
// workflow does not know.
std::string action_label(const Workflow& w, const std::string& action);
// A workflow version as people name it, its id beside the name (what --category accepts besides the name):
// 流程「排水/下水道」（drainage）第 2 版.
std::string workflow_title(const std::string& name, const std::string& category, int version);
// A field's value as people read it: the choice's label when an action labels it (satisfied=yes -> 满意),
// else yes/no as 是/否 (elderly=yes -> 是), else the value as given.
std::string field_value_text(const Workflow& w, const std::string& field, const std::string& value);

// One row of `case history` (SPEC Part 2): time (with 补录 when recorded more than a day after), action
// label, who, and what changed, in words: fields by their Chinese names (field_label), choices by their
// labels, a corrected category by its name when `category_names` (id -> name) is given.
struct HistoryRow {
    std::string time, action, actor, change;
};
HistoryRow history_row(const Workflow& w, const Event& e,
                       const std::map<std::string, std::string>* category_names = nullptr);

// "（补录于 2025-06-01 10:00）" for an event recorded more than a day after its time, else "".
std::string recorded_late_note(const Event& e);

// Headers of the human CSVs.
const std::vector<std::string>& overdue_csv_header();  // audit overdue --format csv

}  // namespace minsheng::texts
