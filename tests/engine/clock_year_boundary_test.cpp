// The clock at the year boundary (SPEC deadline rule 6): what the calendar can tell is told, what it cannot
// is named, and deadlines that need a provisional year are marked.

#include "engine/calendar.h"
#include "engine/case.h"
#include "engine/statutory.h"
#include "prelude.h"

using minsheng::Calendar;
using minsheng::CalendarYear;
using minsheng::CaseState;
using minsheng::ClockView;
using minsheng::Date;
using minsheng::Phase;

namespace {

std::vector<CalendarYear> shipped_years() {
    static const std::string path = MINSHENG_SOURCE_DIR "/workflows/calendar/cn-holidays.yaml";
    return minsheng::parse_calendar_yaml(read_existing(path), path);
}

Calendar with_provisional_2027() {
    static const std::string path = MINSHENG_SOURCE_DIR "/workflows/calendar/cn-statutory-anchors.yaml";
    auto years = shipped_years();
    years.push_back(minsheng::provisional_year(
        2027, minsheng::parse_statutory_anchors(read_existing(path), path).at(2027)));
    return Calendar(years);
}

Date d(const char* s) {
    return minsheng::parse_date(s);
}

CaseState running(const char* start, const char* deadline) {
    CaseState s;
    s.id = "2024-0001";
    s.phase = Phase::Coordination;
    s.clock_start = d(start);
    s.deadline = d(deadline);
    return s;
}

}  // namespace

TEST_CASE("overdue is told from the dates even when the days cannot be counted", "[clock][year-boundary]") {
    const Calendar cal(shipped_years());  // 2023-2026
    const ClockView v = clock_at(running("2024-03-01", "2024-03-29"), d("2027-01-04"), cal);
    CHECK(v.overdue);
    CHECK_FALSE(v.undecidable);
    CHECK_FALSE(v.days_known);
    CHECK_FALSE(v.complete());
    CHECK(v.problem.find("2027") != std::string::npos);
    CHECK(v.problem.find("calendar provisional 2027") != std::string::npos);
    CHECK(v.problem.find("calendar load") != std::string::npos);
    REQUIRE(v.deadline);
    CHECK(*v.deadline == d("2024-03-29"));
}

TEST_CASE("a suspension running into a missing year leaves overdue undecided past the stored deadline",
          "[clock][year-boundary]") {
    const Calendar cal(shipped_years());
    CaseState s = running("2026-12-01", "2026-12-29");
    s.suspended = true;
    s.suspended_since = d("2026-12-10");
    // Before the stored deadline: the moved deadline lies in 2027, unknown, but the suspension only moves it
    // later, so "not overdue" is known.
    ClockView v = clock_at(s, d("2026-12-20"), cal);
    CHECK_FALSE(v.complete());
    CHECK_FALSE(v.undecidable);
    CHECK_FALSE(v.overdue);
    v = clock_at(s, d("2027-01-05"), cal);
    CHECK(v.undecidable);
    CHECK_FALSE(v.deadline);
}

TEST_CASE("a deadline that needs a provisional year is marked, and so is its round",
          "[clock][year-boundary]") {
    const Calendar cal = with_provisional_2027();
    CHECK(cal.is_provisional(2027));
    CHECK_FALSE(cal.is_provisional(2026));
    CHECK(*cal.covered_until(d("2026-05-01")) == d("2027-12-31"));
    CHECK(*cal.covered_until(d("2026-05-01"), true) == d("2026-12-31"));
    // 20 working days after 2026-12-15: 12 in December, then 2027 (provisional: 元旦 off).
    CaseState s = running("2026-12-15", "2027-01-13");
    CHECK(cal.add_working_days(d("2026-12-15"), 20) == d("2027-01-13"));
    ClockView v = clock_at(s, d("2026-12-16"), cal);
    CHECK(v.complete());
    CHECK(v.deadline_provisional);
    CHECK(v.working_days_left == 19);
    // A case whose clock stays inside 2026 is not.
    v = clock_at(running("2026-11-02", "2026-11-30"), d("2026-11-10"), cal);
    CHECK_FALSE(v.deadline_provisional);
    // Rounds: a first round inside 2026, met; a reopened round in 2027, provisional.
    CaseState r = running("2027-01-20", "2027-02-23");
    r.past_cycles.push_back({d("2026-11-02"), d("2026-11-30"), d("2026-11-20")});
    const auto rounds = minsheng::clock_rounds(r, cal);
    REQUIRE(rounds.size() == 2);
    CHECK_FALSE(rounds[0].deadline_provisional);
    CHECK(rounds[0].on_time == true);
    CHECK_FALSE(rounds[0].current);
    CHECK(rounds[1].deadline_provisional);
    CHECK_FALSE(rounds[1].on_time.has_value());
    CHECK(rounds[1].current);
}

TEST_CASE("the year-boundary warning starts 60 days before the last official year ends",
          "[clock][year-boundary]") {
    const Calendar official(shipped_years());
    CHECK(minsheng::calendar_warning(official, d("2026-10-31")).empty());
    const std::string w = minsheng::calendar_warning(official, d("2026-11-01"));
    CHECK(w.find("2027") != std::string::npos);
    CHECK(w.find("calendar load") != std::string::npos);
    CHECK(w.find("calendar provisional 2027") != std::string::npos);
    CHECK(minsheng::calendar_warning(official, d("2027-01-04")).find("calendar provisional 2027") !=
          std::string::npos);
    const Calendar provisional = with_provisional_2027();
    const std::string p = minsheng::calendar_warning(provisional, d("2026-12-15"));
    CHECK(p.find("暂定") != std::string::npos);
    CHECK(p.find("calendar load") != std::string::npos);
    CHECK(p.find("calendar provisional") == std::string::npos);
    CHECK(minsheng::calendar_warning(provisional, d("2027-03-01")).find("暂定") != std::string::npos);
}
