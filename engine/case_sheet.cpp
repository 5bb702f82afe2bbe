#include "engine/case_sheet.h"

#include "engine/calendar.h"
#include "engine/lifecycle.h"
#include "engine/names.h"
#include "engine/report_render.h"

namespace minsheng {

namespace {

using report::html_escape;

// What an event says in words: its note, the fields it set (by their Chinese names), the departments it
// named, the reporter.
std::string event_text(const Event& e, const CaseSheetLabels& labels) {
    std::string out;
    auto add = [&](const std::string& s) {
        if (!s.empty()) out += (out.empty() ? "" : "；") + s;
    };
    if (e.data.contains("reporter") && e.data["reporter"].is_object()) {
        const auto& r = e.data["reporter"];
        add(r.value("name", "") +
            (r.value("channel", "").empty() ? "" : "（" + r.value("channel", "") + "）"));
    }
    if (e.data.contains("departments") && e.data["departments"].is_array())
        for (const auto& d : e.data["departments"])
            if (d.is_string()) add(d.get<std::string>());
    if (e.data.contains("department") && e.data["department"].is_string())
        add(e.data["department"].get<std::string>());
    if (e.data.contains("set") && e.data["set"].is_object())
        for (const auto& [k, v] : e.data["set"].items()) {
            const std::string value = v.is_string() ? v.get<std::string>() : v.dump();
            add(field_label(k) + "：" + (labels.field_value ? labels.field_value(k, value) : value));
        }
    if (e.data.contains("note") && e.data["note"].is_string()) add(e.data["note"].get<std::string>());
    return out;
}

}  // namespace

std::string case_sheet_html(const CaseState& c, const ClockView& v, const CaseSheetLabels& labels,
                            const std::vector<Event>& history) {
    const bool closed = c.phase == Phase::Closed;
    const std::string title = closed ? "民生工作站办结单" : "民生工作站工单";
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + title + " " +
         html_escape(c.id) + "</title>\n<style>\n";
    h += "@page { size: A4; margin: 18mm 16mm; }\n"
         "body { font-family: 'FangSong', 'STFangsong', 'Noto Serif CJK SC', serif; font-size: 11pt; }\n"
         "h1 { text-align: center; font-family: 'SimHei', 'Noto Sans CJK SC', sans-serif; font-size: 20pt; "
         "letter-spacing: 0.2em; margin: 0 0 4mm; }\n"
         ".no { text-align: right; margin-bottom: 3mm; }\n"
         "table { width: 100%; border-collapse: collapse; margin-bottom: 4mm; }\n"
         "th, td { border: 1px solid #000; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }\n"
         "th { width: 18%; font-weight: bold; background: #f2f2f2; }\n"
         "tr { page-break-inside: avoid; }\n"
         ".sign { display: flex; justify-content: space-between; margin-top: 12mm; }\n"
         ".sign div { width: 45%; }\n"
         ".line { display: inline-block; min-width: 40mm; border-bottom: 1px solid #000; }\n"
         "</style></head><body>\n";
    h += "<h1>" + title + "</h1>\n";
    h += "<div class=\"no\">编号：" + html_escape(c.id) + "</div>\n<table>\n";
    auto row = [&](const std::string& k, const std::string& value) {
        h += "<tr><th>" + k + "</th><td colspan=\"3\">" + value + "</td></tr>\n";
    };
    auto pair = [&](const std::string& k1, const std::string& v1, const std::string& k2,
                    const std::string& v2) {
        h += "<tr><th>" + k1 + "</th><td>" + v1 + "</td><th>" + k2 + "</th><td>" + v2 + "</td></tr>\n";
    };
    static const Reporter none;
    const Reporter& first = c.reporters.empty() ? none : c.reporters.front();
    pair("类别", html_escape(labels.category_name), "受理时间", html_escape(minute_text(c.received_at)));
    row("地址", html_escape(c.address));
    row("问题描述", html_escape(c.summary));
    pair("反映人", html_escape(first.name), "联系电话", html_escape(first.phone));
    pair("反映渠道", html_escape(first.channel), "反映次数", std::to_string(c.report_count));
    if (c.reporters.size() > 1) {
        std::string others;
        for (std::size_t i = 1; i < c.reporters.size(); ++i) {
            const Reporter& r = c.reporters[i];
            others += (i > 1 ? "<br>" : "") +
                      html_escape(minute_text(r.at) + " " + r.name + " " + r.phone + " " + r.channel);
        }
        row("其他反映人", others);
    }
    pair("阶段", std::string(phase_label(c.phase)), "当前步骤", html_escape(labels.step_label));
    std::string deadline =
        v.deadline ? format_date(*v.deadline) + (v.deadline_provisional ? "（暂定）" : "") : "未定";
    std::string days;
    if (v.days_known && !v.stopped)
        days = v.overdue ? "超期 " + std::to_string(v.working_days_overdue) + " 个工作日"
                         : "剩余 " + std::to_string(v.working_days_left) + " 个工作日";
    pair("办理期限", html_escape(deadline), "时限", days);
    std::string tasks;
    for (const auto& t : c.tasks)
        tasks += (tasks.empty() ? "" : "<br>") + html_escape(t.department) + "（" +
                 std::string(task_status_label(t.status)) + "）";
    row("承办部门", tasks);
    if (auto it = c.fields.find("root_cause"); it != c.fields.end()) row("根本原因", html_escape(it->second));
    if (auto it = c.fields.find("satisfied"); it != c.fields.end()) {
        const std::string s = it->second == "yes"     ? "满意"
                              : it->second == "basic" ? "基本满意"
                              : it->second == "no"    ? "不满意"
                                                      : it->second;
        row("回访结果", html_escape(s));
    }
    if (c.escalation_level > 0) row("督办级别", std::string(escalation_name(c.escalation_level)));
    h += "</table>\n<table>\n<tr><th style=\"width:20%\">时间</th><th style=\"width:14%\">事项</th>"
         "<th style=\"width:14%\">经办人</th><th>内容</th></tr>\n";
    for (const auto& e : history)
        h += "<tr><td>" + html_escape(minute_text(e.at)) + "</td><td>" +
             html_escape(labels.action_label ? labels.action_label(e.action) : e.action) + "</td><td>" +
             html_escape(e.actor) + "</td><td>" + html_escape(event_text(e, labels)) + "</td></tr>\n";
    h += "</table>\n<div class=\"sign\">\n"
         "<div>承办人（签字）：<span class=\"line\"></span><br><br>日期：<span class=\"line\"></span></div>\n"
         "<div>督办（签字）：<span class=\"line\"></span><br><br>日期：<span class=\"line\"></span></div>\n"
         "</div>\n</body></html>\n";
    return h;
}

}  // namespace minsheng
