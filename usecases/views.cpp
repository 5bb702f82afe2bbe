// The case and event views SPEC's JSON describes (see views.h).
#include "usecases/views.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace minsheng {

using nlohmann::json;

json event_object(const Event& e) {
    json j = {{"seq", e.seq}, {"action", e.action}, {"at", e.at}, {"actor", e.actor}};
    if (!e.recorded_at.empty()) j["recorded_at"] = e.recorded_at;
    for (const char* key : {"note", "departments", "set", "from_step", "to_step", "level_name", "days", "was",
                            "revokes", "into", "from"})
        if (e.data.contains(key)) j[key] = e.data[key];
    if (e.revoked) j["revoked"] = true;
    if (e.action == "open" || e.action == "report") {
        if (e.data.contains("reporter")) j["reporter"] = e.data["reporter"];
        if (e.data.contains("summary")) j["summary"] = e.data["summary"];
    }
    return j;
}

json case_object(const CaseState& c, const ClockView& v, const std::string& step_label,
                 const std::vector<Event>* history) {
    json departments = json::array();
    json tasks = json::array();
    for (const auto& t : c.tasks) {
        departments.push_back(t.department);
        tasks.push_back({{"department", t.department},
                         {"status", std::string(task_status_name(t.status))},
                         {"lead", t.lead},
                         {"updated_at", t.updated_at},
                         {"note", t.note}});
    }
    json reporters = json::array();
    for (const auto& r : c.reporters)
        reporters.push_back({{"name", r.name},
                             {"phone", r.phone},
                             {"channel", r.channel},
                             {"at", r.at},
                             {"summary", r.summary.empty() ? c.summary : r.summary}});
    json j = {
        {"id", c.id},
        {"category", c.category},
        {"workflow_version", c.workflow_version},
        {"phase", phase_name(c.phase)},
        {"step", c.step},
        {"step_label", step_label},
        {"address", c.address},
        {"summary", c.summary},
        {"received_at", c.received_at},
        {"deadline", v.deadline ? json(format_date(*v.deadline)) : json(nullptr)},
        {"deadline_provisional", v.deadline_provisional},
        // What the calendar cannot decide is null, never a guess (SPEC rule 6).
        {"overdue", v.undecidable ? json(nullptr) : json(v.overdue)},
        {"suspended", c.suspended},
        {"working_days_left", v.deadline && v.days_known ? json(v.working_days_left) : json(nullptr)},
        {"working_days_overdue",
         v.days_known || (!v.deadline && !v.undecidable) ? json(v.working_days_overdue) : json(nullptr)},
        {"repeat_count", c.repeat_count()},
        {"reopen_count", c.reopen_count},
        {"departments", departments},
        {"department_tasks", tasks},
        {"escalation_level", c.escalation_level},
        {"escalation", std::string(escalation_name(c.escalation_level))},
        {"typical", c.typical},
        {"reporters", reporters},
        {"fields", c.fields}};
    if (!v.problem.empty()) j["deadline_problem"] = v.problem;
    if (c.resolved_on) j["resolved_on"] = format_date(*c.resolved_on);
    if (history) {
        json h = json::array();
        for (const auto& e : *history) {
            h.push_back(event_object(e));
            // Both merged cases name each other (SPEC: 并案).
            if (e.action == "merge" && !e.revoked) j["merged_into"] = json_text(e.data, "into");
            if (e.action == "merge-in" && !e.revoked) j["merged_from"].push_back(json_text(e.data, "from"));
        }
        j["history"] = h;
    }
    return j;
}

namespace {

// A streaming JSON writer printing exactly what nlohmann's serializer prints for the same tree (compact, or
// pretty with an indent step of 2 from a base indent): keys are written in the order given, which the
// caller keeps sorted as nlohmann's std::map does. Hand-written for speed: building and dumping a tree per
// case was 60% of `case list --json`, whose CPU time at 100k cases went from 2.8 s to 1.3 s with this
// writer.
class JsonText {
public:
    JsonText(std::string& out, int base) : out_(out), pretty_(base >= 0), indent_(base < 0 ? 0 : base) {
        if (pretty_) out_.append(static_cast<size_t>(indent_), ' ');
    }
    JsonText& begin_object() { return open('{'); }
    JsonText& end_object() { return close('}'); }
    JsonText& begin_array() { return open('['); }
    JsonText& end_array() { return close(']'); }
    JsonText& key(std::string_view k) {
        member();
        string_text(k);
        out_ += pretty_ ? ": " : ":";
        pending_key_ = true;
        return *this;
    }
    JsonText& value(std::string_view v) {
        element();
        string_text(v);
        return *this;
    }
    JsonText& value(const std::string& v) { return value(std::string_view(v)); }
    JsonText& value(const char* v) { return value(std::string_view(v)); }
    JsonText& value(std::int64_t v) {
        element();
        out_ += std::to_string(v);
        return *this;
    }
    JsonText& value(int v) { return value(static_cast<std::int64_t>(v)); }
    JsonText& value(bool v) {
        element();
        out_ += v ? "true" : "false";
        return *this;
    }
    JsonText& null() {
        element();
        out_ += "null";
        return *this;
    }

private:
    std::string& out_;
    bool pretty_;
    int indent_;
    bool pending_key_ = false;
    std::vector<int> counts_;  // members written so far in each open container

    // Before a key, or an array's element: the separator and, pretty, the line break and indent.
    void member() {
        if (counts_.empty()) return;
        if (counts_.back()++ > 0) out_ += ',';
        if (pretty_) {
            out_ += '\n';
            out_.append(static_cast<size_t>(indent_), ' ');
        }
    }
    // Before a value: after its key nothing, in an array a new element.
    void element() {
        if (pending_key_)
            pending_key_ = false;
        else
            member();
    }
    JsonText& open(char c) {
        element();
        out_ += c;
        counts_.push_back(0);
        indent_ += pretty_ ? 2 : 0;
        return *this;
    }
    JsonText& close(char c) {
        indent_ -= pretty_ ? 2 : 0;
        if (pretty_ && counts_.back() > 0) {
            out_ += '\n';
            out_.append(static_cast<size_t>(indent_), ' ');
        }
        counts_.pop_back();
        out_ += c;
        return *this;
    }
    // A string as nlohmann escapes it (ensure_ascii off): quote, backslash and the short escapes, other
    // control characters as a six-character escape; text that is not UTF-8 goes to nlohmann, which refuses it
    // as before.
    void string_text(std::string_view s) {
        if (!valid_utf8(s)) {
            out_ += json(std::string(s)).dump();  // throws type_error 316, as dumping the tree did
            return;
        }
        static const char* hex = "0123456789abcdef";
        out_ += '"';
        for (char ch : s) {
            const auto u = static_cast<unsigned char>(ch);
            switch (ch) {
                case '"':
                    out_ += "\\\"";
                    break;
                case '\\':
                    out_ += "\\\\";
                    break;
                case '\b':
                    out_ += "\\b";
                    break;
                case '\f':
                    out_ += "\\f";
                    break;
                case '\n':
                    out_ += "\\n";
                    break;
                case '\r':
                    out_ += "\\r";
                    break;
                case '\t':
                    out_ += "\\t";
                    break;
                default:
                    if (u < 0x20) {
                        out_ += "\\u00";
                        out_ += hex[u >> 4];
                        out_ += hex[u & 0xf];
                    } else {
                        out_ += ch;
                    }
            }
        }
        out_ += '"';
    }
    static bool valid_utf8(std::string_view s) {
        size_t i = 0;
        while (i < s.size()) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x80) {
                ++i;
                continue;
            }
            int n = 0;
            std::uint32_t cp = 0;
            if ((c & 0xE0) == 0xC0)
                n = 1, cp = c & 0x1F;
            else if ((c & 0xF0) == 0xE0)
                n = 2, cp = c & 0x0F;
            else if ((c & 0xF8) == 0xF0)
                n = 3, cp = c & 0x07;
            else
                return false;
            if (i + static_cast<size_t>(n) >= s.size()) return false;  // cut short
            for (int k = 1; k <= n; ++k) {
                const auto d = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
                if ((d & 0xC0) != 0x80) return false;
                cp = (cp << 6) | (d & 0x3F);
            }
            // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
            if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
                cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return false;
            i += static_cast<size_t>(n) + 1;
        }
        return true;
    }
};

}  // namespace

void append_case_json(std::string& out, const CaseState& c, const ClockView& v, const std::string& step_label,
                      int indent) {
    // The keys in case_object's, sorted as its std::map keeps them (tests/engine/case_json_test.cpp holds the
    // two equal).
    JsonText j(out, indent);
    j.begin_object();
    j.key("address").value(c.address);
    j.key("category").value(c.category);
    j.key("deadline");
    if (v.deadline)
        j.value(format_date(*v.deadline));
    else
        j.null();
    if (!v.problem.empty()) j.key("deadline_problem").value(v.problem);
    j.key("deadline_provisional").value(v.deadline_provisional);
    j.key("department_tasks").begin_array();
    for (const auto& t : c.tasks) {
        j.begin_object();
        j.key("department").value(t.department);
        j.key("lead").value(t.lead);
        j.key("note").value(t.note);
        j.key("status").value(task_status_name(t.status));
        j.key("updated_at").value(t.updated_at);
        j.end_object();
    }
    j.end_array();
    j.key("departments").begin_array();
    for (const auto& t : c.tasks)
        j.value(t.department);
    j.end_array();
    j.key("escalation").value(escalation_name(c.escalation_level));
    j.key("escalation_level").value(c.escalation_level);
    j.key("fields").begin_object();
    for (const auto& [k, val] : c.fields)
        j.key(k).value(val);
    j.end_object();
    j.key("id").value(c.id);
    j.key("overdue");
    if (v.undecidable)
        j.null();
    else
        j.value(v.overdue);
    j.key("phase").value(phase_name(c.phase));
    j.key("received_at").value(c.received_at);
    j.key("reopen_count").value(c.reopen_count);
    j.key("repeat_count").value(c.repeat_count());
    j.key("reporters").begin_array();
    for (const auto& r : c.reporters) {
        j.begin_object();
        j.key("at").value(r.at);
        j.key("channel").value(r.channel);
        j.key("name").value(r.name);
        j.key("phone").value(r.phone);
        j.key("summary").value(r.summary.empty() ? c.summary : r.summary);
        j.end_object();
    }
    j.end_array();
    if (c.resolved_on) j.key("resolved_on").value(format_date(*c.resolved_on));
    j.key("step").value(c.step);
    j.key("step_label").value(step_label);
    j.key("summary").value(c.summary);
    j.key("suspended").value(c.suspended);
    j.key("typical").value(c.typical);
    j.key("workflow_version").value(c.workflow_version);
    j.key("working_days_left");
    if (v.deadline && v.days_known)
        j.value(v.working_days_left);
    else
        j.null();
    j.key("working_days_overdue");
    if (v.days_known || (!v.deadline && !v.undecidable))
        j.value(v.working_days_overdue);
    else
        j.null();
    j.end_object();
}

json rounds_json(const std::vector<ClockRound>& rounds) {
    json out = json::array();
    for (const auto& r : rounds)
        out.push_back({{"start", format_date(r.start)},
                       {"deadline", r.deadline ? json(format_date(*r.deadline)) : json(nullptr)},
                       {"deadline_provisional", r.deadline_provisional},
                       {"resolved_on", r.resolved_on ? json(format_date(*r.resolved_on)) : json(nullptr)},
                       {"on_time", r.on_time ? json(*r.on_time) : json(nullptr)},
                       {"current", r.current}});
    return out;
}

json next_actions_json(const std::vector<Action>& actions) {
    json out = json::array();
    for (const auto& a : actions) {
        json choices = json::object();
        for (const auto& [field, values] : a.choices)
            choices[field] = values;
        out.push_back(
            {{"action", a.id}, {"label", a.label}, {"requires", a.requires_}, {"choices", choices}});
    }
    return out;
}

}  // namespace minsheng
