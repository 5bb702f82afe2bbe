// UTF-8 validation, NFKC address keys and display width through utf8proc; code points and lists for reports.
#include "engine/text.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "engine/error.h"

namespace minsheng {

namespace {

// Walks code points; returns false at the first invalid sequence.
template <class F>
bool for_each_codepoint(std::string_view s, F&& f) {
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
    utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0 || cp < 0) return false;
        f(cp);
        p += n;
        left -= n;
    }
    return true;
}

bool is_space(utf8proc_int32_t cp) {
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0) return true;
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

void append_utf8(std::string& out, utf8proc_int32_t cp) {
    utf8proc_uint8_t buf[4];
    const auto n = utf8proc_encode_char(cp, buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// Compound surnames that mask as a whole (欧阳某, not 欧某).
constexpr std::array<std::string_view, 16> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙",
    "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离"};

}  // namespace

bool is_valid_utf8(std::string_view s) {
    return for_each_codepoint(s, [](utf8proc_int32_t) {});
}

std::optional<TextPlace> first_non_utf8(std::string_view text) {
    TextPlace at{1, 1};  // of the next code point: where the text stops being UTF-8 when it does
    const bool valid = for_each_codepoint(text, [&at](utf8proc_int32_t cp) {
        if (cp == '\n') {
            ++at.line;
            at.column = 1;
        } else {
            ++at.column;
        }
    });
    return valid ? std::nullopt : std::optional<TextPlace>(at);
}

void require_text(std::string_view s, std::string_view what, bool allow_newlines) {
    bool control = false;
    const bool ok = for_each_codepoint(s, [&](utf8proc_int32_t cp) {
        if (cp == '\n' || cp == '\t' || cp == '\r') {
            if (!allow_newlines) control = true;
        } else if (cp < 0x20 || cp == 0x7F) {
            control = true;
        }
    });
    if (!ok) throw usage_error(std::string(what) + " 不是有效的 UTF-8 文本");
    if (control) throw usage_error(std::string(what) + " 含有控制字符（换行、制表符等），请删去");
}

void require_field_size(std::string_view s, std::string_view what) {
    if (s.size() <= kMaxFieldBytes) return;
    throw refused(std::string(what) + "过长（" + std::to_string((s.size() + 1023) / 1024) +
                  " KB），单项内容最多 64 KB；请精简后再录入，长材料可另行存档后在备注中注明");
}

namespace {

bool is_invisible(utf8proc_int32_t cp) {
    switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_CC:
        case UTF8PROC_CATEGORY_CF:
        case UTF8PROC_CATEGORY_CO:
        case UTF8PROC_CATEGORY_CS:
        case UTF8PROC_CATEGORY_CN:
        case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
            return true;
        default:
            return false;
    }
}

std::string normalized(std::string_view s, bool compatibility) {
    const std::string text(s);
    const auto* in = reinterpret_cast<const utf8proc_uint8_t*>(text.c_str());
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> out(
        compatibility ? utf8proc_NFKC(in) : utf8proc_NFC(in), &std::free);
    return out ? std::string(reinterpret_cast<const char*>(out.get())) : text;
}

}  // namespace

std::string checked_name(std::string_view name, std::string_view what) {
    require_text(name, what);
    bool invisible = false;
    for_each_codepoint(name, [&](utf8proc_int32_t cp) { invisible = invisible || is_invisible(cp); });
    if (invisible)
        throw usage_error(std::string(what) + " 含有不可见字符（零宽字符或格式字符），请去掉后重新输入");
    const std::string n = trim(normalized(name, false));
    if (n.empty()) throw usage_error(std::string(what) + " 为空");
    return n;
}

std::string name_key(std::string_view name) {
    if (!is_valid_utf8(name)) return std::string(name);
    std::string out;
    for_each_codepoint(normalized(name, true), [&](utf8proc_int32_t cp) {
        if (!is_space(cp) && !is_invisible(cp)) append_utf8(out, cp);
    });
    return out;
}

void check_new_name(const std::string& name, const std::vector<std::string>& registered) {
    const std::string key = name_key(name);
    for (const auto& r : registered) {
        if (r == name) throw refused("“" + name + "”已经登记过");
        if (name_key(r) == key)
            throw refused("'" + name + "' 与已登记的 '" + r + "' 看起来相同，会被混淆；请用可区分的名字");
    }
}

std::string trim(std::string_view s) {
    // One walk over the code points, remembering the bytes from the first to the last that is not white
    // space; invalid UTF-8 comes back as it is.
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
    size_t pos = 0, begin = std::string_view::npos, end = 0;
    while (pos < s.size()) {
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t n =
            utf8proc_iterate(p + pos, static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
        if (n <= 0 || cp < 0) return std::string(s);
        if (!is_space(cp)) {
            if (begin == std::string_view::npos) begin = pos;
            end = pos + static_cast<size_t>(n);
        }
        pos += static_cast<size_t>(n);
    }
    return begin == std::string_view::npos ? std::string() : std::string(s.substr(begin, end - begin));
}

int display_width(std::string_view s) {
    // Printable ASCII is one column a byte: most cells of a list (ids, dates, phones) need no decoding,
    // which the width pass of a long table asks of every cell.
    bool ascii = true;
    for (char ch : s)
        ascii = ascii && ch >= 0x20 && ch < 0x7f;
    if (ascii) return static_cast<int>(s.size());
    int width = 0;
    if (!for_each_codepoint(s, [&](utf8proc_int32_t cp) { width += utf8proc_charwidth(cp); }))
        return static_cast<int>(s.size());
    return width;
}

std::string pad_to_width(std::string_view s, int width) {
    std::string out(s);
    const int w = display_width(s);
    if (w < width) out.append(static_cast<size_t>(width - w), ' ');
    return out;
}

std::string mask_name(std::string_view name) {
    const std::string n = trim(name);
    if (n.empty()) return n;
    for (auto compound : kCompoundSurnames)
        if (n.size() > compound.size() && n.compare(0, compound.size(), compound) == 0)
            return std::string(compound) + "某";
    std::string first;
    bool done = false;
    for_each_codepoint(n, [&](utf8proc_int32_t cp) {
        if (!done) append_utf8(first, cp);
        done = true;
    });
    return first + "某";
}

std::string mask_phone(std::string_view phone) {
    std::string digits;
    for (char c : phone)
        if (c >= '0' && c <= '9') digits += c;
    if (digits.size() < 7) return std::string(digits.size(), '*');
    return digits.substr(0, 3) + std::string(digits.size() - 7, '*') + digits.substr(digits.size() - 4);
}

namespace {

bool is_formula_start(char c) {
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// -3, +12, 0.5, -1.25: a number a spreadsheet reads as one, never as a formula.
bool is_plain_number(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::size_t digits_from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
        ++i;
    if (i == digits_from) return false;
    if (i < s.size() && s[i] == '.') {
        const std::size_t frac_from = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        if (i == frac_from) return false;
    }
    return i == s.size();
}

// Whether the text is `'`* followed by a formula character: what the guard marks.
bool needs_guard(std::string_view s) {
    const std::size_t i = s.find_first_not_of('\'');
    return i != std::string_view::npos && is_formula_start(s[i]) && !is_plain_number(s);
}

}  // namespace

std::string csv_unguard(std::string_view cell) {
    if (cell.size() >= 2 && cell[0] == '\'' && needs_guard(cell.substr(1)))
        return std::string(cell.substr(1));
    return std::string(cell);
}

std::string csv_field(std::string_view text) {
    const std::string guarded = needs_guard(text) ? "'" + std::string(text) : std::string(text);
    const std::string_view s = guarded;
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

// The candidate closest to `word`, or "" when none is close. A typo of one word of a compound name counts
// as close too, so `deadine` suggests `deadline_days`.
std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
    if (word.empty() || word.size() > 64) return "";
    std::size_t best_score = SIZE_MAX;
    std::string best;
    for (const std::string& c : candidates) {
        std::size_t score = edit_distance(word, c);
        if (score > std::max<std::size_t>(2, c.size() / 3)) score = SIZE_MAX;
        std::size_t start = 0;
        while (start <= c.size()) {
            std::size_t end = c.find_first_of("_-", start);
            if (end == std::string::npos) end = c.size();
            const std::string_view part = std::string_view(c).substr(start, end - start);
            if (part.size() >= 4 && part != c && edit_distance(word, part) <= 1)
                score = std::min(score, edit_distance(word, part) + 1);
            start = end + 1;
        }
        if (score < best_score) {
            best_score = score;
            best = c;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string best = closest(word, candidates);
    return best.empty() ? "" : "（是 \"" + best + "\" 吗？）";
}

// -------------------------------------------------------------------------------------------------------------
// Code points and lists, as the reports take text apart.

namespace {

// The length of a UTF-8 sequence by its lead byte; 1 for a byte that starts none, so it passes on its own.
size_t utf8_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

}  // namespace

std::vector<std::string_view> code_points(std::string_view s) {
    std::vector<std::string_view> out;
    for (size_t i = 0; i < s.size();) {
        size_t n = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string join_nonempty(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

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

}  // namespace minsheng
