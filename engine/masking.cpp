// Masking personal data in report text: names by the case's reporters and persons, phones as given, and
// phone, ID and card numbers by their shape (see masking.h).
#include "engine/masking.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include "engine/text.h"

namespace minsheng::report {

namespace {

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

// What coordinators write when there is no name: not a person's name, so neither masked nor hunted for
// (masking 网格员 as 网某 would also rewrite the channel 网格员 everywhere).
bool is_placeholder_name(const std::string& name) {
    static const std::set<std::string> words = {
        "匿名", "匿名群众", "群众", "居民", "市民", "热心群众", "热心市民", "网格员",  "业主",
        "住户", "租户",     "本人", "不详", "未知", "无",       "未留名",   "未留姓名"};
    return words.count(name) > 0;
}

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

std::string shown_name(const std::string& name) {
    const std::string n = trim(name);
    return is_placeholder_name(n) ? n : mask_name(n);
}

}  // namespace minsheng::report
