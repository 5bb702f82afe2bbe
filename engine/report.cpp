// Reports: masking, typical-case write-ups and the annual statistics (see report.h; the template itself is
// write_up_template.cpp).
#include "engine/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <tuple>

#include "engine/error.h"
#include "engine/text.h"

namespace minsheng::report {

using nlohmann::json;

namespace {

// SPEC Part 2: only `visit` events count as visits, whatever fields another action recorded.
bool is_visit(const Event& e) {
    return e.action == "visit";
}

// ---------------------------------------------------------------------------------------------------------
// UTF-8 without surprises: invalid bytes are passed through one at a time.

size_t utf8_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

// Splits text into code points (each as its UTF-8 bytes).
std::vector<std::string_view> code_points(std::string_view s) {
    std::vector<std::string_view> out;
    for (size_t i = 0; i < s.size();) {
        size_t n = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

// 0-9 for an ASCII or full-width digit, else -1.
int digit_value(std::string_view cp) {
    if (cp.size() == 1 && cp[0] >= '0' && cp[0] <= '9') return cp[0] - '0';
    // U+FF10..U+FF19 is EF BC 90..99.
    if (cp.size() == 3 && static_cast<unsigned char>(cp[0]) == 0xEF &&
        static_cast<unsigned char>(cp[1]) == 0xBC) {
        const int c = static_cast<unsigned char>(cp[2]);
        if (c >= 0x90 && c <= 0x99) return c - 0x90;
    }
    return -1;
}

bool is_x(std::string_view cp) {
    return cp == "X" || cp == "x" || cp == "\xEF\xBC\xB8" /* Ｘ */ || cp == "\xEF\xBD\x98" /* ｘ */;
}

bool is_mobile(const std::string& digits) {
    return digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9';
}

std::string mask_long_number(const std::string& s) {
    return s.substr(0, 6) + std::string(s.size() - 10, '*') + s.substr(s.size() - 4);
}

// A separator inside a written number: spaces, dashes (ASCII, full-width, Unicode), dots, slashes and the
// brackets around an area code.
bool is_number_separator(std::string_view cp) {
    static const std::set<std::string_view> seps = {" ",
                                                    "\xE3\x80\x80" /* U+3000 */,
                                                    "\xC2\xA0" /* nbsp */,
                                                    "-",
                                                    "\xEF\xBC\x8D" /* － */,
                                                    "\xE2\x80\x90",
                                                    "\xE2\x80\x91",
                                                    "\xE2\x80\x92",
                                                    "\xE2\x80\x93",
                                                    "\xE2\x80\x94",
                                                    "\xE2\x88\x92" /* − */,
                                                    ".",
                                                    "\xEF\xBC\x8E" /* ． */,
                                                    "/",
                                                    "\xEF\xBC\x8F" /* ／ */,
                                                    "(",
                                                    ")",
                                                    "\xEF\xBC\x88" /* （ */,
                                                    "\xEF\xBC\x89" /* ） */};
    return seps.count(cp) > 0;
}

bool is_plus(std::string_view cp) {
    return cp == "+" || cp == "\xEF\xBC\x8B" /* ＋ */;
}

bool is_open_bracket(std::string_view cp) {
    return cp == "(" || cp == "\xEF\xBC\x88";
}

// One group of digits in a written number, with an ID number's final X when it has one.
struct DigitGroup {
    size_t begin = 0, end = 0;  // code points [begin, end), the X included
    std::string digits;
    bool x = false;
};

// What a number written as groups [k, m] is, masked; nullopt when it is no phone, ID or card number.
std::optional<std::string> classify_number(const std::vector<DigitGroup>& g, size_t k, size_t m,
                                           const std::set<std::string>& known_phones) {
    std::string d;
    for (size_t i = k; i <= m; ++i) {
        if (g[i].x && i != m) return std::nullopt;
        d += g[i].digits;
    }
    const bool x = g[m].x, multi = m > k;
    if ((d.size() == 18 && !x) || (d.size() == 17 && x)) {
        // 身份证: 110101 19900101 123X, 110101-1990-0101-123X.
        if (!multi || g[k].digits.size() == 6) return mask_long_number(d + (x ? "X" : ""));
    }
    if (x) return std::nullopt;
    if (d.size() >= 15 && d.size() <= 19) {
        // Bank cards, written whole or in fours.
        bool fours = true;
        for (size_t i = k; i < m; ++i)
            fours = fours && g[i].digits.size() == 4;
        if (!multi || (fours && g[m].digits.size() <= 4)) return mask_long_number(d);
    }
    if (is_mobile(d)) return mask_phone(d);
    if (d.size() == 13 && d.compare(0, 2, "86") == 0 && is_mobile(d.substr(2)))
        return "86" + mask_phone(d.substr(2));
    // Landlines with their area code: 02584561234, 025-8456 1234, (025) 8456 1234, 0571-87654321.
    if (d[0] == '0' && d.size() >= 10 && d.size() <= 12 &&
        (!multi || g[k].digits.size() == 3 || g[k].digits.size() == 4))
        return mask_phone(d);
    if (known_phones.count(d)) return mask_phone(d);
    return std::nullopt;
}

// Masks numbers by shape (see Masker::operator()): a written number is groups of digits joined by at most
// three separators; the longest run of groups that is a phone, ID or card number is masked as one.
std::string mask_numbers(std::string_view text, const std::set<std::string>& known_phones) {
    const auto cps = code_points(text);
    std::string out;
    size_t i = 0;
    while (i < cps.size()) {
        // A number starts at a digit, or at + or ( right before one.
        size_t start = i;
        while (start < cps.size() && (is_plus(cps[start]) || is_open_bracket(cps[start])) && start - i < 2)
            ++start;
        if (start >= cps.size() || digit_value(cps[start]) < 0) {
            out += cps[i++];
            continue;
        }
        std::vector<DigitGroup> groups;
        size_t j = start;
        for (;;) {
            DigitGroup grp;
            grp.begin = j;
            while (j < cps.size() && digit_value(cps[j]) >= 0)
                grp.digits += static_cast<char>('0' + digit_value(cps[j++]));
            if (j < cps.size() && is_x(cps[j]) && (j + 1 >= cps.size() || digit_value(cps[j + 1]) < 0)) {
                grp.x = true;
                ++j;
            }
            grp.end = j;
            groups.push_back(grp);
            if (grp.x) break;
            size_t k = j;
            while (k < cps.size() && k - j < 3 && is_number_separator(cps[k]))
                ++k;
            if (k == j || k >= cps.size() || digit_value(cps[k]) < 0) break;
            j = k;
        }
        auto copy = [&](size_t from, size_t to) {
            for (size_t n = from; n < to; ++n)
                out += cps[n];
        };
        size_t emitted = i;  // everything before this code point is in `out`
        for (size_t k = 0; k < groups.size();) {
            std::optional<std::string> masked;
            size_t last = k;
            for (size_t m = k; m < groups.size() && m < k + 6; ++m)
                if (auto v = classify_number(groups, k, m, known_phones)) {
                    masked = v;
                    last = m;
                }
            if (!masked) {
                copy(emitted, groups[k].end);
                emitted = groups[k].end;
                ++k;
                continue;
            }
            if (k == 0) {
                // The + stays before an international number; a bracket opened before it stays unless it
                // closes inside it, around an area code: (025) 8456 1234.
                bool closes_inside = false;
                for (size_t n = groups[k].begin; n < groups[last].end; ++n)
                    closes_inside = closes_inside || cps[n] == ")" || cps[n] == "\xEF\xBC\x89";
                for (size_t n = i; n < start; ++n)
                    if (is_plus(cps[n]) || !closes_inside) out += cps[n];
            } else {
                copy(emitted, groups[k].begin);
            }
            out += *masked;
            emitted = groups[last].end;
            k = last + 1;
        }
        i = emitted;
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

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

// Splits a list written by people: commas, 、, semicolons, full stops, new lines.
std::vector<std::string> split_list(const std::string& s) {
    static const std::vector<std::string> seps = {"，", "、", "；", "。", ",", ";", "\n"};
    std::vector<std::string> out;
    std::string cur;
    for (size_t i = 0; i < s.size();) {
        bool hit = false;
        for (const auto& sep : seps) {
            if (s.compare(i, sep.size(), sep) == 0) {
                if (!trim(cur).empty()) out.push_back(trim(cur));
                cur.clear();
                i += sep.size();
                hit = true;
                break;
            }
        }
        if (!hit) cur += s[i++];
    }
    if (!trim(cur).empty()) out.push_back(trim(cur));
    return out;
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

// One decimal place, always ("12.0"): the figures and the charts' coordinates.
std::string fmt_num(double v) {
    std::ostringstream ss;
    ss.setf(std::ios::fixed);
    ss.precision(1);
    ss << v;
    return ss.str();
}

std::string number_text(double v) {
    if (std::fabs(v - std::round(v)) < 1e-9) return std::to_string(static_cast<long long>(std::llround(v)));
    return fmt_num(v);
}

std::string percent_text(std::optional<double> rate) {
    if (!rate) return "—";
    return fmt_num(*rate * 100) + "%";
}

double round4(double v) {
    return std::round(v * 10000.0) / 10000.0;
}

// What coordinators write when there is no name: not a person's name, so neither masked nor hunted for
// (masking 网格员 as 网某 would also rewrite the channel 网格员 everywhere).
bool is_placeholder_name(const std::string& name) {
    static const std::set<std::string> words = {
        "匿名", "匿名群众", "群众", "居民", "市民", "热心群众", "热心市民", "网格员",  "业主",
        "住户", "租户",     "本人", "不详", "未知", "无",       "未留名",   "未留姓名"};
    return words.count(name) > 0;
}

// How a reporter is named in a report.
std::string shown_name(const std::string& name) {
    const std::string n = trim(name);
    return is_placeholder_name(n) ? n : mask_name(n);
}

}  // namespace

// -------------------------------------------------------------------------------------------------------------
// Masker

namespace {

// What may stand between the characters of a name as people write it: middle dots of every kind, spaces,
// and invisible format characters.
bool is_name_separator(std::string_view cp) {
    static const std::set<std::string_view> seps = {
        "\xC2\xB7" /* · U+00B7 */,      "\xE2\x80\xA2" /* • U+2022 */,
        "\xE3\x83\xBB" /* ・ U+30FB */, "\xEF\xBD\xA5" /* ･ U+FF65 */,
        "\xE2\x80\xA7" /* ‧ U+2027 */,  "\xE2\x88\x99" /* ∙ U+2219 */,
        "\xE2\x8B\x85" /* ⋅ U+22C5 */,  "\xCE\x87" /* · U+0387 */,
        "\xE1\x9B\xAB" /* ᛫ U+16EB */,  ".",
        "\xEF\xBC\x8E" /* ． */,        " ",
        "\xE3\x80\x80" /* U+3000 */,    "\xC2\xA0" /* nbsp */,
        "\xE2\x80\x8B" /* ZWSP */,      "\xE2\x80\x8C" /* ZWNJ */,
        "\xE2\x80\x8D" /* ZWJ */,       "\xE2\x81\xA0" /* WJ */,
        "\xEF\xBB\xBF" /* BOM */,       "\xC2\xAD" /* soft hyphen */};
    return seps.count(cp) > 0;
}

// Where a name written as `chars` (separators allowed between them) ends when it starts at cps[i]; 0 when it
// does not.
size_t match_name(const std::vector<std::string_view>& cps, size_t i, const std::vector<std::string>& chars) {
    size_t j = i;
    for (size_t n = 0; n < chars.size(); ++n) {
        if (n > 0)
            while (j < cps.size() && is_name_separator(cps[j]))
                ++j;
        if (j >= cps.size() || cps[j] != chars[n]) return 0;
        ++j;
    }
    return j;
}

}  // namespace

void Masker::add_name(std::string_view name) {
    const std::string n = trim(name);
    Name entry;
    for (auto cp : code_points(n))
        if (!is_name_separator(cp)) entry.chars.emplace_back(cp);
    if (entry.chars.size() < 2 || is_placeholder_name(n)) return;
    for (const auto& known : names_)
        if (known.chars == entry.chars) return;
    std::string plain;
    for (const auto& c : entry.chars)
        plain += c;
    if (is_placeholder_name(plain)) return;
    entry.masked = mask_name(plain);
    names_.push_back(std::move(entry));
    std::stable_sort(names_.begin(), names_.end(),
                     [](const Name& a, const Name& b) { return a.chars.size() > b.chars.size(); });
}

void Masker::add_phone(std::string_view phone) {
    const std::string p = trim(phone);
    std::string digits;
    for (auto cp : code_points(p))
        if (digit_value(cp) >= 0) digits += static_cast<char>('0' + digit_value(cp));
    if (digits.size() < 7) return;
    phone_digits_.insert(digits);
    for (const auto& [known, masked] : phones_)
        if (known == p) return;
    phones_.emplace_back(p, mask_phone(digits));
    std::stable_sort(phones_.begin(), phones_.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void Masker::protect(std::string_view text) {
    const std::string t = trim(text);
    if (code_points(t).size() < 2) return;
    if (std::find(protected_.begin(), protected_.end(), t) != protected_.end()) return;
    protected_.push_back(t);
    std::stable_sort(protected_.begin(), protected_.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Masker::operator()(std::string_view text) const {
    const auto cps = code_points(text);
    // Offsets of each code point, to compare protected text and phones byte-wise.
    std::vector<size_t> offset(cps.size() + 1, text.size());
    for (size_t k = 0, at = 0; k < cps.size(); at += cps[k].size(), ++k)
        offset[k] = at;
    std::string out;
    out.reserve(text.size());
    auto append = [&](std::string_view s) { out.append(s); };
    for (size_t i = 0; i < cps.size();) {
        const size_t at = offset[i];
        bool hit = false;
        for (const auto& p : protected_) {
            if (text.compare(at, p.size(), p) == 0) {
                append(p);
                const size_t end = at + p.size();
                while (i < cps.size() && offset[i] < end)
                    ++i;
                hit = true;
                break;
            }
        }
        if (hit) continue;
        for (const auto& n : names_) {
            if (const size_t end = match_name(cps, i, n.chars)) {
                append(n.masked);
                i = end;
                hit = true;
                break;
            }
        }
        if (hit) continue;
        for (const auto& [known, masked] : phones_) {
            if (text.compare(at, known.size(), known) == 0) {
                append(masked);
                const size_t end = at + known.size();
                while (i < cps.size() && offset[i] < end)
                    ++i;
                hit = true;
                break;
            }
        }
        if (hit) continue;
        append(cps[i]);
        ++i;
    }
    // Numbers by shape everywhere, protected text included: a phone written into a department's name is
    // still a phone.
    return mask_numbers(out, phone_digits_);
}

Masker masker_for(const CaseState& c, const Workflow* w) {
    Masker m;
    // Place and department names never change. The address is protected run by run between its digits, so
    // 王府井大街 stays whole also where the text names the street without the house number.
    std::string run;
    auto flush_run = [&] {
        m.protect(run);
        run.clear();
    };
    m.protect(c.address);
    for (auto cp : code_points(c.address)) {
        if (digit_value(cp) >= 0 || is_number_separator(cp) || cp == "#" || cp == "," || cp == "，" ||
            cp == "、")
            flush_run();
        else
            run += cp;
    }
    flush_run();
    for (const auto& t : c.tasks)
        m.protect(t.department);
    if (w) {
        for (const auto& d : w->departments)
            m.protect(d);
        m.protect(w->name);
    }
    for (const auto& r : c.reporters) {
        m.add_name(r.name);
        m.add_phone(r.phone);
    }
    if (auto it = c.fields.find("persons"); it != c.fields.end()) {
        std::string list = it->second;
        for (auto& part : split_list(list)) {
            // Spaces separate names too.
            std::istringstream ss(part);
            std::string name;
            while (ss >> name)
                m.add_name(name);
        }
    }
    return m;
}

// -------------------------------------------------------------------------------------------------------------
// Small helpers

std::string chinese_date(Date d) {
    return std::to_string(static_cast<int>(d.year())) + "年" + std::to_string(static_cast<int>(d.month())) +
           "月" + std::to_string(static_cast<int>(d.day())) + "日";
}

std::string chinese_ordinal(int n) {
    static const char* digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n <= 0 || n >= 100) return std::to_string(n);
    if (n < 10) return digits[n];
    const int tens = n / 10, ones = n % 10;
    return std::string(tens == 1 ? "" : digits[tens]) + "十" + (ones ? digits[ones] : "");
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string markdown_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool line_start = true;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        // One line, one paragraph: a line break (or a blank line) in resident text would start a list, a
        // rule, a heading or a new paragraph.
        if (c == '\r' || c == '\n') {
            if (!line_start) out += ' ';
            while (i + 1 < s.size() &&
                   (s[i + 1] == '\r' || s[i + 1] == '\n' || s[i + 1] == ' ' || s[i + 1] == '\t'))
                ++i;
            line_start = out.empty();
            continue;
        }
        if (line_start && (c == ' ' || c == '\t')) continue;  // indentation would make a code block
        if (std::string_view("\\`*_[]<>#|~!&").find(c) != std::string_view::npos) {
            out += '\\';
        } else if (line_start && (c == '-' || c == '+' || c == '=')) {
            out += '\\';  // - item, + item, --- rule, === heading underline
        } else if (line_start && c >= '0' && c <= '9') {
            // 1. item, 1) item: the marker's dot or bracket is escaped.
            size_t j = i;
            while (j < s.size() && s[j] >= '0' && s[j] <= '9')
                ++j;
            out.append(s.substr(i, j - i));
            if (j < s.size() && (s[j] == '.' || s[j] == ')')) {
                out += '\\';
                out += s[j];
                ++j;
            }
            i = j - 1;
            line_start = false;
            continue;
        }
        out += c;
        line_start = false;
    }
    return out;
}

// -------------------------------------------------------------------------------------------------------------
// Write-ups

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

namespace {

// Whether a resolve on `resolved` met the deadline of a clock cycle started on `start`. An unknown deadline
// lies in a year the calendar does not cover; when every year from the start to the resolve is covered,
// that year comes after the resolve, so the resolve was in time.
bool cycle_on_time(Date start, const std::optional<Date>& deadline, Date resolved, const Calendar& cal,
                   const CaseState& s) {
    if (deadline) return resolved <= *deadline;
    if (!cal.covers_years(start.year(), resolved.year()))
        throw refused("case " + s.id + ": its deadline is unknown" +
                      (s.deadline_problem.empty() ? "" : ": " + s.deadline_problem));
    return true;
}

// Resolved now, and every resolve (first handling and each reopening) within its cycle's deadline.
bool on_time(const CaseState& s, const Calendar& cal) {
    if (!s.resolved_on) return false;
    for (const auto& c : s.past_cycles)
        if (c.resolved_on && !cycle_on_time(c.start, c.deadline, *c.resolved_on, cal, s)) return false;
    return cycle_on_time(s.clock_start, s.deadline, *s.resolved_on, cal, s);
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
    }
    if (c.suspended) s += "（挂起）";
    return s;
}

// Consecutive non-blank lines form a paragraph; punctuation left doubled by empty values is tidied.
std::vector<std::string> paragraphs_of(const std::string& text, const Masker& mask) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        std::string p = cur;
        static const std::vector<std::pair<std::string, std::string>> tidy = {
            {"，。", "。"}, {"。。", "。"}, {"；。", "。"}, {"，，", "，"}, {"：。", "。"},
            {"。，", "。"}, {"（）", ""},   {"，；", "；"}, {"；；", "；"}};
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
        p = trim(p);
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

}  // namespace

namespace {

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
    v["reporters"] = join(reporters, "、");
    v["channels"] = join(channels, "、");

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
    v["difficulties"] = join(difficulties, "，");
    difficulties.erase(std::remove(difficulties.begin(), difficulties.end(), kRepeated), difficulties.end());
    v["other_difficulties"] = join(difficulties, "，");
    v["elderly"] = flag(elderly);
    v["no_property"] = flag(no_property);
    v["hukou_elsewhere"] = flag(hukou);
    v["reopened"] = flag(c.reopen_count > 0);
    v["reopen_count"] = std::to_string(c.reopen_count);

    // Departments: lead (牵头) and co-departments (配合); returned tasks (退单) are not theirs.
    std::vector<std::string> departments, co, detail;
    std::string lead;
    for (const auto& t : c.tasks)
        if (t.status != "returned" && t.lead && lead.empty()) lead = t.department;
    for (const auto& t : c.tasks) {
        if (t.status == "returned") continue;
        departments.push_back(t.department);
        if (lead.empty()) lead = t.department;
        if (t.department != lead) co.push_back(t.department);
    }
    for (const auto& d : departments)
        detail.push_back(d + (d == lead ? "（牵头）" : "（配合）"));
    v["departments"] = join(departments, "、");
    v["lead_department"] = lead;
    v["co_departments"] = join(co, "、");
    v["departments_detail"] = join(detail, "、");
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
        if (e.action == "open" || e.action == "report") continue;
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
        } else if (lifecycle == "work" && effect == "none") {
            const Action* a = w.find_action(e.action);
            std::vector<std::string> parts;
            if (a)
                for (const auto& need : a->requires_)
                    if (need != "department" && need != "note" && set.contains(need) && set[need].is_string())
                        parts.push_back(text(set[need].get<std::string>()));
            parts.push_back(note);
            const std::string what = join(parts, "，");
            if (!what.empty())
                items.push_back({(a && !a->label.empty() ? a->label : e.action) + "：" + what});
        }
        if (is_visit(e) && set.contains("satisfied") && set["satisfied"].is_string()) {
            const bool yes = set["satisfied"].get<std::string>() == "yes";
            last_visit = chinese_date(date_of(e.at));
            last_satisfied = yes;
            visits.push_back(last_visit + "回访，群众表示" + (yes ? "满意" : "不满意，重新办理") +
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
    v["actions_taken"] = join(all, "；");
    v["handling"] = join(handling, "；");
    v["resolution"] = resolution;
    v["visited"] = flag(!visits.empty());
    v["visit_date"] = last_visit;
    v["satisfied"] = flag(!visits.empty() && last_satisfied);
    v["visit_result"] = join(visits, "；");
    v["exception_approved"] = flag(is_yes(c.fields, "exception_approved"));
    v["exception"] = is_yes(c.fields, "exception_approved") ? exception : "";
    v["exception_date"] = is_yes(c.fields, "exception_approved") ? exception_date : "";

    auto rc = c.fields.find("root_cause");
    v["root_cause"] = rc == c.fields.end() ? "" : text(rc->second);
    v["resolved"] = flag(c.resolved_on.has_value());
    v["deadline_days"] = std::to_string(c.deadline_days);
    if (c.resolved_on) {
        v["resolved_date"] = chinese_date(*c.resolved_on);
        v["working_days"] = std::to_string(cal.working_days_between(received, *c.resolved_on));
        v["on_time"] = flag(on_time(c, cal));
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
        tmpl, v,
        "the write_up template of workflow '" + w.category + "' (version " + std::to_string(w.version) + ")",
        "; fix it and load the workflow again");

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
        fact("用时", v.at("working_days") + "个工作日（时限" + v.at("deadline_days") + "个工作日，" +
                         (truthy(v.at("on_time")) ? "按时办结" : "超时办结") + "）");
    }
    if (truthy(v.at("reopened"))) fact("重新办理", v.at("reopen_count") + "次");
    for (const auto& round : clock_rounds(c, cal)) {
        if (!round.deadline_provisional) continue;
        fact("办理期限", "暂定（按法定节假日计算，载入国务院放假通知后重算）");
        break;
    }
    if (truthy(v.at("exception_approved"))) fact("特事特办", "经督办审批");
    fact("回访", truthy(v.at("visited")) ? (truthy(v.at("satisfied")) ? "满意" : "不满意") : "");
    fact("目前状态", v.at("status"));
    return out;
}

// -------------------------------------------------------------------------------------------------------------
// Documents

namespace {

const char* const kCss = R"(@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
       "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       font-size: 11pt; line-height: 1.75; color: #1f2328; margin: 0 auto; max-width: 178mm; padding: 8mm 0; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; letter-spacing: 0.05em; }
h2 { font-size: 14pt; border-bottom: 1.5pt solid #b71c1c; padding-bottom: 1mm; margin: 8mm 0 3mm;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 2.5mm; text-indent: 2em; text-align: justify; }
p.scope, p.facts, p.empty { text-indent: 0; color: #57606a; font-size: 9.5pt; }
p.scope { text-align: center; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 10pt;
        break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #8c959f; padding: 1.2mm 2.5mm; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 9.5pt; color: #57606a; text-align: center; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: #1f2328; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2.5mm; margin: 4mm 0;
        break-inside: avoid; page-break-inside: avoid; }
.kpi { border: 0.6pt solid #d0d7de; border-radius: 2mm; padding: 2.5mm; text-align: center; }
.kpi .num { display: block; font-size: 18pt; font-weight: bold; color: #b71c1c; line-height: 1.3; }
.kpi .label { display: block; font-size: 9pt; color: #57606a; }
article.case { margin: 0 0 5mm; }
ol.notes { font-size: 9pt; color: #57606a; padding-left: 6mm; }
ol.notes li { margin-bottom: 1mm; }
code { font-family: "Noto Sans Mono CJK SC", monospace; font-size: 9pt; }
)";

std::string html_document(const std::string& title, const std::string& body) {
    return "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
           html_escape(title) + "</title>\n<style>\n" + kCss + "</style>\n</head>\n<body>\n" + body +
           "</body>\n</html>\n";
}

std::string facts_line(const WriteUp& w) {
    std::vector<std::string> parts;
    for (const auto& [label, value] : w.facts)
        parts.push_back(label + "：" + value);
    return join(parts, "；");
}

std::string write_up_markdown(const WriteUp& w, int n, const std::string& level) {
    std::string out = level + " 典型事例" + chinese_ordinal(n) + "：" + markdown_escape(w.heading) + "\n\n";
    for (const auto& p : w.paragraphs)
        out += markdown_escape(p) + "\n\n";
    if (!w.facts.empty()) out += "> " + markdown_escape(facts_line(w)) + "\n\n";
    return out;
}

std::string write_up_html(const WriteUp& w, int n, const char* tag) {
    std::string out = "<article class=\"case\">\n<" + std::string(tag) + ">典型事例" + chinese_ordinal(n) +
                      "：" + html_escape(w.heading) + "</" + tag + ">\n";
    for (const auto& p : w.paragraphs)
        out += "<p>" + html_escape(p) + "</p>\n";
    if (!w.facts.empty()) out += "<p class=\"facts\">" + html_escape(facts_line(w)) + "</p>\n";
    return out + "</article>\n";
}

}  // namespace

std::string write_ups_markdown(const std::vector<WriteUp>& write_ups) {
    std::string out = "# 典型事例\n\n";
    int n = 0;
    for (const auto& w : write_ups)
        out += write_up_markdown(w, ++n, "##");
    out += "*注：个人姓名仅保留姓氏（某），手机号、身份证号已部分隐去。*\n";
    return out;
}

std::string write_ups_html(const std::vector<WriteUp>& write_ups) {
    std::string body = "<h1>典型事例</h1>\n";
    int n = 0;
    for (const auto& w : write_ups)
        body += write_up_html(w, ++n, "h2");
    body += "<p class=\"facts\">注：个人姓名仅保留姓氏（某），手机号、身份证号已部分隐去。</p>\n";
    return html_document("典型事例", body);
}

json write_ups_json(const std::vector<WriteUp>& write_ups) {
    json a = json::array();
    int n = 0;
    for (const auto& w : write_ups) {
        json facts = json::object();
        for (const auto& [label, value] : w.facts)
            facts[label] = value;
        const std::string text = join(w.paragraphs, "\n");  // paragraphs are never empty
        a.push_back({{"id", w.id},
                     {"category", w.category},
                     {"category_name", w.category_name},
                     {"title", "典型事例" + chinese_ordinal(++n) + "：" + w.heading},
                     {"paragraphs", w.paragraphs},
                     {"text", text},
                     {"facts", facts}});
    }
    return a;
}

// -------------------------------------------------------------------------------------------------------------
// Annual statistics

namespace {

std::string no_numbers(const std::string& text) {
    static const Masker numbers_only;
    return numbers_only(text);
}

}  // namespace

AnnualStats annual_stats(const std::vector<CaseRecord>& cases, int year, const Calendar& cal,
                         const std::map<std::string, std::string>& category_names) {
    if (year < 1900 || year > 9999) throw usage_error("bad year " + std::to_string(year));
    const Date first(static_cast<unsigned short>(year), 1, 1),
        last(static_cast<unsigned short>(year), 12, 31);
    // Every figure below needs the year's working days: say so now, naming the year, if they are unknown.
    cal.working_days_between(first, last);
    const std::string end_ts = format_date(last) + "T23:59:59";

    AnnualStats st;
    st.year = year;
    std::vector<int> days;
    std::vector<std::pair<std::string, std::string>> typical;  // received_at, id
    for (const CaseRecord& rec : cases) {
        const CaseState& now = rec.state;
        if (now.received_at.empty() || now.received_at > end_ts) continue;
        const bool in_year = date_of(now.received_at).year() == year;

        // The case as it stood at the end of the year: as it is now, unless it changed after (then replayed
        // from its events up to then). Only that case is copied.
        const bool changed_after = now.last_event_at > end_ts;
        std::vector<Event> before_end;
        if (changed_after) {
            if (rec.events.empty())
                throw storage_error("internal error: case " + now.id + " changed after " + format_date(last) +
                                    " but its events were not given");
            for (const auto& e : rec.events)
                if (e.at <= end_ts) before_end.push_back(e);
        }
        const CaseState replayed = changed_after ? replay(before_end, cal) : CaseState{};
        const CaseState& s = changed_after ? replayed : now;
        const std::vector<Event>& until = changed_after ? before_end : rec.events;

        // Overdue at the end of the year (SPEC rule 2), whenever received.
        const ClockView v = clock_at(s, last, cal);
        if (v.undecidable) throw refused("案件 " + s.id + "：" + v.problem);
        if (v.overdue) {
            ++st.overdue;
            st.overdue_received_in_year += in_year;
        }
        if ((in_year && s.phase != Phase::Rejected) || v.overdue) {
            bool provisional = v.deadline_provisional;
            for (const auto& round : clock_rounds(s, cal))
                provisional = provisional || round.deadline_provisional;
            st.provisional_deadlines += provisional;
        }
        if (!in_year) continue;
        if (rec.events.empty())
            throw storage_error("internal error: the events of case " + now.id + " were not given");

        ++st.cases;
        ++st.by_month[static_cast<size_t>(date_of(s.received_at).month() - 1)];
        ++st.by_category[s.category];
        // A department is named as written, but a phone or ID number typed into its name is masked like
        // anywhere else in a report.
        for (const auto& t : s.tasks)
            if (t.status != "returned") ++st.by_department[no_numbers(t.department)];
        if (s.phase == Phase::Rejected) {
            ++st.rejected;
        } else if (s.resolved_on) {
            ++st.resolved;
            days.push_back(cal.working_days_between(date_of(s.received_at), *s.resolved_on));
            st.on_time += on_time(s, cal);
        } else {
            ++st.open;
        }
        st.reopened += s.reopen_count > 0;
        st.repeat_reports += s.repeat_count();
        st.cases_with_repeat_reports += s.repeat_count() > 0;
        for (const auto& e : until) {
            if (!is_visit(e)) continue;
            const json set = e.data.value("set", json::object());
            if (!set.contains("satisfied") || !set["satisfied"].is_string()) continue;
            ++st.visits;
            st.satisfied += set["satisfied"].get<std::string>() == "yes";
        }
        if (now.typical) typical.emplace_back(now.received_at, now.id);
    }
    for (const auto& [category, n] : st.by_category) {
        auto it = category_names.find(category);
        st.category_names[category] = it == category_names.end() ? category : it->second;
    }
    if (st.resolved) st.on_time_rate = round4(static_cast<double>(st.on_time) / st.resolved);
    if (st.visits) st.satisfaction_rate = round4(static_cast<double>(st.satisfied) / st.visits);
    if (!days.empty()) {
        std::sort(days.begin(), days.end());
        const size_t n = days.size();
        st.median_working_days = n % 2 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2.0;
    }
    std::sort(typical.begin(), typical.end());
    for (const auto& [at, id] : typical)
        st.typical.push_back(id);
    return st;
}

std::vector<std::pair<std::string, std::string>> annual_definitions(int year) {
    const std::string y = std::to_string(year);
    const std::string end = y + "年12月31日日终";
    return {
        {"scope", "统计对象为" + y +
                      "年1月1日至12月31日（北京时间）受理的案件，以首次反映的受理时间为准；重复反映并入原案件"
                      "，不另计件。除“年末超期”和“典型事例”外，各项办理情况均按案件在" +
                      end + "所处的状态计算：以各事件记载的发生时间为准（事后补录的按其发生时间计入），" +
                      std::to_string(year + 1) + "年及以后发生的办理、回访不计入本年。"},
        {"cases", "受理案件：" + y + "年内受理的案件数。"},
        {"by_month", "按月受理：按受理日期所在月份统计的受理案件数。"},
        {"by_category", "按类别：受理案件按类别（所用工作流）分列。"},
        {"by_department", "按部门：受理案件中，" + end +
                              "前已派单且未被退单的部门，每个案件每个部门计1件；一案派多个部门的分别计入，故"
                              "各部门合计可大于受理案件数。"},
        {"resolved",
         "办结：受理案件中，" + end +
             "处于已办结状态（待回访或办结归档）的案件数；办结后又重新办理、年末尚未再次办结的不计。"},
        {"on_time",
         "按时办结：已办结案件中，每一轮办理（首次受理，以及回访不满意或督办重开后的每次重新办理）都在当轮期"
         "限（受理或重开日加时限工作日，含挂起顺延和批准的延期）之内办结的案件数。"},
        {"on_time_rate", "按时办结率：按时办结数 ÷ 办结数（四舍五入到万分位）；无办结案件时为空。"},
        {"median_working_days",
         "办结用时中位数：已办结案件从受理日到最后一次办结日的工作日数（不计受理当日，含挂起期间）的中位数；"
         "案件数为偶数时取中间两数的平均。"},
        {"overdue", "年末超期：" + end +
                        "仍未办结（受理或办理阶段，含挂起）且已超过办理期限的案件数，包括往年受理、结转至本年"
                        "的案件；与 audit overdue --as-of " +
                        y + "-12-31 的结果一致。其中本年受理的另列为 overdue_received_in_year。"},
        {"reopened", "重新办理：受理案件中，" + end +
                         "前至少重新办理过一次（回访不满意退回办理，或已归档后经督办重开）的案件数。"},
        {"repeat_reports",
         "重复反映：受理案件在" + end +
             "前收到的首次反映之外的反映次数；cases_with_repeat_reports 为有重复反映的案件数。"},
        {"visits", "回访：受理案件在" + end + "前进行的回访次数（同一案件多次回访分别计）。"},
        {"satisfied", "满意：上述回访中群众表示满意的次数；满意率 = 满意次数 ÷ 回访次数。"},
        {"rejected", "不予受理：受理案件中" + end + "处于不予受理状态的案件数。"},
        {"open", "未办结：受理案件中" + end +
                     "既未办结也未不予受理的案件数（办结 + 不予受理 + 未办结 = 受理案件）。"},
        {"typical",
         "典型事例：本年受理、经督办列为典型事例（case do ID "
         "mark-typical）的案件，以生成报告时的标记为准（可在次年标记）；事例按生成报告时的全部记录撰写。"},
        {"privacy",
         "个人信息：姓名仅保留姓氏（某），手机号只保留前三位和后四位，身份证号只保留前六位和后四位。"},
    };
}

json annual_json(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    auto opt = [](const std::optional<double>& v) -> json {
        if (!v) return nullptr;
        if (std::fabs(*v - std::round(*v)) < 1e-9) return static_cast<long long>(std::llround(*v));
        return *v;
    };
    auto rate = [](const std::optional<double>& v) -> json { return v ? json(*v) : json(nullptr); };
    json definitions = json::object();
    for (const auto& [k, text] : annual_definitions(st.year))
        definitions[k] = text;
    return {{"year", st.year},
            {"as_of", std::to_string(st.year) + "-12-31"},
            {"cases", st.cases},
            {"by_month", st.by_month},
            {"by_category", st.by_category},
            {"category_names", st.category_names},
            {"by_department", st.by_department},
            {"resolved", st.resolved},
            {"on_time", st.on_time},
            {"on_time_rate", rate(st.on_time_rate)},
            {"median_working_days", opt(st.median_working_days)},
            {"overdue", st.overdue},
            {"overdue_received_in_year", st.overdue_received_in_year},
            {"reopened", st.reopened},
            {"repeat_reports", st.repeat_reports},
            {"cases_with_repeat_reports", st.cases_with_repeat_reports},
            {"visits", st.visits},
            {"satisfied", st.satisfied},
            {"satisfaction_rate", rate(st.satisfaction_rate)},
            {"rejected", st.rejected},
            {"open", st.open},
            {"typical", st.typical},
            {"provisional_deadlines", st.provisional_deadlines},
            {"typical_cases", write_ups_json(typical)},
            {"definitions", definitions}};
}

namespace {

std::string title_of(const AnnualStats& st) {
    return std::to_string(st.year) + "年度民生工作站工作统计";
}

std::string scope_of(const AnnualStats& st) {
    const std::string y = std::to_string(st.year);
    std::string text =
        "统计范围：" + y + "年1月1日至12月31日受理的案件；办理情况截至" + y + "年12月31日日终。";
    if (st.provisional_deadlines > 0)
        text += "其中" + std::to_string(st.provisional_deadlines) +
                "件案件的办理期限按暂定日历（法定节假日，未含调休）计算，相关按时、超期数字为暂定，"
                "载入国务院放假通知后重新生成本报告。";
    return text;
}

// One headline figure; `card` marks the few the HTML form also shows as cards at the top.
struct Figure {
    std::string label, value, unit;
    bool card = false;
};

// The headline figures (shared by every format).
std::vector<Figure> headline(const AnnualStats& st) {
    return {
        {"受理案件", std::to_string(st.cases), "件", true},
        {"办结", std::to_string(st.resolved), "件", true},
        {"按时办结", std::to_string(st.on_time), "件"},
        {"按时办结率", percent_text(st.on_time_rate), "", true},
        {"办结用时中位数", st.median_working_days ? number_text(*st.median_working_days) : "—",
         st.median_working_days ? "个工作日" : "", true},
        {"年末超期", std::to_string(st.overdue), "件", true},
        {"其中本年受理", std::to_string(st.overdue_received_in_year), "件"},
        {"重新办理", std::to_string(st.reopened), "件", true},
        {"重复反映", std::to_string(st.repeat_reports), "次", true},
        {"有重复反映的案件", std::to_string(st.cases_with_repeat_reports), "件"},
        {"回访", std::to_string(st.visits), "次"},
        {"满意", std::to_string(st.satisfied), "次"},
        {"回访满意率", percent_text(st.satisfaction_rate), "", true},
        {"不予受理", std::to_string(st.rejected), "件"},
        {"年末未办结", std::to_string(st.open), "件"},
        {"典型事例", std::to_string(st.typical.size()), "件"},
    };
}

std::vector<std::pair<std::string, int>> sorted_counts(const std::map<std::string, int>& m,
                                                       const std::map<std::string, std::string>* names) {
    std::vector<std::pair<std::string, int>> v;
    for (const auto& [k, n] : m) {
        std::string label = k;
        if (names)
            if (auto it = names->find(k); it != names->end()) label = it->second;
        v.emplace_back(label, n);
    }
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return v;
}

std::string share(int n, int total) {
    if (total <= 0) return "—";
    return percent_text(static_cast<double>(n) / total);
}

// --- SVG charts (inline, no script; text stays text so a PDF keeps it searchable) ---

// Shortens a label to at most `columns` display columns.
std::string fit_label(const std::string& s, int columns) {
    if (display_width(s) <= columns) return s;
    std::string out;
    for (auto cp : code_points(s)) {
        if (display_width(out + std::string(cp)) > columns - 2) break;
        out += cp;
    }
    return out + "…";
}

std::string svg_open(int w, int h, const std::string& label) {
    return "<svg viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) +
           "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">\n";
}

std::string svg_text(double x, double y, const std::string& text, const char* anchor, int size,
                     const char* extra = "") {
    return "<text x=\"" + fmt_num(x) + "\" y=\"" + fmt_num(y) + "\" text-anchor=\"" + anchor +
           "\" font-size=\"" + std::to_string(size) + "\"" + extra + ">" + html_escape(text) + "</text>\n";
}

std::string svg_rect(double x, double y, double w, double h, const char* fill) {
    return "<rect x=\"" + fmt_num(x) + "\" y=\"" + fmt_num(y) + "\" width=\"" + fmt_num(std::max(w, 0.0)) +
           "\" height=\"" + fmt_num(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"/>\n";
}

std::string month_chart(const AnnualStats& st) {
    const int W = 640, H = 220, left = 20, right = 20, top = 22, bottom = 30;
    const int max = *std::max_element(st.by_month.begin(), st.by_month.end());
    const double plot_h = H - top - bottom, slot = (W - left - right) / 12.0;
    std::string s = svg_open(W, H, std::to_string(st.year) + "年按月受理案件数");
    s += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(H - bottom) + "\" x2=\"" +
         std::to_string(W - right) + "\" y2=\"" + std::to_string(H - bottom) + "\" stroke=\"#8c959f\"/>\n";
    for (int m = 0; m < 12; ++m) {
        const int n = st.by_month[static_cast<size_t>(m)];
        const double h = max ? plot_h * n / max : 0;
        const double x = left + slot * m + slot * 0.2;
        s += svg_rect(x, H - bottom - h, slot * 0.6, h, "#b71c1c");
        s += svg_text(x + slot * 0.3, H - bottom - h - 5, std::to_string(n), "middle", 12);
        s += svg_text(x + slot * 0.3, H - bottom + 18, std::to_string(m + 1) + "月", "middle", 12);
    }
    return s + "</svg>\n";
}

std::string hbar_chart(const std::vector<std::pair<std::string, int>>& items, const std::string& label) {
    const int W = 640, row = 26, top = 8, label_w = 170, right = 50;
    const int H = top * 2 + row * std::max<int>(1, static_cast<int>(items.size()));
    std::string s = svg_open(W, H, label);
    if (items.empty()) return s + svg_text(W / 2.0, top + 17, "（无数据）", "middle", 12) + "</svg>\n";
    int max = 0;
    for (const auto& [name, n] : items)
        max = std::max(max, n);
    const double plot_w = W - label_w - right;
    double y = top;
    for (const auto& [name, n] : items) {
        const double w = max ? plot_w * n / max : 0;
        s += svg_text(label_w - 8, y + 17, fit_label(name, 22), "end", 12);
        s += svg_rect(label_w, y + 4, w, row - 8, "#1565c0");
        s += svg_text(label_w + w + 6, y + 17, std::to_string(n), "start", 12);
        y += row;
    }
    return s + "</svg>\n";
}

// Two stacked bars: resolved cases on time and late (the on-time rate), and visits satisfied or not.
std::string outcome_chart(const AnnualStats& st) {
    const int W = 640, H = 190, left = 150, right = 20;
    const double plot_w = W - left - right;
    std::string s = svg_open(W, H, "按时办结率与回访满意率");
    auto bar = [&](double y, const std::string& title, const std::string& rate,
                   const std::vector<std::tuple<std::string, int, const char*>>& parts) {
        int total = 0;
        for (const auto& p : parts)
            total += std::get<1>(p);
        s += svg_text(left - 10, y + 13, title, "end", 12);
        s += svg_text(left - 10, y + 32, rate, "end", 16, " font-weight=\"bold\"");
        double x = left;
        if (total == 0) {
            s += svg_rect(x, y, plot_w, 26, "#eaeef2");
            s += svg_text(x + plot_w / 2, y + 18, "（无数据）", "middle", 12);
        }
        for (const auto& [name, n, color] : parts) {
            if (total == 0 || n == 0) continue;
            const double w = plot_w * n / total;
            s += svg_rect(x, y, w, 26, color);
            if (w > 24)
                s += svg_text(x + w / 2, y + 18, std::to_string(n), "middle", 12, " style=\"fill:#fff\"");
            x += w;
        }
        // Legend under the bar.
        double lx = left;
        for (const auto& [name, n, color] : parts) {
            s += svg_rect(lx, y + 36, 10, 10, color);
            const std::string t = name + " " + std::to_string(n);
            s += svg_text(lx + 14, y + 45, t, "start", 11);
            lx += 22 + display_width(t) * 6.5;
        }
    };
    bar(10, "按时办结率", percent_text(st.on_time_rate),
        {{"按时办结", st.on_time, "#2e7d32"}, {"超时办结", st.resolved - st.on_time, "#ef6c00"}});
    bar(105, "回访满意率", percent_text(st.satisfaction_rate),
        {{"满意", st.satisfied, "#2e7d32"}, {"不满意", st.visits - st.satisfied, "#c62828"}});
    return s + "</svg>\n";
}

}  // namespace

std::string annual_markdown(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    std::ostringstream o;
    o << "# " << title_of(st) << "\n\n" << scope_of(st) << "\n\n";
    o << "## 一、主要指标\n\n| 指标 | 数值 |\n| --- | ---: |\n";
    for (const auto& [label, value, unit, card] : headline(st))
        o << "| " << label << " | " << value << (unit.empty() ? "" : " " + unit) << " |\n";

    o << "\n## 二、按月受理\n\n|";
    for (int m = 1; m <= 12; ++m)
        o << " " << m << "月 |";
    o << " 合计 |\n|";
    for (int m = 0; m <= 12; ++m)
        o << " ---: |";
    o << "\n|";
    for (int n : st.by_month)
        o << " " << n << " |";
    o << " " << st.cases << " |\n";

    o << "\n## 三、按类别\n\n| 类别 | 件数 | 占比 |\n| --- | ---: | ---: |\n";
    for (const auto& [name, n] : sorted_counts(st.by_category, &st.category_names))
        o << "| " << markdown_escape(name) << " | " << n << " | " << share(n, st.cases) << " |\n";
    if (st.by_category.empty()) o << "| （无） | 0 | — |\n";

    o << "\n## 四、按部门\n\n| 部门 | 件数 |\n| --- | ---: |\n";
    for (const auto& [name, n] : sorted_counts(st.by_department, nullptr))
        o << "| " << markdown_escape(name) << " | " << n << " |\n";
    if (st.by_department.empty()) o << "| （无） | 0 |\n";

    o << "\n## 五、典型事例\n\n";
    if (typical.empty()) o << "本年没有列为典型事例的案件。\n\n";
    int n = 0;
    for (const auto& w : typical)
        o << write_up_markdown(w, ++n, "###");

    o << "## 口径说明\n\n";
    int i = 0;
    for (const auto& [key, text] : annual_definitions(st.year))
        o << ++i << ". " << markdown_escape(text) << "\n";
    return o.str();
}

std::string annual_html(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    std::ostringstream b;
    b << "<h1>" << html_escape(title_of(st)) << "</h1>\n<p class=\"scope\">" << html_escape(scope_of(st))
      << "</p>\n";
    const auto head = headline(st);
    b << "<div class=\"kpis\">\n";
    for (const auto& [label, value, unit, card] : head) {
        if (!card) continue;
        b << "<div class=\"kpi\"><span class=\"num\">" << html_escape(value)
          << "</span><span class=\"label\">" << html_escape(label + (unit.empty() ? "" : "（" + unit + "）"))
          << "</span></div>\n";
    }
    b << "</div>\n";

    b << "<h2>一、主要指标</h2>\n<table>\n<thead><tr><th>指标</th><th "
         "class=\"num\">数值</th></tr></thead>\n<tbody>\n";
    for (const auto& [label, value, unit, card] : head)
        b << "<tr><td>" << html_escape(label) << "</td><td class=\"num\">"
          << html_escape(value + (unit.empty() ? "" : " " + unit)) << "</td></tr>\n";
    b << "</tbody>\n</table>\n";

    b << "<h2>二、按月受理</h2>\n<figure>\n"
      << month_chart(st) << "<figcaption>" << st.year << "年各月受理案件数（件），全年合计 " << st.cases
      << " 件</figcaption>\n</figure>\n";

    const auto cats = sorted_counts(st.by_category, &st.category_names);
    b << "<h2>三、按类别</h2>\n<figure>\n"
      << hbar_chart(cats, "按类别受理案件数")
      << "<figcaption>各类别受理案件数（件）</figcaption>\n</figure>\n";
    b << "<table>\n<thead><tr><th>类别</th><th class=\"num\">件数</th><th "
         "class=\"num\">占比</th></tr></thead>\n<tbody>\n";
    for (const auto& [name, n] : cats)
        b << "<tr><td>" << html_escape(name) << "</td><td class=\"num\">" << n << "</td><td class=\"num\">"
          << share(n, st.cases) << "</td></tr>\n";
    b << "</tbody>\n</table>\n";

    const auto deps = sorted_counts(st.by_department, nullptr);
    b << "<h2>四、按部门</h2>\n<figure>\n"
      << hbar_chart(deps, "按部门派单案件数")
      << "<figcaption>各部门承办案件数（件；一案多部门的分别计入）</figcaption>\n</figure>\n";
    b << "<table>\n<thead><tr><th>部门</th><th class=\"num\">件数</th></tr></thead>\n<tbody>\n";
    for (const auto& [name, n] : deps)
        b << "<tr><td>" << html_escape(name) << "</td><td class=\"num\">" << n << "</td></tr>\n";
    b << "</tbody>\n</table>\n";

    b << "<h2>五、按时办结与回访满意</h2>\n<figure>\n"
      << outcome_chart(st) << "<figcaption>按时办结率 " << html_escape(percent_text(st.on_time_rate))
      << "（按时办结 " << st.on_time << " 件 / 办结 " << st.resolved << " 件）；回访满意率 "
      << html_escape(percent_text(st.satisfaction_rate)) << "（满意 " << st.satisfied << " 次 / 回访 "
      << st.visits << " 次）</figcaption>\n</figure>\n";

    b << "<h2>六、典型事例</h2>\n";
    if (typical.empty()) b << "<p class=\"empty\">本年没有列为典型事例的案件。</p>\n";
    int n = 0;
    for (const auto& w : typical)
        b << write_up_html(w, ++n, "h3");

    b << "<h2>口径说明</h2>\n<ol class=\"notes\">\n";
    for (const auto& [key, text] : annual_definitions(st.year))
        b << "<li>" << html_escape(text) << "</li>\n";
    b << "</ol>\n";
    return html_document(title_of(st), b.str());
}

namespace {

// csv_field guards cells a spreadsheet would run as formulas, as in every CSV the program writes.
std::string csv_cell(const std::string& s) {
    return csv_field(s);
}

}  // namespace

std::string annual_csv(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    std::string out;
    auto row = [&](const std::string& section, const std::string& key, const std::string& name,
                   const std::string& value) {
        out +=
            csv_cell(section) + "," + csv_cell(key) + "," + csv_cell(name) + "," + csv_cell(value) + "\r\n";
    };
    auto rate = [](const std::optional<double>& r) {
        if (!r) return std::string();
        std::ostringstream ss;
        ss << *r;
        return ss.str();
    };
    row("section", "key", "name", "value");
    row("summary", "year", "年度", std::to_string(st.year));
    row("summary", "cases", "受理案件", std::to_string(st.cases));
    row("summary", "resolved", "办结", std::to_string(st.resolved));
    row("summary", "on_time", "按时办结", std::to_string(st.on_time));
    row("summary", "on_time_rate", "按时办结率", rate(st.on_time_rate));
    row("summary", "median_working_days", "办结用时中位数（工作日）",
        st.median_working_days ? number_text(*st.median_working_days) : "");
    row("summary", "overdue", "年末超期", std::to_string(st.overdue));
    row("summary", "overdue_received_in_year", "年末超期中本年受理",
        std::to_string(st.overdue_received_in_year));
    row("summary", "reopened", "重新办理", std::to_string(st.reopened));
    row("summary", "repeat_reports", "重复反映（次）", std::to_string(st.repeat_reports));
    row("summary", "cases_with_repeat_reports", "有重复反映的案件",
        std::to_string(st.cases_with_repeat_reports));
    row("summary", "visits", "回访（次）", std::to_string(st.visits));
    row("summary", "satisfied", "满意（次）", std::to_string(st.satisfied));
    row("summary", "satisfaction_rate", "回访满意率", rate(st.satisfaction_rate));
    row("summary", "rejected", "不予受理", std::to_string(st.rejected));
    row("summary", "open", "年末未办结", std::to_string(st.open));
    for (int m = 0; m < 12; ++m) {
        char key[16];
        std::snprintf(key, sizeof key, "%04d-%02d", st.year, m + 1);
        row("by_month", key, std::to_string(m + 1) + "月",
            std::to_string(st.by_month[static_cast<size_t>(m)]));
    }
    for (const auto& [k, n] : st.by_category)
        row("by_category", k, st.category_names.count(k) ? st.category_names.at(k) : k, std::to_string(n));
    for (const auto& [k, n] : st.by_department)
        row("by_department", k, k, std::to_string(n));
    int n = 0;
    for (const auto& w : typical) {
        row("typical", w.id, "典型事例" + chinese_ordinal(++n) + "：" + w.heading, join(w.paragraphs, "\n"));
    }
    for (const auto& [key, text] : annual_definitions(st.year))
        row("definition", key, "", text);
    return out;
}

}  // namespace minsheng::report
