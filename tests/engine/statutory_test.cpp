// Provisional years (SPEC Part 2 "Calendar beyond the published years"): the statutory holidays of the 2024
// law with 补假, computed for every year of the anchors file and held against the notices of 2025 and 2026.

#include <set>

#include "engine/calendar.h"
#include "engine/statutory.h"
#include "prelude.h"

using minsheng::Calendar;
using minsheng::CalendarYear;
using minsheng::Date;
using minsheng::parse_date;
using minsheng::parse_statutory_anchors;
using minsheng::provisional_year;
using minsheng::StatutoryAnchors;

namespace {

const std::string kShipped =
    std::string(MINSHENG_SOURCE_DIR) + "/workflows/calendar/cn-statutory-anchors.yaml";

std::map<int, StatutoryAnchors> shipped_anchors() {
    return parse_statutory_anchors(read_existing(kShipped), kShipped);
}

bool weekend(Date d) {
    const auto wd = d.day_of_week().as_number();
    return wd == 0 || wd == 6;
}

std::set<Date> days_of(const CalendarYear& y) {
    std::set<Date> out;
    for (const auto& [d, name] : y.holidays)
        out.insert(d);
    return out;
}

// The statutory days of the 2024 law, written out again from the anchors, independently of the engine's
// loop: 元旦, 除夕..初三, 清明, 5/1, 5/2, 端午, 中秋, 10/1..10/3.
std::set<Date> statutory_days(int year, const StatutoryAnchors& a) {
    const auto y = static_cast<unsigned short>(year);
    std::set<Date> s = {Date(y, 1, 1),
                        a.chuxi,
                        a.chuxi + boost::gregorian::days(1),
                        a.chuxi + boost::gregorian::days(2),
                        a.chuxi + boost::gregorian::days(3),
                        a.qingming,
                        Date(y, 5, 1),
                        Date(y, 5, 2),
                        a.duanwu,
                        a.zhongqiu,
                        Date(y, 10, 1),
                        Date(y, 10, 2),
                        Date(y, 10, 3)};
    return s;
}

}  // namespace

TEST_CASE("the shipped anchors are the verified reference file, 2023-2060", "[statutory]") {
    const std::string reference = std::string(MINSHENG_REFERENCE_DIR) + "/cn-statutory-anchors.yaml";
    const std::string ref = read_text(reference);
    if (!ref.empty()) CHECK(read_existing(kShipped) == ref);  // the shared folder is beside the repo in CI
    const auto anchors = shipped_anchors();
    REQUIRE(anchors.size() == 38);
    CHECK(anchors.begin()->first == 2023);
    CHECK(anchors.rbegin()->first == 2060);
    // ICU 72 disagrees on these two (the new moon falls near midnight Beijing time): the file is what counts.
    CHECK(anchors.at(2027).chuxi == parse_date("2027-02-05"));
    CHECK(anchors.at(2030).chuxi == parse_date("2030-02-02"));
}

TEST_CASE("every provisional year 2023-2060 follows the law", "[statutory]") {
    for (const auto& [year, a] : shipped_anchors()) {
        INFO("year " << year);
        const CalendarYear y = provisional_year(year, a);
        CHECK(y.provisional);
        CHECK(y.workdays.empty());  // no 调休 without a notice
        const std::set<Date> statutory = statutory_days(year, a);
        const std::set<Date> off = days_of(y);
        // Every statutory day is off, named; nothing else is off but 补假 days.
        int weekend_statutory = 0;
        for (Date d : statutory) {
            CHECK(off.count(d) == 1);
            weekend_statutory += weekend(d);
        }
        std::vector<Date> made_up;
        for (const auto& [d, name] : y.holidays) {
            CHECK(d.year() == year);
            CHECK_FALSE(name.empty());
            if (!statutory.count(d)) {
                CHECK(name.find("补假") != std::string::npos);
                CHECK_FALSE(weekend(d));  // 补假 falls on a working day
                made_up.push_back(d);
            }
        }
        // One 补假 for each statutory day on a weekend (article 6).
        CHECK(static_cast<int>(made_up.size()) == weekend_statutory);
        // Each 补假 comes right after a run of days off: the day before it is off or a weekend day.
        for (Date d : made_up) {
            const Date before = d - boost::gregorian::days(1);
            CHECK((off.count(before) || weekend(before)));
        }
        // The year builds a working calendar; 365/366 days less weekends less the days off on weekdays.
        const Calendar cal({y});
        CHECK(cal.is_provisional(year));
        const Date jan1(static_cast<unsigned short>(year), 1, 1),
            dec31(static_cast<unsigned short>(year), 12, 31);
        int weekdays = 0;
        for (Date d = jan1; d <= dec31; d += boost::gregorian::days(1))
            weekdays += !weekend(d);
        int weekday_off = 0;
        for (Date d : off)
            weekday_off += !weekend(d);
        CHECK(cal.working_days_between(jan1, dec31) + (cal.is_working_day(jan1) ? 1 : 0) ==
              weekdays - weekday_off);
    }
}

TEST_CASE("补假 examples: a weekend 春节, 元旦 on a Saturday, 中秋 on 国庆", "[statutory]") {
    const auto anchors = shipped_anchors();
    auto names = [&](int year) {
        std::map<std::string, std::string> out;
        for (const auto& [d, name] : provisional_year(year, anchors.at(year)).holidays)
            out[minsheng::format_date(d)] = name;
        return out;
    };
    // 2027: 除夕 Friday 2/5, so 初一 and 初二 are Saturday and Sunday: made up on Tuesday 2/9 and Wednesday
    // 2/10, after 初三 (Monday 2/8).
    const auto y2027 = names(2027);
    CHECK(y2027.at("2027-02-05") == "春节");
    CHECK(y2027.at("2027-02-08") == "春节");
    CHECK(y2027.at("2027-02-09") == "春节补假");
    CHECK(y2027.at("2027-02-10") == "春节补假");
    CHECK(y2027.count("2027-02-11") == 0);
    // 2027 劳动节: 5/1 Saturday, 5/2 Sunday: made up Monday 5/3 and Tuesday 5/4.
    CHECK(y2027.at("2027-05-03") == "劳动节补假");
    CHECK(y2027.at("2027-05-04") == "劳动节补假");
    // 2028: 元旦 on a Saturday, made up on Monday 1/3 (1/2 is a Sunday).
    const auto y2028 = names(2028);
    CHECK(y2028.at("2028-01-03") == "元旦补假");
    CHECK(y2028.count("2028-01-02") == 0);
    // 2031: 中秋 is 10/1, a day of 国庆 already: one day off named for both, no extra day.
    const auto y2031 = names(2031);
    CHECK(y2031.at("2031-10-01") == "中秋节、国庆节");
    int statutory = 0;
    for (const auto& [d, name] : y2031)
        statutory += name.find("补假") == std::string::npos;
    CHECK(statutory == 12);
}

TEST_CASE("the provisional rule agrees with the notices of 2025 and 2026", "[statutory]") {
    // 2025 and 2026 are the years the 2024 revision governs with a published notice: every statutory day
    // (and every 补假 the rule gives) must be a day off in the notice too.
    const std::string file = std::string(MINSHENG_SOURCE_DIR) + "/workflows/calendar/cn-holidays.yaml";
    const auto notices = minsheng::parse_calendar_yaml(read_existing(file), file);
    const auto anchors = shipped_anchors();
    for (int year : {2025, 2026}) {
        INFO("year " << year);
        const CalendarYear* notice = nullptr;
        for (const auto& y : notices)
            if (y.year == year) notice = &y;
        REQUIRE(notice);
        const std::set<Date> official = days_of(*notice);
        const CalendarYear provisional = provisional_year(year, anchors.at(year));
        for (const auto& [d, name] : provisional.holidays) {
            INFO(minsheng::format_date(d) << " " << name);
            CHECK(official.count(d) == 1);
        }
    }
}

TEST_CASE("a damaged anchors file is refused with FILE:LINE:COL", "[statutory]") {
    auto error = [](const std::string& text) {
        return std::string(error_of([&] { parse_statutory_anchors(text, "a.yaml"); }).what());
    };
    CHECK(error("years:\n  2027: {除夕: 2027-02-05, 春节: 2027-02-07, 清明: 2027-04-05, 端午: 2027-06-09, "
                "中秋: 2027-09-15}\n")
              .find("a.yaml:2:") == 0);
    CHECK(error("years:\n  2027: {除夕: 2027-02-05, 春节: 2027-02-06, 清明: 2027-04-31, 端午: 2027-06-09, "
                "中秋: 2027-09-15}\n")
              .find("a.yaml:2:") == 0);
    CHECK(error("years:\n  2027: {除夕: 2027-02-05, 春节: 2027-02-06, 清明: 2028-04-05, 端午: 2027-06-09, "
                "中秋: 2027-09-15}\n")
              .find("不在 2027 年内") != std::string::npos);
    CHECK(error("years:\n  2027: {除夕: 2027-02-05, 春节: 2027-02-06}\n").find("缺少 清明") !=
          std::string::npos);
}
