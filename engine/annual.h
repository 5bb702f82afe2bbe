// The year's statistics (SPEC.md "Reports"): the figures for one year, taken as the cases stood at its end,
// and what each figure means. The documents that show them are report_render.h.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/calendar.h"
#include "engine/case.h"

namespace minsheng::report {

// One case: its state as it stands now and its history. `events` may be left empty when the state's last
// event is not after the year's end (the state is then how it stood at the year's end); cases received in
// the year always need their events (visits are counted from them).
struct CaseRecord {
    CaseState state;
    std::vector<Event> events;
};

// Figures for one year Y; their exact meaning is annual_definitions(). Every figure except `typical` is
// taken as the cases stood at the end of Y-12-31 (events dated later are ignored).
struct AnnualStats {
    int year = 0;
    int cases = 0;                   // received in Y
    std::array<int, 12> by_month{};  // received, per month
    std::map<std::string, int> by_category;
    std::map<std::string, std::string> category_names;  // category id -> 名称
    std::map<std::string, int> by_department;
    int resolved = 0;
    int on_time = 0;
    std::optional<double> on_time_rate;  // on_time / resolved
    std::optional<double> median_working_days;
    int overdue = 0;                   // every case overdue at the year's end, earlier years' included
    int overdue_received_in_year = 0;  // of which received in Y
    int reopened = 0;
    int repeat_reports = 0;
    int cases_with_repeat_reports = 0;
    int visits = 0;
    int satisfied = 0;
    std::optional<double> satisfaction_rate;  // satisfied / visits
    int rejected = 0;
    int merged = 0;  // 并案: received in Y and merged into another case by its end
    int open = 0;    // received in Y, neither resolved, rejected nor merged at the year's end
    std::vector<std::string> typical;  // ids, oldest received first
    // Cases counted above (received in Y, or overdue at its end) whose deadline needs a provisional year
    // (暂定): their on-time and overdue figures change when that year's notice is loaded.
    int provisional_deadlines = 0;
};

// The figures gathered one case at a time, so a station of any size is counted in constant memory (only the
// typical cases' ids and a count per distinct number of working days are kept).
class AnnualAccumulator {
public:
    // Throws Error(Refused) naming the year when the calendar lacks the year's working days.
    AnnualAccumulator(int year, const Calendar& calendar);
    // Whether add() needs this case's events: it was received in the year (visits are counted from them), or
    // it changed after the year's end (it is replayed up to then). Cases received after the year are skipped.
    bool needs_events(const CaseState& now) const;
    // Whether add() needs every event of this case (it changed after the year's end and is replayed up to
    // then); otherwise, where needs_events(), only its events whose action is in counted_actions().
    bool needs_all_events(const CaseState& now) const;
    // The actions add() reads of a case that did not change after the year's end: its visits, and the
    // revokes that may cancel them. Reading only these spares decoding the rest of a large station's log.
    static const std::vector<std::string>& counted_actions();
    // Counts one case as it stands now; `events` (in sequence order) as needs_events() and
    // needs_all_events() ask: every event, or at least those of counted_actions().
    void add(const CaseState& now, const std::vector<Event>& events);
    // The figures; `category_names` maps category ids to names for the text forms.
    AnnualStats finish(const std::map<std::string, std::string>& category_names = {});

private:
    const Calendar& cal_;
    AnnualStats st_;
    std::string end_ts_;
    Date last_;
    std::map<int, long long> days_;                             // resolved cases per working days taken
    std::vector<std::pair<std::string, std::string>> typical_;  // received_at, id
};

// `cases` may hold cases of any year (only those received up to the year's end matter). `category_names`
// maps category ids to names for the text forms. Throws Error(Refused) naming the year when a figure needs
// a year the calendar does not cover.
AnnualStats annual_stats(const std::vector<CaseRecord>& cases, int year, const Calendar& calendar,
                         const std::map<std::string, std::string>& category_names = {});

// What each figure means, in Chinese, keyed like the JSON (shown as footnotes in every format).
std::vector<std::pair<std::string, std::string>> annual_definitions(int year);

}  // namespace minsheng::report
