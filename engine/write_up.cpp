// Typical-case write-ups: a case's template values (masked) and the write-up rendered from its workflow's
// template (see write_up.h).
#include "engine/write_up.h"

#include <algorithm>
#include <cstddef>
#include <sstream>

#include "engine/masking.h"
#include "engine/outcome.h"
#include "engine/text.h"

namespace minsheng::report {

using nlohmann::json;

const char* const kDefaultWriteUp =
    "收集到群众{{#repeated}}{{report_times}}{{/repeated}}反映{{address}}{{summary}}"
    "{{#other_difficulties}}，{{other_difficulties}}{{/other_difficulties}}。\n"
    "民生工作站{{received_date}}接报后，{{#dispatched}}于{{first_dispatch_date}}联系{{departments}}办理{{/"
    "dispatched}}"
    "{{#handling}}，{{handling}}{{/handling}}。\n"
    "{{#resolved}}{{#resolution}}{{resolution}}。{{/"
    "resolution}}{{#root_cause}}问题的根本原因：{{root_cause}}。"
    "{{/root_cause}}从受理到办结用时{{working_days}}个工作日（时限{{deadline_days}}个工作日）。{{/resolved}}"
    "{{^resolved}}目前该案{{status}}。{{/resolved}}\n"
    "\n"
    "{{#visited}}回访情况：{{visit_result}}。{{/visited}}\n";

std::string chinese_date(Date d) {
    return std::to_string(static_cast<int>(d.year())) + "年" + std::to_string(static_cast<int>(d.month())) +
           "月" + std::to_string(static_cast<int>(d.day())) + "日";
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Drops sentence-ending punctuation so a template decides how a value ends.
std::string strip_end_punct(std::string s) {
    static const std::vector<std::string> punct = {"。", "；", "，", "、", "：", ".",
                                                   ";",  ",",  ":",  "！", "!"};
    bool again = true;
    while (again && !s.empty()) {
        again = false;
        s = trim(s);
        for (const auto& p : punct) {
            if (ends_with(s, p)) {
                s.erase(s.size() - p.size());
                again = true;
                break;
            }
        }
    }
    return s;
}

// Line breaks, with the white space around them, become one space.
std::string one_line(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\r' && s[i] != '\n') {
            out += s[i];
            continue;
        }
        while (!out.empty() && (out.back() == ' ' || out.back() == '\t'))
            out.pop_back();
        while (i + 1 < s.size() && std::string_view("\r\n \t").find(s[i + 1]) != std::string_view::npos)
            ++i;
        if (!out.empty()) out += ' ';
    }
    return out;
}

bool is_yes(const std::map<std::string, std::string>& fields, const std::string& key) {
    auto it = fields.find(key);
    if (it == fields.end()) return false;
    const std::string v = trim(it->second);
    return v == "yes" || v == "是" || v == "true" || v == "1" || v == "y";
}

std::string flag(bool b) {
    return b ? "是" : "";
}

std::string status_text(const CaseState& c) {
    std::string s;
    switch (c.phase) {
        case Phase::Intake:
            s = "已受理，待派单";
            break;
        case Phase::Coordination:
            s = "正在办理中";
            break;
        case Phase::FollowUp:
            s = "已办结，待回访";
            break;
        case Phase::Closed:
            s = "已办结";
            break;
        case Phase::Rejected:
            s = "不予受理";
            break;
        case Phase::Merged:
            s = "已与同一问题的其他案件并案办理";
            break;
    }
    if (c.suspended) s += "（挂起）";
    return s;
}

bool is_han(std::string_view cp) {
    // CJK Unified Ideographs (U+4E00–U+9FFF): three bytes, E4 B8 80 to E9 BF BF.
    if (cp.size() != 3) return false;
    const auto b = static_cast<unsigned char>(cp[0]);
    return b >= 0xE4 && b <= 0xE9;
}

// A run of two to six Chinese characters written twice in a row where two template values meet ("车棚" +
// "车棚顶上" → "车棚车棚顶上") is said once. Single characters are left alone: 常常, 看看 are words.
std::string without_stutter(const std::string& text) {
    const auto cps = code_points(text);
    std::vector<std::string_view> out;
    for (size_t i = 0; i < cps.size();) {
        size_t skip = 0;
        for (size_t n = 6; n >= 2 && !skip; --n) {
            if (i + 2 * n > cps.size()) continue;
            bool same = true;
            for (size_t k = 0; k < n && same; ++k)
                same = is_han(cps[i + k]) && cps[i + k] == cps[i + n + k];
            if (same) skip = n;
        }
        // Said once: the first copy is kept, the second dropped.
        for (size_t k = 0; k < skip; ++k)
            out.push_back(cps[i + k]);
        i += 2 * skip;
        if (!skip) out.push_back(cps[i++]);
    }
    std::string joined;
    for (auto cp : out)
        joined += cp;
    return joined;
}

// Consecutive non-blank lines form a paragraph; punctuation left doubled by empty values is tidied.
std::vector<std::string> paragraphs_of(const std::string& text, const Masker& mask) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        std::string p = cur;
        static const std::vector<std::pair<std::string, std::string>> tidy = {
            {"，。", "。"},
            {"。。", "。"},
            {"；。", "。"},
            {"，，", "，"},
            {"：。", "。"},
            {"。，", "。"},
            {"（）", ""},
            {"，；", "；"},
            {"；；", "；"},
            // "经" + a resolution the coordinator wrote as "已疏通" reads "经已疏通".
            {"经已", "经"}};
        for (bool changed = true; changed;) {
            changed = false;
            for (const auto& [from, to] : tidy) {
                for (size_t at = p.find(from); at != std::string::npos; at = p.find(from, at)) {
                    p.replace(at, from.size(), to);
                    changed = true;
                }
            }
        }
        while (starts_with(p, "，") || starts_with(p, "。") || starts_with(p, "；"))
            p.erase(0, 3);
        p = without_stutter(trim(p));
        if (!p.empty()) out.push_back(mask(p));
        cur.clear();
    };
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const std::string l = trim(line);
        if (l.empty())
            flush();
        else
            cur += l;
    }
    flush();
    return out;
}

// write_up_values, with the case's masker made by the caller (make_write_up masks with it again).
TemplateValues values_masked(const CaseState& c, const std::vector<Event>& events, const Workflow& w,
                             const Calendar& cal, const Masker& mask) {
    // Resident text is one line in a write-up: its line breaks and blank lines would otherwise split the
    // template's paragraphs (and, in Markdown, start lists, rules and headings).
    auto text = [&](const std::string& s) { return strip_end_punct(mask(trim(one_line(s)))); };
    TemplateValues v;
    v["id"] = c.id;
    v["category"] = c.category;
    v["category_name"] = w.name.empty() ? c.category : w.name;
    v["address"] = text(c.address);
    v["summary"] = text(c.summary);
    const Date received = date_of(c.received_at);
    v["received_date"] = chinese_date(received);
    v["report_count"] = std::to_string(c.report_count);
    v["repeat_count"] = std::to_string(c.repeat_count());
    v["repeated"] = flag(c.report_count > 1);
    v["report_times"] = c.report_count >= 3 ? "多次" : c.report_count == 2 ? "两次" : "";

    std::vector<std::string> reporters, channels;
    for (const auto& r : c.reporters) {
        const std::string n = shown_name(r.name);
        if (!n.empty() && std::find(reporters.begin(), reporters.end(), n) == reporters.end())
            reporters.push_back(n);
        const std::string ch = text(r.channel);
        if (!ch.empty() && std::find(channels.begin(), channels.end(), ch) == channels.end())
            channels.push_back(ch);
    }
    v["reporter"] = reporters.empty() ? "" : reporters.front();
    v["reporters"] = join_nonempty(reporters, "、");
    v["channels"] = join_nonempty(channels, "、");

    // Difficulties: what the coordinator wrote, and what follows from the case.
    const bool elderly = is_yes(c.fields, "elderly"), no_property = is_yes(c.fields, "no_property"),
               hukou = is_yes(c.fields, "hukou_elsewhere");
    std::vector<std::string> difficulties;
    auto add_difficulty = [&](const std::string& d) {
        if (!d.empty() && std::find(difficulties.begin(), difficulties.end(), d) == difficulties.end())
            difficulties.push_back(d);
    };
    const std::string kRepeated = "多次反映";
    if (c.report_count > 1) add_difficulty(kRepeated);
    if (auto it = c.fields.find("difficulties"); it != c.fields.end())
        for (const auto& d : split_list(it->second))
            add_difficulty(text(d));
    if (c.reopen_count > 0) add_difficulty("多次维修未彻底解决");
    if (no_property) add_difficulty("无物业");
    if (elderly) add_difficulty("老年人居多");
    if (hukou) add_difficulty("人户分离");
    v["difficulties"] = join_nonempty(difficulties, "，");
    difficulties.erase(std::remove(difficulties.begin(), difficulties.end(), kRepeated), difficulties.end());
    v["other_difficulties"] = join_nonempty(difficulties, "，");
    v["elderly"] = flag(elderly);
    v["no_property"] = flag(no_property);
    v["hukou_elsewhere"] = flag(hukou);
    v["reopened"] = flag(c.reopen_count > 0);
    v["reopen_count"] = std::to_string(c.reopen_count);

    // Departments: lead (牵头) and co-departments (配合); returned tasks (退单) are not theirs.
    std::vector<std::string> departments, co, detail;
    std::string lead;
    for (const auto& t : c.tasks)
        if (t.status != TaskStatus::Returned && t.lead && lead.empty()) lead = t.department;
    for (const auto& t : c.tasks) {
        if (t.status == TaskStatus::Returned) continue;
        departments.push_back(t.department);
        if (lead.empty()) lead = t.department;
        if (t.department != lead) co.push_back(t.department);
    }
    for (const auto& d : departments)
        detail.push_back(d + (d == lead ? "（牵头）" : "（配合）"));
    v["departments"] = join_nonempty(departments, "、");
    v["lead_department"] = lead;
    v["co_departments"] = join_nonempty(co, "、");
    v["departments_detail"] = join_nonempty(detail, "、");
    v["dispatched"] = flag(!c.first_dispatched_at.empty());
    if (!c.first_dispatched_at.empty()) {
        const Date d = date_of(c.first_dispatched_at);
        v["first_dispatch_date"] = chinese_date(d);
        v["dispatched_promptly"] = flag(cal.working_days_between(received, d) <= 1);
    }

    // What was done, in order; the visits; the exception. The last resolve of a resolved case is its
    // resolution; an earlier one (followed by a reopening) is told as part of the handling.
    struct Item {
        std::string text;
        bool resolve = false;
    };
    std::vector<Item> items;
    std::vector<std::string> visits;
    std::string last_visit, exception, exception_date;
    bool last_satisfied = false;
    for (const Event& e : events) {
        // A revoked action counts nowhere (SPEC Part 2); corrections and merges change the case, not its
        // story.
        if (e.revoked || e.action == "open" || e.action == "report" || e.action == "revoke" ||
            e.action == "correct" || e.action == "merge" || e.action == "merge-in")
            continue;
        const std::string effect = json_text(e.data, "effect"), lifecycle = json_text(e.data, "lifecycle");
        const std::string note = text(json_text(e.data, "note"));
        const json set = e.data.value("set", json::object());
        if (effect == "reply") {
            for (const auto& d : e.data.value("departments", json::array()))
                items.push_back({d.get<std::string>() + (note.empty() ? "已回复" : "反馈：" + note)});
        } else if (lifecycle == "resolve") {
            items.push_back({note, true});
        } else if (lifecycle == "unsatisfied") {
            items.push_back({"回访群众不满意，重新办理"});  // the visit's note is told with visit_result
        } else if (lifecycle == "reopen") {
            items.push_back({"经督办重新办理" + (note.empty() ? "" : "：" + note)});
        } else if (effect == "escalate") {
            // An escalation is part of the story: a case that needed a 通报 did not go smoothly.
            const int level = e.data.value("level", 0);
            const std::string what = level >= 3   ? "因办理超期被通报"
                                     : level == 2 ? "因办理超期列入督办"
                                                  : "因办理超期经督办催办";
            items.push_back({what + (note.empty() ? "" : "：" + note)});
        } else if (lifecycle == "work" && effect == "none") {
            const Action* a = w.find_action(e.action);
            std::vector<std::string> parts;
            if (a)
                for (const auto& need : a->requires_)
                    if (need != "department" && need != "note" && set.contains(need) && set[need].is_string())
                        parts.push_back(text(set[need].get<std::string>()));
            parts.push_back(note);
            const std::string what = join_nonempty(parts, "，");
            if (!what.empty())
                items.push_back({(a && !a->label.empty() ? a->label : e.action) + "：" + what});
        }
        if (is_visit(e) && set.contains("satisfied") && set["satisfied"].is_string()) {
            const std::string answer = set["satisfied"].get<std::string>();
            const bool yes = answer == "yes" || answer == "basic";  // 基本满意 closes the case like 满意
            last_visit = chinese_date(date_of(e.at));
            last_satisfied = yes;
            visits.push_back(last_visit + "回访，群众表示" +
                             (answer == "basic" ? "基本满意"
                              : yes             ? "满意"
                                                : "不满意，重新办理") +
                             (note.empty() ? "" : "（" + note + "）"));
        }
        if (set.contains("exception_approved") && set["exception_approved"] == "yes") {
            exception = note;
            exception_date = chinese_date(date_of(e.at));
        }
    }
    std::ptrdiff_t final_resolve = -1;
    if (c.resolved_on)
        for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(items.size()) - 1; i >= 0; --i)
            if (items[static_cast<size_t>(i)].resolve) {
                final_resolve = i;
                break;
            }
    std::vector<std::string> all, handling;
    std::string resolution;
    for (size_t i = 0; i < items.size(); ++i) {
        const Item& it = items[i];
        if (static_cast<std::ptrdiff_t>(i) == final_resolve) {
            resolution = it.text;
            all.push_back(it.text);
            continue;
        }
        const std::string t = it.resolve ? (it.text.empty() ? "" : it.text + "后办结") : it.text;
        all.push_back(t);
        handling.push_back(t);
    }
    v["actions_taken"] = join_nonempty(all, "；");
    v["handling"] = join_nonempty(handling, "；");
    v["resolution"] = resolution;
    v["visited"] = flag(!visits.empty());
    v["visit_date"] = last_visit;
    v["satisfied"] = flag(!visits.empty() && last_satisfied);
    v["visit_result"] = join_nonempty(visits, "；");
    v["exception_approved"] = flag(is_yes(c.fields, "exception_approved"));
    v["exception"] = is_yes(c.fields, "exception_approved") ? exception : "";
    v["exception_date"] = is_yes(c.fields, "exception_approved") ? exception_date : "";

    auto rc = c.fields.find("root_cause");
    v["root_cause"] = rc == c.fields.end() ? "" : text(rc->second);
    v["resolved"] = flag(c.resolved_on.has_value());
    v["deadline_days"] = std::to_string(c.deadline_days);
    v["rounds"] = "";
    v["round_days"] = "";
    if (c.resolved_on) {
        v["resolved_date"] = chinese_date(*c.resolved_on);
        v["working_days"] = std::to_string(cal.working_days_between(received, *c.resolved_on));
        v["on_time"] = flag(resolved_on_time(c, cal));
        // Several rounds (reopened, or a visit not satisfied): each round's days against its own limit, so a
        // case done in two on-time rounds never reads "35 working days, within the 20-day limit".
        const auto rounds = clock_rounds(c, cal);
        if (rounds.size() > 1) {
            std::vector<std::string> parts;
            for (size_t i = 0; i < rounds.size(); ++i) {
                if (!rounds[i].resolved_on) continue;
                const int days =
                    cal.working_days_between(i == 0 ? received : rounds[i].start, *rounds[i].resolved_on);
                parts.push_back((i == 0 ? "首轮" : "第" + std::to_string(i + 1) + "轮") +
                                std::to_string(days) + "个工作日");
            }
            v["rounds"] = std::to_string(rounds.size());
            v["round_days"] = join_nonempty(parts, "、");
            // The whole time may exceed one round's limit although each round kept its own: the limit is then
            // said to be per round.
            if (std::stoi(v["working_days"]) > c.deadline_days)
                v["deadline_days"] = "每轮" + std::to_string(c.deadline_days);
        }
    }
    v["status"] = status_text(c);
    v["escalation"] = std::string(escalation_name(c.escalation_level));
    for (const auto& [k, val] : c.fields)
        v["fields." + k] = text(val);
    return v;
}

}  // namespace

TemplateValues write_up_values(const CaseState& c, const std::vector<Event>& events, const Workflow& w,
                               const Calendar& cal) {
    return values_masked(c, events, w, cal, masker_for(c, &w));
}

WriteUp make_write_up(const CaseState& c, const std::vector<Event>& events, const Workflow& w,
                      const Calendar& cal) {
    const Masker mask = masker_for(c, &w);
    const TemplateValues v = values_masked(c, events, w, cal, mask);
    const std::string tmpl = trim(w.write_up).empty() ? std::string(kDefaultWriteUp) : w.write_up;
    const std::string rendered = render_template(
        tmpl, v, "流程 " + w.category + " 第 " + std::to_string(w.version) + " 版的 write_up 模板有误",
        "；请修改后重新载入流程");

    WriteUp out;
    out.id = c.id;
    out.category = c.category;
    out.category_name = v.at("category_name");
    out.heading = mask(v.at("address") + " · " + out.category_name);
    out.paragraphs = paragraphs_of(rendered, mask);

    // Every value passes the masker too: a department or status is protected, anything a person typed is not.
    auto fact = [&](const char* label, const std::string& value) {
        if (!value.empty()) out.facts.emplace_back(label, mask(value));
    };
    fact("案件编号", c.id);
    fact("受理日期", v.at("received_date"));
    fact("反映次数", v.at("report_count") + "次");
    fact("牵头单位", v.at("lead_department"));
    fact("配合单位", v.at("co_departments"));
    if (c.resolved_on) {
        fact("办结日期", v.at("resolved_date"));
        const bool on_time = truthy(v.at("on_time"));
        if (v.at("rounds").empty())
            fact("用时", v.at("working_days") + "个工作日（时限" + v.at("deadline_days") + "个工作日，" +
                             (on_time ? "按时办结" : "超时办结") + "）");
        else
            fact("用时", "共" + v.at("working_days") + "个工作日，分" + v.at("rounds") + "轮办理：" +
                             v.at("round_days") + "（每轮时限" + std::to_string(c.deadline_days) +
                             "个工作日，" + (on_time ? "均按时办结" : "有一轮超时") + "）");
    }
    if (truthy(v.at("reopened"))) fact("重新办理", v.at("reopen_count") + "次");
    for (const auto& round : clock_rounds(c, cal)) {
        if (!round.deadline_provisional) continue;
        fact("办理期限", "暂定（按法定节假日计算，载入国务院放假通知后重算）");
        break;
    }
    if (truthy(v.at("exception_approved"))) fact("特事特办", "经督办审批");
    if (c.escalation_level > 0) fact("督办", std::string(escalation_name(c.escalation_level)));
    fact("回访", truthy(v.at("visited")) ? (truthy(v.at("satisfied")) ? "满意" : "不满意") : "");
    fact("目前状态", v.at("status"));
    return out;
}

}  // namespace minsheng::report
