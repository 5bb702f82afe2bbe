// Direct JSON writing of a case state (see state_json.h).
#include "storage/state_json.h"

#include <cstdint>
#include <cstdio>
#include <optional>

namespace minsheng::storage_detail {

namespace {

// Validates UTF-8 while it copies, escaping what JSON requires (as nlohmann's dump does, non-ASCII as is).
bool put_string(std::string& out, const std::string& s) {
    out += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c >= 0x80) {
            int n = 0;
            unsigned int cp = 0;
            if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                cp = c & 0x0F;
            } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                cp = c & 0x07;
            } else {
                return false;
            }
            if (end - p <= n) return false;
            for (int i = 1; i <= n; ++i) {
                if ((p[i] & 0xC0) != 0x80) return false;
                cp = (cp << 6) | (p[i] & 0x3F);
            }
            if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
                (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
                return false;
            out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n + 1));
            p += n + 1;
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++p;
    }
    out += '"';
    return true;
}

// Writes members; in slim mode a member whose value is what state_from_json assumes for a missing key is
// left out (the projection stores less; reading it back gives the same state).
class Writer {
public:
    Writer(std::string& out, bool slim) : out_(out), slim_(slim) {}
    bool slim() const { return slim_; }
    bool ok() const { return ok_; }

    void begin_object() {
        out_ += '{';
        first_ = true;
    }
    void end_object() {
        out_ += '}';
        first_ = false;
    }
    void begin_array(const char* key) {
        this->key(key);
        out_ += '[';
        first_ = true;
    }
    void end_array() {
        out_ += ']';
        first_ = false;
    }
    void element() {
        if (!first_) out_ += ',';
        first_ = true;
    }
    void key(const char* k) {
        if (!first_) out_ += ',';
        first_ = false;
        out_ += '"';
        out_ += k;
        out_ += "\":";
    }
    void str(const char* k, const std::string& v) {
        if (slim_ && v.empty()) return;
        key(k);
        ok_ = put_string(out_, v) && ok_;
    }
    void num(const char* k, long long v, long long missing = 0) {
        if (slim_ && v == missing) return;
        key(k);
        out_ += std::to_string(v);
    }
    void boolean(const char* k, bool v) {
        if (slim_ && !v) return;
        key(k);
        out_ += v ? "true" : "false";
    }
    void date(const char* k, const std::optional<Date>& d) {
        if (slim_ && !d) return;
        key(k);
        if (d)
            ok_ = put_string(out_, format_date(*d)) && ok_;
        else
            out_ += "null";
    }
    void fields(const char* k, const std::map<std::string, std::string>& m) {
        if (slim_ && m.empty()) return;
        key(k);
        out_ += '{';
        bool first = true;
        for (const auto& [name, value] : m) {
            if (!first) out_ += ',';
            first = false;
            ok_ = put_string(out_, name) && ok_;
            out_ += ':';
            ok_ = put_string(out_, value) && ok_;
        }
        out_ += '}';
    }

    void always(const char* k, const std::string& v) {
        key(k);
        ok_ = put_string(out_, v) && ok_;
    }

private:
    std::string& out_;
    bool slim_;
    bool first_ = true;
    bool ok_ = true;
};

CaseState sample() {
    CaseState s;
    s.id = "2024-0001";
    s.category = "drainage";
    s.workflow_version = 3;
    s.deadline_days = 15;
    s.address = "海福巷 ３ 号\"A\"";
    s.address_key = "海福巷3号\"A\"";
    s.summary = "下水道堵塞\n污水\\满溢\t\x01";
    s.received_at = "2024-03-05T09:10:00";
    s.phase = Phase::FollowUp;
    s.step = "awaiting_visit";
    s.suspended = true;
    s.reporters = {{"张桂芳", "13851234567", "来电", "2024-03-05T09:10:00", ""},
                   {"李秀英", "", "来访", "2024-03-06T15:30:00", "又满了"}};
    s.report_count = 2;
    s.tasks = {
        {"街道城管科", TaskStatus::Replied, true, "2024-03-06T09:00:00", "2024-03-20T10:00:00", "已换管"},
        {"物业", TaskStatus::Returned, false, "2024-03-06T09:00:00", "2024-03-07T10:00:00", "不归我们管"}};
    s.fields = {{"root_cause", "接口塌陷"}, {"satisfied", "no"}};
    s.reopen_count = 1;
    s.escalation_level = 2;
    s.typical = true;
    s.first_dispatched_at = "2024-03-06T09:00:00";
    s.clock_start = parse_date("2024-04-01");
    s.deadline = parse_date("2024-04-29");
    s.deadline_problem = "no data for 2027";
    s.suspended_since = parse_date("2024-04-10");
    s.resolved_on = parse_date("2024-04-20");
    s.past_cycles = {{parse_date("2024-03-05"), parse_date("2024-04-02"), parse_date("2024-03-28")},
                     {parse_date("2024-03-29"), std::nullopt, std::nullopt}};
    s.suspended_working_days = 4;
    s.extended_working_days = 5;
    s.last_event_at = "2024-04-20T16:00:00";
    s.last_seq = 1234567890123LL;
    s.event_count = 17;
    return s;
}

}  // namespace

bool write_state_json(const CaseState& s, std::string& out, bool slim) {
    Writer w(out, slim);
    w.begin_object();
    w.always("id", s.id);
    w.always("category", s.category);
    w.num("workflow_version", s.workflow_version);
    w.num("deadline_days", s.deadline_days, 20);
    w.str("address", s.address);
    w.str("address_key", s.address_key);
    w.str("summary", s.summary);
    w.str("received_at", s.received_at);
    w.always("phase", std::string(phase_name(s.phase)));
    w.always("step", s.step);
    w.boolean("suspended", s.suspended);
    if (!slim || !s.reporters.empty()) {
        w.begin_array("reporters");
        for (const auto& r : s.reporters) {
            w.element();
            w.begin_object();
            w.str("name", r.name);
            w.str("phone", r.phone);
            w.str("channel", r.channel);
            w.str("at", r.at);
            w.str("summary", r.summary);
            w.end_object();
        }
        w.end_array();
    }
    w.num("report_count", s.report_count, 1);
    if (!slim || !s.tasks.empty()) {
        w.begin_array("tasks");
        for (const auto& t : s.tasks) {
            w.element();
            w.begin_object();
            w.str("department", t.department);
            w.str("status", std::string(task_status_name(t.status)));
            w.boolean("lead", t.lead);
            w.str("dispatched_at", t.dispatched_at);
            w.str("updated_at", t.updated_at);
            w.str("note", t.note);
            w.end_object();
        }
        w.end_array();
    }
    w.fields("fields", s.fields);
    w.num("reopen_count", s.reopen_count);
    w.num("escalation_level", s.escalation_level);
    w.boolean("typical", s.typical);
    w.str("first_dispatched_at", s.first_dispatched_at);
    w.date("clock_start", s.clock_start.is_special() ? std::nullopt : std::optional<Date>(s.clock_start));
    w.date("deadline", s.deadline);
    w.str("deadline_problem", s.deadline_problem);
    w.date("suspended_since", s.suspended_since);
    w.date("resolved_on", s.resolved_on);
    if (!slim || !s.past_cycles.empty()) {
        w.begin_array("past_cycles");
        for (const auto& c : s.past_cycles) {
            w.element();
            w.begin_object();
            w.always("start", format_date(c.start));
            w.date("deadline", c.deadline);
            w.date("resolved_on", c.resolved_on);
            w.end_object();
        }
        w.end_array();
    }
    w.num("suspended_working_days", s.suspended_working_days);
    w.num("extended_working_days", s.extended_working_days);
    w.str("last_event_at", s.last_event_at);
    w.num("last_seq", s.last_seq);
    w.num("event_count", s.event_count);
    w.end_object();
    return w.ok();
}

namespace {

// A reader for the JSON the projection holds. Anything unexpected makes it give up (false), never guess.
class Reader {
public:
    explicit Reader(std::string_view t) : p_(t.data()), end_(t.data() + t.size()) {}

    bool done() {
        ws();
        return p_ == end_;
    }
    void ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
            ++p_;
    }
    bool eat(char c) {
        ws();
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }
    bool peek(char c) {
        ws();
        return p_ < end_ && *p_ == c;
    }
    bool null() {
        ws();
        if (end_ - p_ >= 4 && std::string_view(p_, 4) == "null") {
            p_ += 4;
            return true;
        }
        return false;
    }
    bool boolean(bool& v) {
        ws();
        if (end_ - p_ >= 4 && std::string_view(p_, 4) == "true") {
            p_ += 4;
            v = true;
            return true;
        }
        if (end_ - p_ >= 5 && std::string_view(p_, 5) == "false") {
            p_ += 5;
            v = false;
            return true;
        }
        return false;
    }
    bool integer(long long& v) {
        ws();
        const char* q = p_;
        bool neg = false;
        if (q < end_ && *q == '-') {
            neg = true;
            ++q;
        }
        if (q == end_ || *q < '0' || *q > '9') return false;
        unsigned long long n = 0;
        int digits = 0;
        while (q < end_ && *q >= '0' && *q <= '9') {
            n = n * 10 + static_cast<unsigned>(*q - '0');
            if (++digits > 18) return false;
            ++q;
        }
        if (q < end_ && (*q == '.' || *q == 'e' || *q == 'E')) return false;
        p_ = q;
        v = neg ? -static_cast<long long>(n) : static_cast<long long>(n);
        return true;
    }
    bool string(std::string& out) {
        ws();
        if (p_ == end_ || *p_ != '"') return false;
        ++p_;
        out.clear();
        for (;;) {
            const char* run = p_;
            while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20)
                ++p_;
            out.append(run, static_cast<size_t>(p_ - run));
            if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
            if (*p_ == '"') {
                ++p_;
                return true;
            }
            ++p_;  // backslash
            if (p_ == end_) return false;
            const char e = *p_++;
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        unsigned lo = 0;
                        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
                        p_ += 2;
                        if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return false;
                    }
                    utf8(out, cp);
                    break;
                }
                default:
                    return false;
            }
        }
    }
    // A string, or null (read as ""), as str() in case.cpp reads a member.
    bool text(std::string& out) {
        if (null()) {
            out.clear();
            return true;
        }
        return string(out);
    }
    bool date(std::optional<Date>& d) {
        if (null()) {
            d.reset();
            return true;
        }
        std::string t;
        if (!string(t)) return false;
        d = parse_date(t);  // throws like state_from_json on a bad date
        return true;
    }
    // Calls f(key) for every member of an object; f returns false to give up.
    template <class F>
    bool object(F&& f) {
        if (!eat('{')) return false;
        if (eat('}')) return true;
        std::string key;
        for (;;) {
            if (!string(key) || !eat(':') || !f(key)) return false;
            if (eat(',')) continue;
            return eat('}');
        }
    }
    template <class F>
    bool array(F&& f) {
        if (!eat('[')) return false;
        if (eat(']')) return true;
        for (;;) {
            if (!f()) return false;
            if (eat(',')) continue;
            return eat(']');
        }
    }

private:
    bool hex4(unsigned& v) {
        if (end_ - p_ < 4) return false;
        v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = *p_++;
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<unsigned>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }
    static void utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    const char* p_;
    const char* end_;
};

bool read_int(Reader& r, int& v) {
    long long n = 0;
    if (!r.integer(n) || n < INT32_MIN || n > INT32_MAX) return false;
    v = static_cast<int>(n);
    return true;
}

}  // namespace

bool read_state_json(std::string_view text, CaseState& s) {
    s = CaseState{};
    s.report_count = 1;  // state_from_json's value when the member is missing
    Reader r(text);
    std::string phase;
    bool have_reporters = false, have_tasks = false, have_cycles = false, have_fields = false;
    const bool ok = r.object([&](const std::string& k) {
        if (k == "id") return r.text(s.id);
        if (k == "category") return r.text(s.category);
        if (k == "workflow_version") return read_int(r, s.workflow_version);
        if (k == "deadline_days") return read_int(r, s.deadline_days);
        if (k == "address") return r.text(s.address);
        if (k == "address_key") return r.text(s.address_key);
        if (k == "summary") return r.text(s.summary);
        if (k == "received_at") return r.text(s.received_at);
        if (k == "phase") return r.text(phase);
        if (k == "step") return r.text(s.step);
        if (k == "suspended") return r.boolean(s.suspended);
        if (k == "report_count") return read_int(r, s.report_count);
        if (k == "reopen_count") return read_int(r, s.reopen_count);
        if (k == "escalation_level") return read_int(r, s.escalation_level);
        if (k == "typical") return r.boolean(s.typical);
        if (k == "first_dispatched_at") return r.text(s.first_dispatched_at);
        if (k == "deadline_problem") return r.text(s.deadline_problem);
        if (k == "suspended_working_days") return read_int(r, s.suspended_working_days);
        if (k == "extended_working_days") return read_int(r, s.extended_working_days);
        if (k == "last_event_at") return r.text(s.last_event_at);
        if (k == "event_count") return read_int(r, s.event_count);
        if (k == "last_seq") {
            long long n = 0;
            if (!r.integer(n)) return false;
            s.last_seq = n;
            return true;
        }
        if (k == "clock_start") {
            std::optional<Date> d;
            if (!r.date(d)) return false;
            if (d) s.clock_start = *d;
            return true;
        }
        if (k == "deadline") return r.date(s.deadline);
        if (k == "suspended_since") return r.date(s.suspended_since);
        if (k == "resolved_on") return r.date(s.resolved_on);
        if (k == "reporters") {
            if (have_reporters) return false;
            have_reporters = true;
            return r.array([&] {
                Reporter p;
                if (!r.object([&](const std::string& rk) {
                        if (rk == "name") return r.text(p.name);
                        if (rk == "phone") return r.text(p.phone);
                        if (rk == "channel") return r.text(p.channel);
                        if (rk == "at") return r.text(p.at);
                        if (rk == "summary") return r.text(p.summary);
                        return false;
                    }))
                    return false;
                s.reporters.push_back(std::move(p));
                return true;
            });
        }
        if (k == "tasks") {
            if (have_tasks) return false;
            have_tasks = true;
            return r.array([&] {
                DepartmentTask t;
                if (!r.object([&](const std::string& tk) {
                        if (tk == "department") return r.text(t.department);
                        if (tk == "status") {
                            // An unknown name is left to state_from_json, which says what is wrong.
                            std::string name;
                            if (!r.text(name)) return false;
                            const auto st = task_status_from_name(name);
                            if (st) t.status = *st;
                            return st.has_value();
                        }
                        if (tk == "lead") return r.boolean(t.lead);
                        if (tk == "dispatched_at") return r.text(t.dispatched_at);
                        if (tk == "updated_at") return r.text(t.updated_at);
                        if (tk == "note") return r.text(t.note);
                        return false;
                    }))
                    return false;
                s.tasks.push_back(std::move(t));
                return true;
            });
        }
        if (k == "past_cycles") {
            if (have_cycles) return false;
            have_cycles = true;
            return r.array([&] {
                std::optional<Date> start, deadline, resolved;
                bool have_start = false;
                if (!r.object([&](const std::string& ck) {
                        if (ck == "start") return have_start = r.date(start);
                        if (ck == "deadline") return r.date(deadline);
                        if (ck == "resolved_on") return r.date(resolved);
                        return false;
                    }))
                    return false;
                if (!have_start || !start) return false;
                s.past_cycles.push_back({*start, deadline, resolved});
                return true;
            });
        }
        if (k == "fields") {
            if (have_fields) return false;
            have_fields = true;
            return r.object([&](const std::string& fk) {
                std::string v;
                if (!r.string(v)) return false;
                s.fields[fk] = std::move(v);
                return true;
            });
        }
        return false;
    });
    if (!ok || !r.done()) return false;
    s.phase = phase_from_name(phase).value_or(Phase::Intake);
    return true;
}

CaseState state_from_text(std::string_view text) {
    if (fast_state_json_agrees()) {
        CaseState s;
        if (read_state_json(text, s)) return s;
    }
    return state_from_json(nlohmann::json::parse(text.begin(), text.end()));
}

bool fast_state_json_agrees() {
    static const bool agrees = [] {
        try {
            // A sample that sets every member, the empty state, and a fresh intake case whose members are
            // mostly at the values the slim form leaves out.
            CaseState fresh = sample();
            fresh.deadline_days = 20;
            fresh.report_count = 1;
            fresh.phase = Phase::Intake;
            fresh.suspended = fresh.typical = false;
            fresh.tasks.clear();
            fresh.fields.clear();
            fresh.past_cycles.clear();
            fresh.reporters.resize(1);
            fresh.reporters[0].summary.clear();
            fresh.reopen_count = fresh.escalation_level = 0;
            fresh.first_dispatched_at.clear();
            fresh.deadline_problem.clear();
            fresh.suspended_since.reset();
            fresh.resolved_on.reset();
            fresh.suspended_working_days = fresh.extended_working_days = 0;
            for (const CaseState& s : {sample(), CaseState{}, fresh}) {
                const nlohmann::json expected = state_to_json(s);
                std::string full, slim;
                if (!write_state_json(s, full, false) || !write_state_json(s, slim, true)) return false;
                if (nlohmann::json::parse(full) != expected) return false;
                if (state_to_json(state_from_json(nlohmann::json::parse(slim))) != expected) return false;
                // The reader gives what state_from_json gives, from every form the projection may hold.
                for (const std::string& text : {full, slim, expected.dump()}) {
                    CaseState back;
                    if (!read_state_json(text, back) || state_to_json(back) != expected) return false;
                }
            }
            return true;
        } catch (const std::exception&) {
            return false;
        }
    }();
    return agrees;
}

std::string state_json(const CaseState& s) {
    if (fast_state_json_agrees()) {
        std::string out;
        out.reserve(512);
        if (write_state_json(s, out, true)) return out;
    }
    return state_to_json(s).dump();
}

}  // namespace minsheng::storage_detail
