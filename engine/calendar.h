// The working-day calendar of mainland China (SPEC.md "Calendar", "Deadline rules"): Monday to Friday,
// minus statutory holidays, plus adjusted working days (调休上班). Data comes from YAML; a year that the data
// does not cover is an error naming the year, never a guess.
#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng {

using Date = boost::gregorian::date;

// Strict YYYY-MM-DD (a real date: 2023-02-30 is rejected). Throws Error(Usage) quoting the text.
Date parse_date(std::string_view text);
// YYYY-MM-DD.
std::string format_date(Date d);

// Why a computation stopped at `year`, and what a supervisor does about it: load the year's notice, or make
// the year provisional (SPEC deadline rule 6).
std::string uncovered_year_message(int year);

class Calendar;

// What the year-boundary warning is about on `today` (SPEC "Calendar beyond the published years"): the rule
// of when to warn, written once for the command line's 提醒 and the web workspace's banner.
struct CalendarGap {
    enum class Kind {
        None,             // nothing to say
        Uncovered,        // `year` (today's) has no calendar at all
        ProvisionalNow,   // `year` (today's) is provisional
        NextMissing,      // within 60 days of the last official year's end; `year` (the next) is not loaded
        NextProvisional,  // the same, `year` (the next) provisional
    } kind = Kind::None;
    int year = 0;
};
CalendarGap calendar_gap(const Calendar& calendar, Date today);

// The warning commands print from 60 days before the last officially covered year ends (SPEC Part 2): the
// next year's notice is not loaded, and how to load it or make the year provisional. Empty when there is
// nothing to say on `today`.
std::string calendar_warning(const Calendar& calendar, Date today);

// One year's data as a State Council notice gives it.
struct CalendarYear {
    int year = 0;
    std::vector<std::pair<Date, std::string>> holidays;  // days off, with the holiday's name
    std::vector<std::pair<Date, std::string>> workdays;  // weekend days declared working (调休上班)
    // Made by `calendar provisional` from the statutory holidays alone (engine/statutory.h), not from the
    // year's notice: deadlines that need it are marked 暂定 until the notice is loaded.
    bool provisional = false;
};

// Parses the format of workflows/calendar/cn-holidays.yaml (top-level `years:` map of year -> holidays,
// workdays lists of {date, name}). Throws Error(Refused) "FILE:LINE:COL: message" on bad data: a date outside
// its year key, a holiday that is also a workday, a workday that is not a weekend day, a malformed date.
std::vector<CalendarYear> parse_calendar_yaml(const std::string& text, const std::string& source_name);

// Working-day arithmetic from a precomputed index: O(1) per call (no day-by-day loops).
// Every function that needs a year the data does not cover throws Error(Refused) whose message names the
// year and both ways out (uncovered_year_message).
class Calendar {
public:
    Calendar() = default;  // covers nothing
    explicit Calendar(std::vector<CalendarYear> years);

    bool covers(int year) const;
    // Whether every year from `from` to `to` is covered (true when from > to).
    bool covers_years(int from, int to) const;
    std::vector<int> years() const;  // covered years, ascending
    bool is_provisional(int year) const;
    // Whether any year from `from` to `to` is provisional.
    bool any_provisional(int from, int to) const;
    // The last day of the run of covered years that holds `from` (provisional years included, or not when
    // `official_only`); nothing when `from`'s year is not covered.
    std::optional<Date> covered_until(Date from, bool official_only = false) const;

    bool is_working_day(Date d) const;
    // The holiday's or the adjusted workday's name, empty for an ordinary day.
    std::string day_name(Date d) const;

    // The n-th working day strictly after `start` (n >= 0; n == 0 returns start itself).
    // A start on a holiday or weekend counts from the next working day in the same way (SPEC rule 1).
    Date add_working_days(Date start, int n) const;
    // The number of working days d with a < d <= b; 0 when b <= a.
    int working_days_between(Date a, Date b) const;

private:
    // Implementation detail, see calendar.cpp. Days of uncovered years inside [first_, last day] are indexed
    // as non-working; spans touching them are refused before the index is read.
    Date first_;  // Jan 1 of the first covered year
    int first_year_ = 0;
    std::vector<int> next_uncovered_;  // per year from first_year_: smallest uncovered year >= it
    std::vector<int> cumulative_;      // cumulative_[i]: working days in [first_, first_ + i]
    std::vector<int> workday_index_;   // k -> day offset of the (k+1)-th working day
    std::vector<std::pair<int, std::string>> names_;  // (day offset, holiday / adjusted workday name), sorted
    std::vector<int> provisional_years_;              // ascending
    int offset(Date d) const;
    void require_covered(Date d) const;
    void require_span(Date a, Date b) const;  // every year of [a, b]; a <= b
    [[noreturn]] void throw_uncovered(int year) const;
};

}  // namespace minsheng
