// The station's words for people (see texts.h).
#include "usecases/texts.h"

#include <algorithm>
#include <filesystem>

#include "engine/names.h"
#include "engine/text.h"

namespace minsheng::texts {

namespace {

using Entry = std::pair<std::string_view, std::string_view>;

const std::vector<Entry> kHelp = {
    {"app", "minsheng —— 民生工作站案件办理系统：登记群众反映、派单督办、回访办结、年终统计"},
    {"global.--help", "显示帮助后退出"},
    {"global.--help-all", "显示所有命令及其选项"},
    {"global.--db", "数据库文件（默认 $MINSHENG_DB，否则 ./minsheng.db）"},
    {"global.--as", "经办人姓名（默认 $MINSHENG_ACTOR）"},
    {"global.--today", "参照日期 YYYY-MM-DD（默认 $MINSHENG_TODAY，否则北京时间今天）"},
    {"global.--json", "输出供程序读取的 JSON"},
    {"init", "新建数据库，载入随附的办理流程和工作日历"},
    {"init.--workflows", "改用此文件夹中的流程 YAML 文件"},
    {"init.--calendar", "改用此日历 YAML 文件"},
    {"init.--supervisor", "第一位督办（默认：--as 所指的人）"},
    {"staff", "工作人员及其角色"},
    {"staff.passwd", "设置网页工作台的登录密码（督办可为任何人设置，其他人只能设置自己的）"},
    {"staff.passwd.NAME", "姓名"},
    {"staff.passwd.--password-stdin", "从标准输入的第一行读取密码"},
    {"serve", "启动网页工作台及其 JSON 接口，直到收到 SIGINT/SIGTERM"},
    {"serve.--listen", "监听地址 ADDR:PORT（默认 127.0.0.1:8311）"},
    {"serve.--behind-tls", "服务器位于 TLS 反向代理之后：会话 Cookie 加 Secure"},
    {"serve.--session-idle", "会话空闲多少秒后失效（默认 7200）"},
    {"staff.add", "登记工作人员（仅督办）"},
    {"staff.add.NAME", "姓名"},
    {"staff.add.--role", "角色：协调员（coordinator）或 督办（supervisor）"},
    {"staff.add.--department", "所在部门"},
    {"workflow", "办理流程文件"},
    {"workflow.check", "检查流程文件（不需要数据库）"},
    {"workflow.check.FILE", "流程 YAML 文件"},
    {"workflow.list", "各类别的流程版本和办理时限"},
    {"workflow.load", "把流程文件（一个文件或一个文件夹）载入数据库（仅督办）"},
    {"workflow.load.PATH", "流程文件或其所在文件夹"},
    {"case", "案件"},
    {"case.open", "登记群众反映（同址同类未办结的案件并入为重复反映）"},
    {"case.open.--category", "类别：编号或名称，如 排水、道路（见 workflow list）"},
    {"case.open.--address", "问题地点"},
    {"case.open.--summary", "问题描述"},
    {"case.open.--reporter", "反映人"},
    {"case.open.--phone", "反映人电话"},
    {"case.open.--channel", "反映渠道（来电、来访、网格员 …）"},
    {"case.open.--at", "受理时间（默认：现在）"},
    {"case.open.--new", "即使同址有未办结的案件也另立新案"},
    {"case.show", "一个案件的详情和办理经过"},
    {"case.show.--format", "text（默认）或 html（可打印的 A4 工单/办结单）"},
    {"case.show.--out", "写入文件，而不是输出到屏幕"},
    {"case.ID", "案件编号，如 2025-0001"},
    {"case.list", "符合条件的案件，受理早的在前（条件可组合）"},
    {"case.list.--phase", "阶段：受理、办理、待回访、办结、不予受理"},
    {"case.list.--category", "类别：编号或名称，如 排水"},
    {"case.list.--department", "涉及的部门"},
    {"case.list.--overdue", "只列今天已超期的案件"},
    {"case.list.--search", "查找：编号、地址、问题描述、反映人姓名或电话中含有此文字"},
    {"case.list.--reporter", "反映人姓名（含有此文字）"},
    {"case.list.--phone", "反映人电话（分隔符可有可无）"},
    {"case.list.--mine", "只列我经办过的案件"},
    {"case.list.--typical", "只列典型事例"},
    {"case.list.--from", "受理日期不早于 YYYY-MM-DD"},
    {"case.list.--to", "受理日期不晚于 YYYY-MM-DD"},
    {"case.do", "办理案件：不写动作时列出现在可做的动作"},
    {"case.do.ACTION", "动作：编号或名称，如 派单、办理完毕、回访（不写则列出可做的动作）"},
    {"case.do.--department", "部门（可多次给出）"},
    {"case.do.--set", "字段 KEY=VALUE（可多次给出），如 satisfied=满意"},
    {"case.do.--note", "说明、理由或回复内容"},
    {"case.do.--into", "并案（merge）时：并入的案件编号"},
    {"case.do.--at", "发生时间（默认：现在；不早于该案最近一次记录）"},
    {"case.history", "一个案件的办理经过，早的在前"},
    {"import", "从台账 CSV 批量登记（整份文件要么全部登记，要么全不登记）"},
    {"import.FILE", "CSV 文件（首行为表头；受理时间、类别、地址、问题描述必填）"},
    {"import.--encoding", "utf-8（默认）或 gbk（Excel、WPS 中文版另存的 GBK/GB18030）"},
    {"import.--dry-run", "只检查文件，逐行列出会新建案件还是并入哪个案件，不写入"},
    {"import.--ignore-unknown", "跳过台账中不认识的列"},
    {"export", "导出全部案件：台账 CSV（带 BOM 的 UTF-8，Excel 可直接打开）、xlsx，或 JSON"},
    {"export.--format", "csv（默认）、xlsx 或 json"},
    {"export.--out", "写入文件（普通文件），而不是输出到屏幕"},
    {"audit", "督办查看"},
    {"audit.verify", "核验办理记录是否完整未被改动"},
    {"audit.overdue", "某日日终超期的案件，超期最久的在前"},
    {"audit.overdue.--as-of", "日期（默认：今天）"},
    {"audit.overdue.--format", "table（表格，默认）、csv 或 json"},
    {"audit.due-soon", "剩余工作日不多的在办案件"},
    {"audit.due-soon.--within", "剩余工作日不超过几天（默认 3）"},
    {"report", "典型事例和年度统计"},
    {"report.typical", "督办标记的典型事例（case do ID 标记典型）成文；姓名电话已隐去"},
    {"report.typical.ID", "案件编号"},
    {"report.typical.--format", "md（默认）、html 或 docx（Word 文件，经 pandoc 生成）"},
    {"report.--out", "写入此文件，而不是输出到屏幕"},
    {"report.annual", "年度统计，附当年典型事例全文"},
    {"report.annual.--year", "年份，如 2023"},
    {"report.annual.--format",
     "md（默认）、html、csv、json（也可用 --json）或 docx（Word 文件，经 pandoc 生成）"},
    {"calendar", "工作日历"},
    {"calendar.add", "DATE 之后第 N 个工作日"},
    {"calendar.DATE", "日期 YYYY-MM-DD"},
    {"calendar.add.N", "工作日数"},
    {"calendar.info", "DATE 是否工作日"},
    {"calendar.load", "从 YAML 文件载入某年放假安排（国务院通知取代暂定日历）"},
    {"calendar.load.FILE", "日历 YAML 文件"},
    {"calendar.provisional", "为尚未公布的年份设暂定日历：法定节假日及补假，不含调休（仅督办）"},
    {"calendar.provisional.YEAR", "年份，如 2027"},
    {"calendar.list", "日历覆盖的年份：正式或暂定"},
};

const std::vector<Entry> kLabels = {
    {"Usage", "用法"},       {"OPTIONS", "选项"},      {"SUBCOMMAND", "命令"}, {"SUBCOMMANDS", "命令"},
    {"Positionals", "参数"}, {"REQUIRED", "（必填）"}, {"TEXT", "文字"},       {"INT", "整数"},
    {"UINT", "整数"},        {"Subcommands", "命令"},  {"Env", "环境变量"},    {"Needs", "需要"},
    {"Excludes", "不能与"},  {"FLOAT", "数"},
};

}  // namespace

std::string help(std::string_view key) {
    for (const auto& [k, v] : kHelp)
        if (k == key) return std::string(v);
    return std::string(key);
}

const std::vector<std::pair<std::string_view, std::string_view>>& help_catalog() {
    return kHelp;
}

const std::vector<std::pair<std::string_view, std::string_view>>& help_labels() {
    return kLabels;
}

std::string yes_no(bool b) {
    return b ? "是" : "否";
}

std::string phase_text(Phase p, bool suspended) {
    return std::string(phase_label(p)) + (suspended ? "（挂起）" : "");
}

std::string task_status_text(TaskStatus s) {
    return std::string(task_status_label(s));
}

std::string escalation_text(int level) {
    return level == 0 ? "未督办" : std::string(escalation_name(level));
}

std::string deadline_text(const ClockView& v) {
    if (!v.deadline) return v.complete() ? "—" : "未知";
    return format_date(*v.deadline) + (v.deadline_provisional ? "（暂定）" : "");
}

std::string clock_text(const CaseState& c, const ClockView& v) {
    if (c.phase == Phase::Rejected) return "不予受理，不计时";
    if (!v.deadline) return v.complete() ? "—" : "未知";
    if (!v.days_known) return v.overdue ? "超期（天数未知）" : "未知";
    if (v.stopped) {
        const int left = v.working_days_left;
        if (left > 0) return "已办结，提前 " + std::to_string(left) + " 个工作日";
        if (left == 0) return "已办结，期限当日办结";
        return "超期 " + std::to_string(-left) + " 个工作日办结";
    }
    if (v.overdue) return "超期 " + std::to_string(v.working_days_overdue) + " 个工作日";
    return "剩余 " + std::to_string(v.working_days_left) + " 个工作日";
}

const std::vector<std::string>& overdue_csv_header() {
    static const std::vector<std::string> h = {"案件编号", "类别",       "阶段",     "地址", "受理时间",
                                               "办理期限", "超期工作日", "督办等级", "部门"};
    return h;
}

std::optional<std::string> builtin_event_label(const std::string& action) {
    if (action == "open") return "登记";
    if (action == "report") return "重复反映";
    if (action == "recompute") return "期限重算";
    if (action == "correct") return "更正";
    if (action == "revoke") return "撤销";
    if (action == "merge" || action == "merge-in") return "并案";
    if (action == "staff-add") return "添加人员";
    if (action == "staff-passwd") return "设置密码";
    return std::nullopt;
}

std::string action_label(const Workflow& w, const std::string& action) {
    if (auto label = builtin_event_label(action)) return *label;
    if (const Action* a = w.find_action(action)) return a->label;
    return action;
}

std::string field_value_text(const Workflow& w, const std::string& field, const std::string& value) {
    for (const auto& a : w.actions) {
        auto labels = a.choice_labels.find(field);
        if (labels == a.choice_labels.end()) continue;
        auto it = labels->second.find(value);
        if (it != labels->second.end()) return it->second;
    }
    if (value == "yes") return yes_no(true);
    if (value == "no") return yes_no(false);
    return value;
}

std::string workflow_title(const std::string& name, const std::string& category, int version) {
    return "流程「" + name + "」（" + category + "）第 " + std::to_string(version) + " 版";
}

std::string recorded_late_note(const Event& e) {
    if (!recorded_late(e)) return "";
    return "（补录于 " + minute_text(e.recorded_at) + "）";
}

namespace {

using nlohmann::json;

std::string text_of(const json& data, const char* key) {
    return data.contains(key) && data[key].is_string() ? data[key].get<std::string>() : "";
}

std::string step_text(const Workflow& w, const std::string& step) {
    const Step* s = w.find_step(step);
    return s ? s->label : step;
}

// What a `recompute` event says: each round whose deadline or verdict the calendar load changed.
std::string recompute_text(const json& data) {
    auto deadline = [](const json& r) {
        std::string t =
            r.value("deadline", json(nullptr)).is_string() ? r["deadline"].get<std::string>() : "未知";
        if (r.value("provisional", false)) t += "（暂定）";
        if (r.contains("on_time") && r["on_time"].is_boolean())
            t += r["on_time"].get<bool>() ? " 按时" : " 超时";
        return t;
    };
    const std::string source = text_of(data, "source");
    std::string out =
        source == "provisional"
            ? std::string("办理期限重算（暂定日历）：")
            : "办理期限重算（载入 " + std::filesystem::path(source).filename().string() + "）：";
    const json before = data.value("before", json::array()), after = data.value("after", json::array());
    for (size_t i = 0; i < after.size(); ++i) {
        const std::string now = deadline(after[i]);
        const std::string was = i < before.size() ? deadline(before[i]) : "—";
        if (was == now) continue;
        if (after.size() > 1) out += "第" + std::to_string(i + 1) + "轮 ";
        out += was + " → " + now + "；";
    }
    if (!out.empty() && out.compare(out.size() - 3, 3, "；") == 0) out.resize(out.size() - 3);
    return out;
}

// What a correct, revoke or merge event says; "" for any other event.
std::string correction_text(const Workflow& w, const Event& e,
                            const std::map<std::string, std::string>* category_names) {
    const std::string note = text_of(e.data, "note");
    const std::string why = note.empty() ? "" : "（" + note + "）";
    if (e.action == "correct") {
        std::string out = "更正 ";
        const json was = e.data.value("was", json::object());
        const json set = e.data.value("set", json::object());
        auto value = [&](const std::string& field, std::string v) {
            if (field == "category" && category_names)
                if (auto it = category_names->find(v); it != category_names->end()) return it->second;
            return v;
        };
        for (const auto& [k, v] : set.items())
            out += field_label(k) + "：" + value(k, text_of(was, k.c_str())) + " → " +
                   value(k, v.is_string() ? v.get<std::string>() : "") + "；";
        return out + why;
    }
    if (e.action == "revoke")
        return "撤销第 " + std::to_string(e.data.value("revokes", 0)) + " 条（" +
               action_label(w, text_of(e.data, "revoked_action")) + "）" + why;
    if (e.action == "merge") return "并案：并入案件 " + text_of(e.data, "into") + why;
    if (e.action == "merge-in")
        return "并案：案件 " + text_of(e.data, "from") + " 并入本案（" +
               std::to_string(e.data.value("report_count", 0)) + " 次反映）" + why;
    return "";
}

}  // namespace

HistoryRow history_row(const Workflow& w, const Event& e,
                       const std::map<std::string, std::string>* category_names) {
    HistoryRow row;
    row.time = minute_text(e.at) + recorded_late_note(e);
    row.action = action_label(w, e.action) + (e.revoked ? "（已撤销）" : "");
    row.actor = e.actor;
    std::vector<std::string> parts;
    const json& d = e.data;
    if (e.action == "recompute") {
        row.change = recompute_text(d);
        return row;
    }
    if (const std::string c = correction_text(w, e, category_names); !c.empty()) {
        row.change = c;
        return row;
    }
    if (e.action == "open" || e.action == "report") {
        const json r = d.value("reporter", json::object());
        std::string who = r.value("name", "");
        if (!r.value("phone", "").empty()) who += (who.empty() ? "" : " ") + r.value("phone", "");
        if (!r.value("channel", "").empty()) who += "（" + r.value("channel", "") + "）";
        if (!who.empty()) parts.push_back("反映人 " + who);
        if (e.action == "open") {
            if (!text_of(d, "address").empty()) parts.push_back("地址 " + text_of(d, "address"));
            if (!text_of(d, "summary").empty()) parts.push_back(text_of(d, "summary"));
        } else if (!r.value("summary", "").empty()) {
            parts.push_back(r.value("summary", ""));
        }
    }
    const std::string from = text_of(d, "from_step"), to = text_of(d, "to_step");
    if (!from.empty() && !to.empty() && from != to)
        parts.push_back(step_text(w, from) + " → " + step_text(w, to));
    if (d.contains("departments") && d["departments"].is_array()) {
        std::string deps;
        for (const auto& x : d["departments"])
            if (x.is_string()) deps += (deps.empty() ? "" : "、") + x.get<std::string>();
        if (!deps.empty()) parts.push_back("部门 " + deps);
    }
    if (d.contains("set") && d["set"].is_object())
        for (const auto& [k, v] : d["set"].items())
            if (v.is_string())
                parts.push_back(field_label(k) + "：" + field_value_text(w, k, v.get<std::string>()));
    if (!text_of(d, "level_name").empty()) parts.push_back("督办等级 " + text_of(d, "level_name"));
    if (d.contains("days") && d["days"].is_number_integer())
        parts.push_back("延期 " + std::to_string(d["days"].get<int>()) + " 个工作日");
    if (!text_of(d, "note").empty()) parts.push_back("说明：" + text_of(d, "note"));
    for (const auto& p : parts)
        row.change += (row.change.empty() ? "" : "；") + p;
    return row;
}

}  // namespace minsheng::texts
