// Reports (SPEC.md "Reports"): typical-case write-ups (典型事例) rendered from a workflow's `write_up`
// template, and the year's statistics in Markdown, HTML, CSV and JSON. Pure functions from cases, their
// events, workflows and the calendar to text: no storage, no printing.
//
// Everything personal is masked on the way out: the names of a case's reporters (and of the people listed in
// its `persons` field) become surname + 某 wherever they appear, mobile numbers become 138****1234, and ID
// numbers keep their first 6 and last 4 characters. Masking is applied to every value before it enters a
// template and again to the rendered text.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/calendar.h"
#include "engine/case.h"
#include "engine/workflow.h"
#include "engine/write_up_template.h"

namespace minsheng::report {

// ---------------------------------------------------------------------------------------------------------
// Masking personal data inside free text.

class Masker {
public:
    // A name of at least two characters is replaced by mask_name() wherever it occurs, also written with any
    // middle dot (阿卜杜·热合曼, 阿卜杜•热合曼, 阿卜杜・热合曼), without it, or with spaces or invisible
    // characters between its characters; shorter ones are ignored (a lone surname would mask every
    // occurrence of that character), and so are the words written when there is no name (匿名, 群众, 居民,
    // 网格员 …).
    void add_name(std::string_view name);
    // A phone number as the reporter gave it (landlines included) is masked wherever it occurs, literally or
    // as the same digits written with other separators.
    void add_phone(std::string_view phone);
    // Text whose names are never masked: place names, addresses, department names. Where it occurs no name is
    // looked for in it, so a reporter named 王府 does not turn 王府井大街 into 王某井大街 (phone and ID
    // numbers are still masked in it).
    void protect(std::string_view text);
    // Protected text first (kept from name masking), then names (longest first), then known phones, then
    // numbers by shape: 11-digit mobile numbers 1[3-9]XXXXXXXXX however they are grouped (138-1234-5678,
    // 138.1234.5678, 138/1234/5678, 1 38 1234 5678, +86/86 prefixed) -> 138****5678; landlines with their
    // area code (02584561234, 025-84561234, (025) 8456 1234, 025－84561234) -> 025****1234; 18-digit ID
    // numbers (the last may be X) and 15- to 19-digit card numbers, whole or grouped (110101 19900101 123X,
    // 6222 0212 3456 7890) -> first 6 + * + last 4. Groups of digits join across at most three spaces,
    // dashes, dots, slashes or brackets; full-width digits count as digits. Digits that belong to a longer
    // run are not taken for a phone number.
    std::string operator()(std::string_view text) const;

private:
    struct Name {
        std::vector<std::string> chars;  // the name's code points, separators left out
        std::string masked;
    };
    std::vector<Name> names_;                                  // longest first
    std::vector<std::pair<std::string, std::string>> phones_;  // as given -> masked
    std::vector<std::string> protected_;                       // longest first
    std::set<std::string> phone_digits_;                       // the known phones' digits
};

Masker masker_for(const CaseState& c);

// ---------------------------------------------------------------------------------------------------------
// Typical-case write-ups.

// The template used when a workflow has no `write_up`.
extern const char* const kDefaultWriteUp;

// The values one case gives its template: `c` is the case as it stands, `events` its whole history (oldest
// first), `workflow` the category's workflow (its name and action labels are used). All text is masked.
TemplateValues write_up_values(const CaseState& c, const std::vector<Event>& events, const Workflow& workflow,
                               const Calendar& calendar);

struct WriteUp {
    std::string id;
    std::string category;
    std::string category_name;
    std::string heading;                                     // 海福巷3号 · 排水/下水道 (masked)
    std::vector<std::string> paragraphs;                     // masked plain text
    std::vector<std::pair<std::string, std::string>> facts;  // 要素: label, value (masked plain text)
};

// Renders the workflow's write_up (kDefaultWriteUp when empty). Throws Error(Refused) for a bad template.
WriteUp make_write_up(const CaseState& c, const std::vector<Event>& events, const Workflow& workflow,
                      const Calendar& calendar);

// The write-ups as a document: 典型事例一, 二, … in the order given.
std::string write_ups_markdown(const std::vector<WriteUp>& write_ups);
std::string write_ups_html(const std::vector<WriteUp>& write_ups);  // one self-contained file
nlohmann::json write_ups_json(const std::vector<WriteUp>& write_ups);

// ---------------------------------------------------------------------------------------------------------
// The year's statistics.

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
    int open = 0;                      // received in Y, neither resolved nor rejected at the year's end
    std::vector<std::string> typical;  // ids, oldest received first
    // Cases counted above (received in Y, or overdue at its end) whose deadline needs a provisional year
    // (暂定): their on-time and overdue figures change when that year's notice is loaded.
    int provisional_deadlines = 0;
};

// `cases` may hold cases of any year (only those received up to the year's end matter). `category_names`
// maps category ids to names for the text forms. Throws Error(Refused) naming the year when a figure needs
// a year the calendar does not cover.
AnnualStats annual_stats(const std::vector<CaseRecord>& cases, int year, const Calendar& calendar,
                         const std::map<std::string, std::string>& category_names = {});

// What each figure means, in Chinese, keyed like the JSON (shown as footnotes in every format).
std::vector<std::pair<std::string, std::string>> annual_definitions(int year);

// The annual report; `typical` are the write-ups of stats.typical, in that order.
nlohmann::json annual_json(const AnnualStats& stats, const std::vector<WriteUp>& typical);
std::string annual_markdown(const AnnualStats& stats, const std::vector<WriteUp>& typical);
std::string annual_html(const AnnualStats& stats, const std::vector<WriteUp>& typical);
std::string annual_csv(const AnnualStats& stats, const std::vector<WriteUp>& typical);

// ---------------------------------------------------------------------------------------------------------
// Small helpers, exposed for tests.

std::string chinese_date(Date d);    // 2023年6月5日
std::string chinese_ordinal(int n);  // 1 -> 一, 12 -> 十二, 21 -> 二十一 (1..99)
std::string html_escape(std::string_view s);
std::string markdown_escape(std::string_view s);

}  // namespace minsheng::report
