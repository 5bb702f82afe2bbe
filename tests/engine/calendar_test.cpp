// Tests of the working-day calendar: hand-checked deadlines around the holidays of 2023-2026, the fast index
// against a day-by-day reference walk, uncovered years, strict dates and the YAML loader's error positions.

#include <functional>
#include <random>
#include <set>

#include "engine/calendar.h"
#include "engine/error.h"
#include "prelude.h"

using Catch::Matchers::StartsWith;
using minsheng::Calendar;
using minsheng::CalendarYear;
using minsheng::Date;
using minsheng::format_date;
using minsheng::parse_date;

namespace {

const std::string kShippedPath = MINSHENG_SOURCE_DIR "/workflows/calendar/cn-holidays.yaml";

const std::vector<CalendarYear>& shipped_years() {
    static const std::vector<CalendarYear> years =
        minsheng::parse_calendar_yaml(read_existing(kShippedPath), kShippedPath);
    return years;
}

const Calendar& shipped() {
    static const Calendar calendar(shipped_years());
    return calendar;
}

// The shipped data without 2025, to exercise a gap between covered years.
std::vector<CalendarYear> years_without_2025() {
    std::vector<CalendarYear> out;
    for (const auto& y : shipped_years()) {
        if (y.year != 2025) out.push_back(y);
    }
    return out;
}

std::string yaml_error(const std::string& text) {
    const Error e = error_of([&] { minsheng::parse_calendar_yaml(text, "t.yaml"); });
    CHECK(e.kind() == ErrorKind::Refused);
    return e.what();
}

std::string uncovered(int year) {
    return minsheng::uncovered_year_message(year);
}

// The definition read literally, one day at a time, so it shares nothing with the index but the data.
class NaiveCalendar {
public:
    explicit NaiveCalendar(const std::vector<CalendarYear>& years) {
        for (const auto& y : years) {
            covered_.insert(y.year);
            for (const auto& [d, name] : y.holidays)
                holidays_.insert(d);
            for (const auto& [d, name] : y.workdays)
                workdays_.insert(d);
        }
    }

    bool is_working_day(Date d) const {
        if (!covered_.count(d.year())) throw minsheng::refused(uncovered(d.year()));
        if (workdays_.count(d)) return true;
        if (holidays_.count(d)) return false;
        const int wd = d.day_of_week().as_number();
        return wd != 0 && wd != 6;
    }

    Date add_working_days(Date start, int n) const {
        is_working_day(start);  // the start's year must be covered, as in the fast version
        Date d = start;
        for (int k = 0; k < n; ++k) {
            do {
                d += boost::gregorian::days(1);
            } while (!is_working_day(d));
        }
        return d;
    }

    int working_days_between(Date a, Date b) const {
        if (b <= a) return 0;
        is_working_day(a);
        int count = 0;
        for (Date d = a + boost::gregorian::days(1); d <= b; d += boost::gregorian::days(1))
            count += is_working_day(d);
        return count;
    }

private:
    std::set<int> covered_;
    std::set<Date> holidays_, workdays_;
};

// Either both return the same value or both refuse with the same message.
template <class Fast, class Slow>
void check_same(Fast fast, Slow slow) {
    std::string fast_result, slow_result;
    try {
        fast_result = fast();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Refused);
        fast_result = std::string("error: ") + e.what();
    }
    try {
        slow_result = slow();
    } catch (const Error& e) {
        slow_result = std::string("error: ") + e.what();
    }
    REQUIRE(fast_result == slow_result);
}

Date random_date(std::mt19937& rng, Date from, Date to) {
    std::uniform_int_distribution<long> pick(0, (to - from).days());
    return from + boost::gregorian::days(pick(rng));
}

void compare_with_naive(const std::vector<CalendarYear>& years, unsigned seed) {
    const Calendar fast(years);
    const NaiveCalendar slow(years);
    std::mt19937 rng(seed);
    // A margin of half a year on both sides so that uncovered years are hit too.
    const Date from = parse_date("2022-07-01"), to = parse_date("2027-06-30");
    std::uniform_int_distribution<int> pick_n(0, 300);
    for (int i = 0; i < 4000; ++i) {
        const Date start = random_date(rng, from, to);
        const int n = pick_n(rng);
        CAPTURE(format_date(start), n);
        check_same([&] { return format_date(fast.add_working_days(start, n)); },
                   [&] { return format_date(slow.add_working_days(start, n)); });
    }
    for (int i = 0; i < 4000; ++i) {
        const Date a = random_date(rng, from, to);
        // Mostly short spans like suspensions, some long ones across years, some reversed.
        const Date b = i % 4 == 0 ? random_date(rng, from, to) : a + boost::gregorian::days(pick_n(rng) - 30);
        CAPTURE(format_date(a), format_date(b));
        check_same([&] { return std::to_string(fast.working_days_between(a, b)); },
                   [&] { return std::to_string(slow.working_days_between(a, b)); });
    }
    for (Date d = from; d <= to; d += boost::gregorian::days(1)) {
        CAPTURE(format_date(d));
        check_same([&] { return std::to_string(fast.is_working_day(d)); },
                   [&] { return std::to_string(slow.is_working_day(d)); });
    }
}

}  // namespace

TEST_CASE("deadlines around the holidays, checked by hand against the notices", "[calendar]") {
    // clang-format off
    auto [start, n, expected, why] = GENERATE(table<const char*, int, const char*, const char*>({
        {"2023-06-01", 20, "2023-06-30", "June 2023 intake: 端午 06-22..24 off, Sunday 06-25 worked"},
        {"2023-06-15", 20, "2023-07-14", "across 端午 2023"},
        {"2023-06-21", 20, "2023-07-20", "the day before 端午 2023"},
        {"2023-06-22", 20, "2023-07-20", "start on a holiday counts like the day before it"},
        {"2023-06-24", 20, "2023-07-20", "start on a holiday that is a Saturday"},
        {"2023-06-25", 20, "2023-07-21", "start on an adjusted workday (Sunday)"},
        {"2023-09-20", 20, "2023-10-24", "across 中秋节、国庆节 2023"},
        {"2023-09-28",  1, "2023-10-07", "09-29..10-06 off; Saturday 10-07 worked"},
        {"2023-09-28",  2, "2023-10-08", "Sunday 10-08 worked"},
        {"2023-09-28",  3, "2023-10-09", "back to Monday"},
        {"2023-10-03",  1, "2023-10-07", "start on a holiday"},
        {"2023-10-07",  1, "2023-10-08", "start on an adjusted workday"},
        {"2023-10-03",  0, "2023-10-03", "n = 0 returns the start, even a holiday"},
        {"2023-06-05",  0, "2023-06-05", "n = 0 on a working day"},
        {"2023-12-29",  1, "2024-01-02", "元旦 2024 is Monday 01-01 alone; the weekend before is ordinary"},
        {"2024-02-03",  1, "2024-02-04", "Sunday 02-04 worked before 春节 2024"},
        {"2024-02-08",  1, "2024-02-09", "除夕 02-09 is not a holiday in the 2024 notice"},
        {"2024-02-09",  1, "2024-02-18", "春节 2024: 02-10..02-17 off, Sunday 02-18 worked"},
        {"2024-02-09",  2, "2024-02-19", "then Monday"},
        {"2024-02-05", 20, "2024-03-08", "20 days across 春节 2024"},
        {"2024-05-01",  1, "2024-05-06", "start on 劳动节 2024"},
        {"2024-09-29",  1, "2024-09-30", "start on adjusted workday Sunday 09-29"},
        {"2024-09-29",  2, "2024-10-08", "国庆节 2024: 10-01..10-07 off"},
        {"2025-09-26",  1, "2025-09-28", "Sunday 09-28 worked before the 2025 break"},
        {"2025-09-30",  1, "2025-10-09", "the eight-day 国庆节、中秋节 break 2025"},
        {"2025-10-10",  1, "2025-10-11", "Saturday 10-11 worked after it"},
        {"2026-02-13",  1, "2026-02-14", "Saturday 02-14 worked before 春节 2026"},
        {"2026-02-14",  1, "2026-02-24", "春节 2026: 02-15..02-23 off"},
        {"2026-02-27",  1, "2026-02-28", "Saturday 02-28 worked after it"},
        {"2026-02-10", 20, "2026-03-16", "20 days across 春节 2026"},
    }));
    // clang-format on
    CAPTURE(start, n, why);
    CHECK(format_date(shipped().add_working_days(parse_date(start), n)) == expected);
}

TEST_CASE("working days between two dates, checked by hand", "[calendar]") {
    // clang-format off
    auto [a, b, expected] = GENERATE(table<const char*, const char*, int>({
        {"2023-06-01", "2023-06-30", 20},
        {"2023-09-28", "2023-10-09",  3},
        {"2025-09-30", "2025-10-09",  1},
        {"2023-12-29", "2024-01-02",  1},
        {"2024-02-09", "2024-02-17",  0},
        {"2024-02-09", "2024-02-18",  1},
        {"2023-06-05", "2023-06-05",  0},
        {"2023-06-30", "2023-06-01",  0},
        // Whole years: the publicly reported totals of working days (2023: 249, 2024: 251, 2025: 248).
        {"2023-01-01", "2023-12-31", 249},  // 01-01 is a holiday, so a < d loses nothing
        {"2023-12-31", "2024-12-31", 251},
        {"2024-12-31", "2025-12-31", 248},
    }));
    // clang-format on
    CAPTURE(a, b);
    CHECK(shipped().working_days_between(parse_date(a), parse_date(b)) == expected);
}

TEST_CASE("the fast index agrees with a day-by-day walk on random dates", "[calendar]") {
    SECTION("shipped data, 2023-2026") {
        compare_with_naive(shipped_years(), 20230601u);
    }
    SECTION("shipped data with a gap at 2025") {
        compare_with_naive(years_without_2025(), 20250101u);
    }
}

TEST_CASE("is_working_day and day_name", "[calendar]") {
    const Calendar& cal = shipped();
    CHECK_FALSE(cal.is_working_day(parse_date("2023-10-01")));
    CHECK(cal.day_name(parse_date("2023-10-01")) == "中秋节、国庆节");
    CHECK(cal.is_working_day(parse_date("2023-10-07")));
    CHECK(cal.day_name(parse_date("2023-10-07")) == "中秋节、国庆节");
    CHECK(cal.is_working_day(parse_date("2023-10-09")));
    CHECK(cal.day_name(parse_date("2023-10-09")).empty());
    CHECK_FALSE(cal.is_working_day(parse_date("2023-10-14")));  // an ordinary Saturday
    CHECK(cal.day_name(parse_date("2024-02-10")) == "春节");
    CHECK(cal.day_name(parse_date("2023-01-01")) == "元旦");
    CHECK(cal.day_name(parse_date("2026-12-31")).empty());
}

TEST_CASE("years and coverage", "[calendar]") {
    CHECK(shipped().years() == std::vector<int>{2023, 2024, 2025, 2026});
    CHECK(shipped().covers(2023));
    CHECK_FALSE(shipped().covers(2022));
    CHECK_FALSE(shipped().covers(2027));

    const Calendar gap(years_without_2025());
    CHECK(gap.years() == std::vector<int>{2023, 2024, 2026});
    CHECK_FALSE(gap.covers(2025));
    CHECK(gap.covers_years(2023, 2024));
    CHECK(gap.covers_years(2026, 2026));
    CHECK_FALSE(gap.covers_years(2024, 2026));  // 2025 is missing
    CHECK(gap.covers_years(2026, 2025));        // no year to cover
    CHECK_FALSE(shipped().covers_years(2026, 2027));

    const Calendar empty;
    CHECK(empty.years().empty());
    CHECK_FALSE(empty.covers(2024));
    const Error e = error_of([&] { empty.is_working_day(parse_date("2024-03-01")); });
    CHECK(e.kind() == ErrorKind::Refused);
    CHECK(std::string(e.what()) == uncovered(2024));
}

TEST_CASE("computations needing an uncovered year are refused, naming the year", "[calendar]") {
    const Calendar& cal = shipped();
    auto refused_for = [](int year, const std::function<void()>& f) {
        const Error e = error_of(f);
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(e.exit_code() == 3);
        CHECK(std::string(e.what()) == uncovered(year));
    };
    // 2026-12-20 is a Sunday and only nine working days remain in 2026.
    refused_for(2027, [&] { cal.add_working_days(parse_date("2026-12-20"), 20); });
    refused_for(2027, [&] { cal.add_working_days(parse_date("2026-12-31"), 1); });
    refused_for(2027, [&] { cal.add_working_days(parse_date("2027-03-01"), 0); });
    refused_for(2027, [&] { cal.is_working_day(parse_date("2027-01-04")); });
    refused_for(2027, [&] { cal.day_name(parse_date("2027-01-01")); });
    refused_for(2027, [&] { cal.working_days_between(parse_date("2026-12-01"), parse_date("2027-01-10")); });
    refused_for(2022, [&] { cal.is_working_day(parse_date("2022-12-30")); });
    refused_for(2022, [&] { cal.working_days_between(parse_date("2022-12-30"), parse_date("2023-01-10")); });
    refused_for(2027, [&] { cal.add_working_days(parse_date("2023-01-03"), 2000000000); });
    CHECK(format_date(cal.add_working_days(parse_date("2026-12-20"), 9)) == "2026-12-31");

    const Calendar gap(years_without_2025());
    refused_for(2025, [&] { gap.add_working_days(parse_date("2024-12-20"), 20); });
    refused_for(2025, [&] { gap.add_working_days(parse_date("2024-12-31"), 1); });
    refused_for(2025, [&] { gap.add_working_days(parse_date("2024-06-01"), 400); });
    refused_for(2025, [&] { gap.working_days_between(parse_date("2024-06-01"), parse_date("2026-06-01")); });
    refused_for(2025, [&] { gap.is_working_day(parse_date("2025-06-03")); });
    CHECK(format_date(gap.add_working_days(parse_date("2024-12-20"), 5)) == "2024-12-27");
    CHECK(format_date(gap.add_working_days(parse_date("2026-02-13"), 1)) == "2026-02-14");
    // A reversed span needs no data at all.
    CHECK(cal.working_days_between(parse_date("2027-05-01"), parse_date("2027-01-01")) == 0);
}

TEST_CASE("a negative count is a usage error", "[calendar]") {
    const Error e = error_of([] { shipped().add_working_days(parse_date("2024-03-01"), -1); });
    CHECK(e.kind() == ErrorKind::Usage);
    CHECK_THAT(e.what(), Contains("-1"));
}

TEST_CASE("not-a-date values are refused as usage errors, not crashes", "[calendar]") {
    const Date nad;  // Boost's not_a_date_time
    CHECK(error_of([&] { shipped().is_working_day(nad); }).kind() == ErrorKind::Usage);
    CHECK(error_of([&] { shipped().add_working_days(nad, 3); }).kind() == ErrorKind::Usage);
    CHECK(error_of([&] { shipped().working_days_between(parse_date("2024-03-01"), nad); }).kind() ==
          ErrorKind::Usage);
}

TEST_CASE("a later CalendarYear replaces an earlier one for the same year", "[calendar]") {
    CalendarYear bogus;
    bogus.year = 2023;
    bogus.holidays = {{parse_date("2023-03-01"), "not a holiday"}};
    std::vector<CalendarYear> years{bogus};
    for (const auto& y : shipped_years())
        years.push_back(y);
    const Calendar merged(years);
    CHECK(merged.is_working_day(parse_date("2023-03-01")));
    CHECK(merged.day_name(parse_date("2023-03-01")).empty());
    CHECK_FALSE(merged.is_working_day(parse_date("2023-10-02")));

    years.push_back(bogus);
    const Calendar replaced(years);
    CHECK_FALSE(replaced.is_working_day(parse_date("2023-03-01")));
    CHECK(replaced.is_working_day(parse_date("2023-10-02")));  // the notice's holidays are gone with it
}

TEST_CASE("the constructor refuses data the index cannot represent", "[calendar]") {
    CalendarYear y;
    y.year = 2023;
    SECTION("a date outside its year") {
        y.holidays = {{parse_date("2024-01-01"), "元旦"}};
        CHECK_THAT(error_of([&] { Calendar{{y}}; }).what(), Contains("2024-01-01"));
    }
    SECTION("a weekday as an adjusted workday") {
        y.workdays = {{parse_date("2023-10-09"), "x"}};
        CHECK_THAT(error_of([&] { Calendar{{y}}; }).what(), Contains("星期一"));
    }
    SECTION("a day both holiday and workday") {
        y.holidays = {{parse_date("2023-10-07"), "x"}};
        y.workdays = {{parse_date("2023-10-07"), "x"}};
        CHECK_THAT(error_of([&] { Calendar{{y}}; }).what(), Contains("既是节假日又是调休上班日"));
    }
    SECTION("a year Boost cannot represent") {
        y.year = 99;
        CHECK(error_of([&] { Calendar{{y}}; }).kind() == ErrorKind::Refused);
    }
}

TEST_CASE("parse_date accepts real YYYY-MM-DD dates", "[calendar][date]") {
    auto text = GENERATE(as<std::string>{}, "2023-01-01", "2024-02-29", "2000-02-29", "2023-12-31",
                         "1400-01-01", "9999-12-31");
    CAPTURE(text);
    CHECK(format_date(parse_date(text)) == text);
}

TEST_CASE("parse_date refuses anything else as a usage error quoting the text", "[calendar][date]") {
    auto text =
        GENERATE(as<std::string>{}, "2023-02-30", "2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01",
                 "2023-00-10", "2023-01-00", "2023-2-3", "2023-02-03x", "", " 2023-02-03", "2023/02/03",
                 "20230203", "+023-02-03", "0000-01-01", "1399-12-31", "2023-02-3 ", "２０２３-02-03");
    CAPTURE(text);
    const Error e = error_of([&] { parse_date(text); });
    CHECK(e.kind() == ErrorKind::Usage);
    CHECK_THAT(e.what(), StartsWith("日期 '" + text + "'"));
}

TEST_CASE("parse_date keeps messages on one line", "[calendar][date]") {
    const std::string message = error_of([] { parse_date("2023-01-01\nrm -rf"); }).what();
    CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("the shipped calendar file loads", "[calendar][yaml]") {
    const auto& years = shipped_years();
    REQUIRE(years.size() == 4);
    CHECK(years.front().year == 2023);
    CHECK(years.front().holidays.size() == 26);
    CHECK(years.front().workdays.size() == 7);
    CHECK(years.front().holidays.front().second == "元旦");
}

TEST_CASE("calendar YAML errors name file, line and column", "[calendar][yaml]") {
    const std::string head = "years:\n  2023:\n    holidays:\n";  // lines 1-3

    SECTION("syntax error") {
        const std::string m = yaml_error(head + "      - {date: 2023-01-02, name: 元旦\n");
        CHECK_THAT(m, StartsWith("t.yaml:5:1：YAML 语法错误"));
    }
    SECTION("unknown top-level key") {
        CHECK(yaml_error("yaers:\n  2023: {}\n") == "t.yaml:1:1: 未知的键 'yaers'（应为 `years`）");
    }
    SECTION("unknown key in a year") {
        CHECK_THAT(yaml_error(head + "      - {date: 2023-01-02, name: 元旦}\n    holiday: []\n"),
                   StartsWith("t.yaml:5:5: 未知的键 'holiday'"));
    }
    SECTION("unknown key in an entry") {
        CHECK_THAT(yaml_error(head + "      - {date: 2023-01-02, nmae: 元旦}\n"),
                   StartsWith("t.yaml:4:28: 未知的键 'nmae'"));
    }
    SECTION("malformed date") {
        CHECK(yaml_error(head + "      - {date: 2023-02-30, name: x}\n") ==
              "t.yaml:4:16: 日期 '2023-02-30' 无效：应为真实日期 YYYY-MM-DD");
    }
    SECTION("date outside its year") {
        CHECK(yaml_error(head + "      - {date: 2024-01-01, name: 元旦}\n") ==
              "t.yaml:4:16: 节假日 2024-01-01 不在其年份键 2023 年内");
    }
    SECTION("date listed twice") {
        CHECK(
            yaml_error(head +
                       "      - {date: 2023-01-02, name: 元旦}\n      - {date: 2023-01-02, name: 元旦}\n") ==
            "t.yaml:5:16: 2023-01-02 出现了两次（第一次在第 4 行）");
    }
    SECTION("date both holiday and workday") {
        CHECK_THAT(yaml_error(head + "      - {date: 2023-10-07, name: x}\n"
                                     "    workdays:\n"
                                     "      - {date: 2023-10-07, name: x}\n"),
                   StartsWith("t.yaml:6:16: 2023-10-07 既是节假日又是调休上班日"));
    }
    SECTION("workday on a weekday") {
        CHECK(yaml_error(head + "      - {date: 2023-10-02, name: x}\n"
                                "    workdays:\n"
                                "      - date: 2023-10-09\n") ==
              "t.yaml:6:15: 调休上班日 2023-10-09 是星期一；调休上班日只能是星期六或星期日");
    }
    SECTION("holiday without a name") {
        CHECK(yaml_error(head + "      - {date: 2023-10-02}\n") == "t.yaml:4:9: 节假日 2023-10-02 缺少名称");
        CHECK(yaml_error(head + "      - {date: 2023-10-02, name: ''}\n") ==
              "t.yaml:4:9: 节假日 2023-10-02 缺少名称");
    }
    SECTION("a year key that is not a year") {
        CHECK_THAT(yaml_error("years:\n  20x3:\n    holidays: []\n"),
                   StartsWith("t.yaml:2:3: 年份键 '20x3'"));
    }
    SECTION("a year with no holidays") {
        CHECK(yaml_error("years:\n  2027:\n") == "t.yaml:2:3: 年份 2027 下应写 `holidays:` 和 `workdays:`");
        CHECK_THAT(yaml_error(head), StartsWith("t.yaml:3:5: `holidays` 应是"));
        CHECK_THAT(yaml_error("years:\n  2027:\n    workdays: []\n"), Contains("缺少 `holidays:`"));
    }
    SECTION("an empty document or an empty `years`") {
        CHECK_THAT(yaml_error(""), StartsWith("t.yaml"));
        CHECK(yaml_error("years:\n") == "t.yaml:1:1: `years` 下应按年份写 {holidays, workdays}");
        CHECK(yaml_error("years: {}\n") == "t.yaml:1:8: `years` 下应按年份写 {holidays, workdays}");
    }
}

TEST_CASE("calendar YAML: workday names are optional, years come back ascending", "[calendar][yaml]") {
    const auto years = minsheng::parse_calendar_yaml(
        "years:\n"
        "  2024:\n"
        "    holidays: [{date: 2024-01-01, name: 元旦}]\n"
        "  2023:\n"
        "    holidays:\n"
        "      - {date: \"2023-10-02\", name: 国庆节}\n"
        "    workdays:\n"
        "      - {date: 2023-10-07}\n",
        "t.yaml");
    REQUIRE(years.size() == 2);
    CHECK(years[0].year == 2023);
    CHECK(years[0].workdays.size() == 1);
    CHECK(years[0].workdays[0].second.empty());
    CHECK(years[1].year == 2024);
}

TEST_CASE("a calendar file that is not UTF-8 is refused at its first bad byte", "[calendar]") {
    // Saved in GBK: 元旦 would be stored as bytes no report, JSON answer or browser can show. (Its first two
    // bytes happen to form one UTF-8 character, Ԫ: the text stops being UTF-8 at the third.)
    CHECK(
        yaml_error("years:\n  2027:\n    holidays:\n      - {date: 2027-01-01, name: \xD4\xAA\xB5\xA9}\n") ==
        "t.yaml:4:35：这里起不是 UTF-8 文本：日历文件须以 UTF-8 编码保存（文本编辑器“另存为”时选 UTF-8）");
}
