// The working-day calendar: strict date parsing, the YAML holiday data, and an index that answers
// "N working days after D" and "working days between A and B" in constant time.
#include "engine/calendar.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

#include "engine/error.h"
#include "engine/text.h"

namespace minsheng {
namespace {

// Boost.Date_Time only represents these years; anything outside is rejected before it reaches Boost,
// whose constructors would throw their own exception types.
constexpr int kMinYear = 1400;
constexpr int kMaxYear = 9999;

bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Validates by hand so that no Boost exception can escape and so that "2023-2-3" or "+2023-02-03", which
// Boost's own parsers accept, are refused.
std::optional<Date> try_parse_date(std::string_view t) {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (!is_digit(t[i])) return std::nullopt;
    }
    auto num = [&](size_t pos, size_t len) {
        int v = 0;
        for (size_t i = pos; i < pos + len; ++i)
            v = v * 10 + (t[i] - '0');
        return v;
    };
    const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
    if (y < kMinYear || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
    return Date(static_cast<unsigned short>(y), static_cast<unsigned short>(m),
                static_cast<unsigned short>(d));
}

// Messages are one line, so control characters in user text must not reach them verbatim.
std::string quote(std::string_view text) {
    std::string out = "'";
    for (char c : text)
        out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    return out + "'";
}

bool is_weekend(Date d) {
    const auto wd = d.day_of_week().as_number();  // 0 = Sunday
    return wd == 0 || wd == 6;
}

std::string weekday_name(Date d) {
    static const char* const kNames[7] = {"星期日", "星期一", "星期二", "星期三",
                                          "星期四", "星期五", "星期六"};
    return kNames[d.day_of_week().as_number()];
}

void require_real(Date d) {
    if (d.is_special()) throw usage_error("不是日期：工作日历需要真实的日期");
}

class YamlCalendarReader {
public:
    explicit YamlCalendarReader(const std::string& source) : source_(source) {}

    std::vector<CalendarYear> read(const YAML::Node& root) const {
        if (!root.IsMap()) fail(root.Mark(), "顶层应为以 `years:` 开头的映射");
        std::optional<Field> years;
        for (const auto& kv : root) {
            const std::string key = key_text(kv.first);
            if (key != "years") fail(kv.first.Mark(), "未知的键 " + quote(key) + "（应为 `years`）");
            if (years) fail(kv.first.Mark(), "键 `years` 出现了两次");
            years = Field{kv.first, kv.second};
        }
        if (!years) fail(root.Mark(), "缺少键 `years:`");
        if (!years->value.IsMap() || years->value.size() == 0) {
            fail(where(years->key, years->value), "`years` 下应按年份写 {holidays, workdays}");
        }

        std::map<int, CalendarYear> out;
        for (const auto& kv : years->value) {
            const std::string key = key_text(kv.first);
            const bool four_digits = key.size() == 4 && std::all_of(key.begin(), key.end(), is_digit);
            const int year = four_digits ? std::stoi(key) : 0;
            if (year < kMinYear) fail(kv.first.Mark(), "年份键 " + quote(key) + " 不是 2024 这样的年份");
            if (out.count(year)) fail(kv.first.Mark(), "年份 " + key + " 出现了两次");
            out[year] = read_year(year, kv.first, kv.second);
        }
        std::vector<CalendarYear> result;
        for (auto& [year, data] : out)
            result.push_back(std::move(data));
        return result;
    }

private:
    const std::string& source_;

    // yaml-cpp marks an empty value at the next token, often on a later line; point at its key instead.
    static YAML::Mark where(const YAML::Node& key, const YAML::Node& value) {
        return value.IsNull() ? key.Mark() : value.Mark();
    }

    struct Field {
        YAML::Node key, value;
    };

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
        if (mark.is_null()) throw refused(source_ + ": " + message);
        throw refused(source_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
                      ": " + message);
    }

    std::string key_text(const YAML::Node& key) const {
        if (!key.IsScalar()) fail(key.Mark(), "映射的键必须是纯文本");
        return key.Scalar();
    }

    struct Seen {
        bool holiday;
        int line;
    };

    CalendarYear read_year(int year, const YAML::Node& year_key, const YAML::Node& node) const {
        const std::string y = std::to_string(year);
        if (!node.IsMap()) fail(where(year_key, node), "年份 " + y + " 下应写 `holidays:` 和 `workdays:`");
        CalendarYear data;
        data.year = year;
        std::optional<Field> holidays, workdays;
        for (const auto& kv : node) {
            const std::string key = key_text(kv.first);
            std::optional<Field>* slot = key == "holidays"   ? &holidays
                                         : key == "workdays" ? &workdays
                                                             : nullptr;
            if (!slot) fail(kv.first.Mark(), "未知的键 " + quote(key) + "（应为 holidays 或 workdays）");
            if (*slot) fail(kv.first.Mark(), "年份 " + y + " 中键 `" + key + "` 出现了两次");
            *slot = Field{kv.first, kv.second};
        }
        // A year present with no holidays would silently declare every weekday working: refuse it.
        if (!holidays) fail(year_key.Mark(), "年份 " + y + " 缺少 `holidays:` 列表");

        std::map<Date, Seen> seen;
        read_entries(year, *holidays, true, data.holidays, seen);
        if (workdays && !workdays->value.IsNull()) read_entries(year, *workdays, false, data.workdays, seen);
        return data;
    }

    void read_entries(int year, const Field& field, bool holiday,
                      std::vector<std::pair<Date, std::string>>& out, std::map<Date, Seen>& seen) const {
        const char* what = holiday ? "节假日" : "调休上班日";
        const char* list_name = holiday ? "holidays" : "workdays";
        const YAML::Node& list = field.value;
        if (!list.IsSequence() || (holiday && list.size() == 0)) {
            fail(where(field.key, list),
                 std::string("`") + list_name + "` 应是 {date: YYYY-MM-DD, name: ...} 的列表");
        }
        for (const auto& entry : list) {
            if (!entry.IsMap()) fail(entry.Mark(), std::string(what) + "条目应写成 {date: ..., name: ...}");
            std::optional<YAML::Node> date_node, name_node;
            for (const auto& kv : entry) {
                const std::string key = key_text(kv.first);
                std::optional<YAML::Node>* slot = key == "date"   ? &date_node
                                                  : key == "name" ? &name_node
                                                                  : nullptr;
                if (!slot) fail(kv.first.Mark(), "未知的键 " + quote(key) + "（应为 date 或 name）");
                if (*slot) fail(kv.first.Mark(), "键 `" + key + "` 出现了两次");
                *slot = kv.second;
            }
            if (!date_node) fail(entry.Mark(), std::string(what) + "条目缺少 `date`");
            const YAML::Mark at = date_node->Mark();
            const std::string text = date_node->IsScalar() ? date_node->Scalar() : std::string();
            const std::optional<Date> date = date_node->IsScalar() ? try_parse_date(text) : std::nullopt;
            if (!date) fail(at, "日期 " + quote(text) + " 无效：应为真实日期 YYYY-MM-DD");
            if (date->year() != year) {
                fail(at, std::string(what) + " " + text + " 不在其年份键 " + std::to_string(year) + " 年内");
            }

            std::string name;
            if (name_node && !name_node->IsNull()) {
                if (!name_node->IsScalar()) fail(name_node->Mark(), "名称必须是纯文本");
                name = name_node->Scalar();
            }
            if (holiday && name.empty()) fail(entry.Mark(), "节假日 " + text + " 缺少名称");

            if (auto it = seen.find(*date); it != seen.end()) {
                const std::string first_line = std::to_string(it->second.line + 1);
                if (it->second.holiday == holiday) {
                    fail(at, text + " 出现了两次（第一次在第 " + first_line + " 行）");
                }
                fail(at, text + " 既是节假日又是调休上班日（另一条在第 " + first_line + " 行）");
            }
            seen.emplace(*date, Seen{holiday, at.line});
            if (!holiday && !is_weekend(*date)) {
                fail(at,
                     "调休上班日 " + text + " 是" + weekday_name(*date) + "；调休上班日只能是星期六或星期日");
            }
            out.emplace_back(*date, std::move(name));
        }
    }
};

}  // namespace

Date parse_date(std::string_view text) {
    if (auto d = try_parse_date(text)) return *d;
    throw usage_error("日期 " + quote(text) + " 无效：应为真实日期 YYYY-MM-DD");
}

std::string format_date(Date d) {
    if (d.is_special()) return "not-a-date";
    const auto ymd = d.year_month_day();
    std::string out = "0000-00-00";
    auto put = [&out](size_t end, int value) {
        for (size_t i = end; value > 0; --i, value /= 10)
            out[i] = static_cast<char>('0' + value % 10);
    };
    put(3, ymd.year);
    put(6, ymd.month);
    put(9, ymd.day);
    return out;
}

std::vector<CalendarYear> parse_calendar_yaml(const std::string& text, const std::string& source_name) {
    // yaml-cpp reads bytes that are not UTF-8 without a word; a holiday's name so stored could not be shown.
    if (const auto bad = first_non_utf8(text))
        throw refused(source_name + ":" + std::to_string(bad->line) + ":" + std::to_string(bad->column) +
                      "：这里起不是 UTF-8 文本：日历文件须以 UTF-8 编码保存（文本编辑器“另存为”时选 UTF-8）");
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        const std::string where = e.mark.is_null() ? source_name
                                                   : source_name + ":" + std::to_string(e.mark.line + 1) +
                                                         ":" + std::to_string(e.mark.column + 1);
        throw refused(where + "：YAML 语法错误：" + e.msg);
    }
    try {
        return YamlCalendarReader(source_name).read(root);
    } catch (const YAML::Exception& e) {
        // Only reachable through a yaml-cpp bug or an unforeseen node shape; keep it a refusal, not a crash.
        throw refused(source_name + ": " + e.msg);
    }
}

Calendar::Calendar(std::vector<CalendarYear> years) {
    std::map<int, CalendarYear> by_year;
    for (auto& y : years)
        by_year[y.year] = std::move(y);  // a later year replaces an earlier one
    if (by_year.empty()) return;
    for (const auto& [year, data] : by_year) {
        if (year < kMinYear || year > kMaxYear) {
            throw refused("日历年份 " + std::to_string(year) + " 超出支持范围 1400–9999");
        }
    }
    first_year_ = by_year.begin()->first;
    const int last_year = by_year.rbegin()->first;

    next_uncovered_.assign(static_cast<size_t>(last_year - first_year_ + 1), 0);
    for (int y = last_year, next = last_year + 1; y >= first_year_; --y) {
        if (!by_year.count(y)) next = y;
        next_uncovered_[static_cast<size_t>(y - first_year_)] = next;
    }

    first_ = Date(static_cast<unsigned short>(first_year_), 1, 1);
    const Date last(static_cast<unsigned short>(last_year), 12, 31);
    const auto total = static_cast<size_t>((last - first_).days() + 1);

    // Callers may build a Calendar from stored data rather than from parse_calendar_yaml, so the invariants
    // the index relies on are checked again here.
    enum Kind : unsigned char { Ordinary, Holiday, Workday };
    std::vector<unsigned char> kind(total, Ordinary);
    for (const auto& [year, data] : by_year) {
        auto mark = [&, year = year](const std::pair<Date, std::string>& entry, Kind k) {
            const Date d = entry.first;
            if (d.is_special() || d.year() != year) {
                throw refused("日历年份 " + std::to_string(year) + " 中列出的 " + format_date(d) +
                              " 不在该年内");
            }
            if (k == Workday && !is_weekend(d)) {
                throw refused("调休上班日 " + format_date(d) + " 是" + weekday_name(d) +
                              "，不是星期六或星期日");
            }
            const auto i = static_cast<size_t>((d - first_).days());
            if (kind[i] != Ordinary && kind[i] != k) {
                throw refused(format_date(d) + " 既是节假日又是调休上班日");
            }
            kind[i] = k;
            names_.emplace_back(static_cast<int>(i), entry.second);
        };
        for (const auto& h : data.holidays)
            mark(h, Holiday);
        for (const auto& w : data.workdays)
            mark(w, Workday);
        if (data.provisional) provisional_years_.push_back(year);
    }
    std::stable_sort(names_.begin(), names_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });

    cumulative_.resize(total);
    int count = 0;
    int weekday = first_.day_of_week().as_number();  // 0 = Sunday
    size_t i = 0;
    for (int year = first_year_; year <= last_year; ++year) {
        const bool covered = by_year.count(year) > 0;
        for (int n = is_leap(year) ? 366 : 365; n > 0; --n, ++i, weekday = (weekday + 1) % 7) {
            const bool working =
                covered && (kind[i] == Workday || (kind[i] == Ordinary && weekday != 0 && weekday != 6));
            if (working) {
                ++count;
                workday_index_.push_back(static_cast<int>(i));
            }
            cumulative_[i] = count;
        }
    }
}

bool Calendar::covers(int year) const {
    if (next_uncovered_.empty() || year < first_year_) return false;
    const auto i = static_cast<size_t>(year - first_year_);
    return i < next_uncovered_.size() && next_uncovered_[i] != year;
}

bool Calendar::covers_years(int from, int to) const {
    for (int y = from; y <= to; ++y)
        if (!covers(y)) return false;
    return true;
}

std::vector<int> Calendar::years() const {
    std::vector<int> out;
    for (size_t i = 0; i < next_uncovered_.size(); ++i) {
        const int year = first_year_ + static_cast<int>(i);
        if (next_uncovered_[i] != year) out.push_back(year);
    }
    return out;
}

int Calendar::offset(Date d) const {
    return static_cast<int>((d - first_).days());
}

std::string uncovered_year_message(int year) {
    const std::string y = std::to_string(year);
    return "工作日历缺少 " + y + " 年的放假安排：请督办载入国务院办公厅的放假通知（minsheng calendar load " +
           "FILE），或暂按法定节假日计算（minsheng calendar provisional " + y + "）";
}

void Calendar::throw_uncovered(int year) const {
    const std::string y = std::to_string(year);
    throw refused("工作日历缺少 " + y +
                  " 年的放假安排：请督办载入国务院办公厅的放假通知，或暂按法定节假日计算")
        .with_cli_text(uncovered_year_message(year));
}

CalendarGap calendar_gap(const Calendar& cal, Date today) {
    using Kind = CalendarGap::Kind;
    if (today.is_special()) return {};
    if (!cal.covers(today.year())) return {Kind::Uncovered, today.year()};
    if (cal.is_provisional(today.year())) return {Kind::ProvisionalNow, today.year()};
    const std::optional<Date> official = cal.covered_until(today, true);
    if (!official || (*official - today).days() > 60) return {};
    const int next = official->year() + 1;
    return {cal.is_provisional(next) ? Kind::NextProvisional : Kind::NextMissing, next};
}

std::string calendar_warning(const Calendar& cal, Date today) {
    using Kind = CalendarGap::Kind;
    const CalendarGap gap = calendar_gap(cal, today);
    const std::string y = std::to_string(gap.year);
    const std::string load = "国务院办公厅的放假通知发布后，请督办载入（minsheng calendar load FILE）";
    switch (gap.kind) {
        case Kind::None:
            return "";
        case Kind::Uncovered:
            return uncovered_year_message(gap.year);
        case Kind::ProvisionalNow:
            return y + " 年按暂定日历计算（仅法定节假日及补假，未含调休）；" + load;
        case Kind::NextProvisional:
            return y + " 年的放假通知尚未载入，该年的办理期限按暂定日历计算（暂定）；" + load;
        case Kind::NextMissing:
            return y + " 年的放假安排尚未载入，期限跨入 " + y + " 年的案件将无法计算：" + load +
                   "；通知发布前，可暂按法定节假日计算（minsheng calendar provisional " + y + "）";
    }
    return "";
}

bool Calendar::is_provisional(int year) const {
    return std::binary_search(provisional_years_.begin(), provisional_years_.end(), year);
}

bool Calendar::any_provisional(int from, int to) const {
    auto it = std::lower_bound(provisional_years_.begin(), provisional_years_.end(), from);
    return it != provisional_years_.end() && *it <= to;
}

std::optional<Date> Calendar::covered_until(Date from, bool official_only) const {
    if (from.is_special()) return std::nullopt;
    auto ok = [&](int y) { return covers(y) && !(official_only && is_provisional(y)); };
    int y = from.year();
    if (!ok(y)) return std::nullopt;
    while (y < kMaxYear && ok(y + 1))
        ++y;
    return Date(static_cast<unsigned short>(y), 12, 31);
}

void Calendar::require_covered(Date d) const {
    require_real(d);
    if (!covers(d.year())) throw_uncovered(d.year());
}

void Calendar::require_span(Date a, Date b) const {
    require_covered(a);
    require_real(b);
    // next_uncovered_ is bounded by last covered year + 1, so a span past the data is caught here too.
    const int gap = next_uncovered_[static_cast<size_t>(a.year() - first_year_)];
    if (gap <= b.year()) throw_uncovered(gap);
}

bool Calendar::is_working_day(Date d) const {
    require_covered(d);
    const auto i = static_cast<size_t>(offset(d));
    return cumulative_[i] != (i == 0 ? 0 : cumulative_[i - 1]);
}

std::string Calendar::day_name(Date d) const {
    require_covered(d);
    const int i = offset(d);
    auto it = std::lower_bound(names_.begin(), names_.end(), i,
                               [](const auto& entry, int value) { return entry.first < value; });
    return it != names_.end() && it->first == i ? it->second : std::string();
}

Date Calendar::add_working_days(Date start, int n) const {
    if (n < 0) throw usage_error("工作日天数不能为负数（给的是 " + std::to_string(n) + "）");
    require_covered(start);
    if (n == 0) return start;
    // cumulative_ counts working days up to and including start, which is exactly the index of the first
    // working day strictly after it.
    const int64_t k = static_cast<int64_t>(cumulative_[static_cast<size_t>(offset(start))]) + n - 1;
    if (k >= static_cast<int64_t>(workday_index_.size())) {
        throw_uncovered(next_uncovered_[static_cast<size_t>(start.year() - first_year_)]);
    }
    const Date result = first_ + boost::gregorian::days(workday_index_[static_cast<size_t>(k)]);
    require_span(start, result);
    return result;
}

int Calendar::working_days_between(Date a, Date b) const {
    require_real(a);
    require_real(b);
    if (b <= a) return 0;
    require_span(a, b);
    return cumulative_[static_cast<size_t>(offset(b))] - cumulative_[static_cast<size_t>(offset(a))];
}

}  // namespace minsheng
