// Text handling shared by every layer: UTF-8 validation, address normalization for repeat matching,
// terminal display width, masking of personal data in reports, and CSV quoting.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng {

bool is_valid_utf8(std::string_view s);
// Where a file's text stops being UTF-8 (a file saved in GBK, or damaged): line and column, both from 1, the
// column counting characters. nullopt when all of it is UTF-8.
struct TextPlace {
    int line = 0;
    int column = 0;
};
std::optional<TextPlace> first_non_utf8(std::string_view text);
// Throws Error(Usage) naming `what` when s is not valid UTF-8 or holds control characters (tab and newline
// are allowed only when allow_newlines).
void require_text(std::string_view s, std::string_view what, bool allow_newlines = false);

// The most bytes one field taken in (a summary, an address, a note, a field's value …) may hold. A station
// reads its cases row by row; a cell of megabytes would make every list, export and verify carry it, so it is
// refused where it comes in rather than stored.
inline constexpr std::size_t kMaxFieldBytes = 64 * 1024;
// Throws Error(Refused) (exit 3) naming `what` (in Chinese: 摘要, 地址 …) when `s` is over kMaxFieldBytes.
void require_field_size(std::string_view s, std::string_view what);
std::string trim(std::string_view s);

// The key two addresses are compared by (SPEC "Addresses and repeat reports"): NFKC (full-width letters and
// digits become half-width), all white space removed, traditional characters made simplified (OpenCC,
// 號 → 号), Chinese numerals before a unit written in digits (三号 → 3号, 十二号 → 12号) and leading zeros
// dropped (03号 → 3号). "海福巷 3 號", "海福巷三号" and "海福巷０３号" all give "海福巷3号".
std::string normalize_address(std::string_view address);
// Traditional → simplified by OpenCC alone (its t2s configuration), and whether it could change `text` at all
// (it holds a character of a dictionary key): normalize_address asks OpenCC only when it could.
std::string opencc_t2s(const std::string& text);
bool t2s_may_change(std::string_view text);
// Raised whenever normalize_address changes what it gives: events carry the version they were folded with,
// and an older one is folded again when the case is replayed.
inline constexpr int kAddressFoldVersion = 2;
// Whether two different address keys name nearby places (SPEC: the similar-address warning): one is the other
// followed by more (海福巷3号 / 海福巷3号楼), the shorter holds a number (a whole street is not "near" every
// house on it), and the cut does not split a number (海福巷3 / 海福巷31号 are not similar).
bool similar_address_keys(std::string_view a, std::string_view b);
// The prefixes of `key` that similar_address_keys could accept as the shorter side, longest first (for an
// index lookup by equality).
std::vector<std::string> similar_address_prefixes(std::string_view key);

// Columns the text takes in a terminal (CJK characters take two).
int display_width(std::string_view s);
// Pads with spaces to `width` display columns (never truncates).
std::string pad_to_width(std::string_view s, int width);

// Splits text into code points, each as its UTF-8 bytes; an invalid byte is passed through as one of its own.
std::vector<std::string_view> code_points(std::string_view s);
// The non-empty parts joined by `sep` (an empty part leaves no doubled separator).
std::string join_nonempty(const std::vector<std::string>& parts, std::string_view sep);
// A list written by people split at commas, 、, semicolons, full stops and new lines; items trimmed, empty
// ones dropped.
std::vector<std::string> split_list(const std::string& s);

// Names of people the program keeps (staff, the acting person). A name is trimmed and in NFC; one that is not
// valid UTF-8, is empty, or holds control characters, format characters (zero-width spaces and joiners,
// direction marks: Unicode Cf) or other invisible code points (unassigned, private use, line and paragraph
// separators) is refused with Error(Usage) naming `what`: two names that look the same must be the same name.
std::string checked_name(std::string_view name, std::string_view what);
// The key under which two names look alike: NFKC, then format characters and white space removed
// (王协调, 王 协调 and 王协调 written with full-width or compatibility forms share one key).
std::string name_key(std::string_view name);
// Refuses (Error(Refused), exit 3) a new name that is registered already or looks like a registered one
// (same name_key), naming it.
void check_new_name(const std::string& name, const std::vector<std::string>& registered);

// 宋长松 -> 宋某 (two-character compound surnames such as 欧阳 are kept whole).
std::string mask_name(std::string_view name);
// 13812341234 -> 138****1234; other lengths keep their first 3 and last 4 digits when long enough.
std::string mask_phone(std::string_view phone);

// The candidate closest to a misspelt `word`, or "" when none is close. A typo of one word of a compound
// name counts as close too, so `deadine` suggests `deadline_days`.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// `（是 "x" 吗？）` naming the candidate closest to a misspelt `word`, or "" when none is close: the
// suggestion the workflow checker gives for unknown keys and names, and the template checker for unknown
// placeholders.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Every CSV cell the program writes, by one policy (SPEC Part 2 "Ledgers"): a text cell that starts with `=`,
// `+`, `-`, `@`, a tab or a carriage return — which a spreadsheet would run as a formula — gets a leading
// `'`, and so does one that starts with `'`s before such a character (so that csv_unguard gives back exactly
// what was written). A plain number (-3, +1.5) is no formula and is written as it is. Then RFC 4180: the
// field quoted (its quotes doubled) when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view s);
// A cell as read from a CSV (already unquoted) without csv_field's formula guard: one leading `'` removed
// when
// `'`s are followed by a character the guard is for. Anything else is returned as it is.
std::string csv_unguard(std::string_view cell);

}  // namespace minsheng
