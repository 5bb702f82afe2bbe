// The application layer: one station's use cases — open a report, perform an action, import a ledger, list
// and search, the audits, verify, the calendar and workflow loads, staff — each checking roles and rules,
// each given the acting person and the reference date. Front ends (the command line, later the HTTP server
// and the Open311 handlers) only translate their input to these calls and their results to output.
//
// Built over the narrow store interface (storage/store.h): the hash chain, the case-id format, repeat
// matching and verify are written here once, whatever the backend. Every write is one store transaction in
// which the event is appended to the log and the case's projection row is updated together.
//
// A Station is one connection: one per thread or request. Its caches (parsed workflows, the calendar) are
// revalidated when another process changes the station.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/calendar.h"
#include "engine/case.h"
#include "engine/error.h"
#include "engine/runtime.h"
#include "engine/workflow.h"
#include "storage/store.h"

namespace minsheng {

struct SourceFile {
    std::string name;  // file name shown in errors
    std::string text;
};

struct InitOptions {
    std::vector<SourceFile> workflows;
    SourceFile calendar;
    std::string supervisor;
};

// What a calendar load or a provisional year changed.
struct CalendarChange {
    std::vector<int> years;
    std::vector<int> replaced_provisional;  // provisional years the load replaced with official data
    std::int64_t cases_changed = 0;  // cases whose deadline or on-time verdict changed (in their history)
};

struct OpenCaseResult {
    std::string id;
    bool repeat = false;
    // Other cases at a similar address, or at the same address under another category: open, or closed
    // (resolved) in the 90 days before the report (SPEC "Addresses and repeat reports"). Ids, ascending.
    std::vector<std::string> similar;
};

struct CaseFilter {
    std::optional<Phase> phase;
    std::optional<std::string> category;
    std::optional<std::string> department;
    bool overdue_only = false;  // overdue on `today`
    // Finding cases (SPEC Part 2). All given filters combine.
    std::optional<std::string> search;    // in the id, the address, the summary, any reporter's name or phone
    std::optional<std::string> reporter;  // any reporter whose name contains this
    std::optional<std::string> phone;     // any reporter's phone, separators ignored (digits compared)
    std::optional<std::string> actor;     // cases this person has recorded events on (--mine)
    bool typical_only = false;
    std::optional<Date> received_from, received_to;  // inclusive
};

// What a front end adds to an import's problem in its own words: the problem says what is wrong with the
// file, the hint how to fix it where the user is — the command line names its flags (--encoding gbk,
// --ignore-unknown), the web what a browser user does (save the file as CSV UTF-8, tick a box).
enum class ImportHint {
    None,
    NotUtf8,         // the text is not UTF-8: likely saved as GBK by Chinese Excel or WPS
    UnknownColumns,  // the header names columns the station does not know
};

// A ledger refused as a whole (its header): message() is the problem, what() the command line's wording
// with its hint; `hint` for another front end to word.
class ImportRefusal : public Error {
public:
    ImportRefusal(const Error& e, ImportHint h) : Error(e), hint(h) {}
    ImportHint hint;
};

// A workflow file `load_workflows` took: its workflow, and whether that version was stored already (with the
// same text: a different one is refused), so nothing changed.
struct LoadedWorkflow {
    std::string category;
    std::string name;
    int version = 0;
    bool already_loaded = false;
};

// One row of a bulk intake (SPEC `import`).
struct ImportRow {
    int line = 0;          // where the row starts in its file, for messages
    std::string category;  // the workflow's id (drainage) or its name (排水/下水道)
    ReportInput report;    // `at` already normalized
    std::string note;      // 备注: kept as a note on the case (a `note` event at the report's time)
    std::vector<ReportInput> others;  // 其他反映人: further reports of this row's case, in order
                                      // (address, summary and latest_at are the row's)
    bool own_case = false;  // the row is one case of an exported ledger: never joins another row's case
    std::string problem;    // what is wrong with the row as read (the station reports it and goes on)
    ImportHint hint = ImportHint::None;  // how to fix `problem`, for the front end to word
};

// A bad row of an import.
struct ImportProblem {
    std::string text;  // "SOURCE:LINE: reason", the reason without command-line syntax or hint
    ImportHint hint = ImportHint::None;
};

struct ImportResult {
    std::int64_t rows = 0;
    std::int64_t cases = 0;             // new cases opened
    std::int64_t repeats = 0;           // repeat reports attached to open cases
    std::int64_t without_deadline = 0;  // new cases whose deadline the calendar cannot give yet
    std::string deadline_problem;       // why, for the first of them
    // Bad rows, the first kMaxImportProblems of them; when any, nothing was written.
    std::vector<ImportProblem> problems;
    std::int64_t problem_count = 0;
};
constexpr std::size_t kMaxImportProblems = 20;

// What an import does with one row (SPEC `import --dry-run` prints it).
struct ImportPlan {
    int line = 0;
    std::string id;       // the case the row opens or joins
    bool repeat = false;  // joins a case (opened earlier, or earlier in the file)
};

struct VerifyResult {
    bool ok = true;
    std::int64_t events = 0;
    std::int64_t cases = 0;
    std::string problem;  // the first bad event or projection row, in words
};

class Station {
public:
    // Creates a new database at `path`. Refused (exit 3) when anything exists there; on failure nothing is
    // left.
    static void create(const std::string& path, const InitOptions& options, const std::string& now);
    // Opens an existing minsheng database, migrating its schema forward. NotFound when there is no file;
    // Storage error (file untouched) when it is not a minsheng database or is newer than this build.
    explicit Station(const std::string& path);
    // Over a store opened by the caller (tests of other backends, benchmarks).
    explicit Station(std::unique_ptr<Store> store);
    ~Station();
    Station(const Station&) = delete;
    Station& operator=(const Station&) = delete;

    // Staff.
    std::optional<StaffMember> staff(const std::string& name);
    // The registered member acting; NotAllowed when unknown or not given.
    StaffMember require_staff(const std::string& name);
    void add_staff(const std::string& actor, const StaffMember& member, const std::string& now);

    // Workflows and calendar.
    std::vector<WorkflowInfo> workflows();
    // Stores each workflow's text (supervisors only); the same version with different text is refused.
    // Returns each file's workflow, in the files' order.
    std::vector<LoadedWorkflow> load_workflows(const std::vector<SourceFile>& files, const std::string& actor,
                                               const std::string& now);
    const Workflow& workflow(const std::string& category, std::optional<int> version = std::nullopt);
    // What opening a case in `category` needs from its latest workflow, read without parsing the YAML.
    WorkflowOpening opening(const std::string& category);
    const Calendar& calendar();
    std::vector<CalendarYearInfo> calendar_years();
    // Adds or replaces the years in the file (supervisors only) and recomputes the deadlines that depend on
    // them; each case whose deadline or on-time verdict changes gets a `recompute` event naming old and new.
    // The load itself is an event of the station's log (case id "").
    // `at` is when the load is logged as done ("now" as seen from --today), `now` the wall clock recorded.
    CalendarChange load_calendar(const SourceFile& file, const std::string& actor, const std::string& at,
                                 const std::string& now);
    // Makes an uncovered year provisional from the statutory holidays (`anchors`: the shipped
    // cn-statutory-anchors.yaml), supervisors only; refused for a year already covered. Recomputes as
    // load_calendar does.
    CalendarChange make_provisional(int year, const SourceFile& anchors, const std::string& actor,
                                    const std::string& at, const std::string& now);

    // The category id that `given` names: the id, the workflow's name, or one '/'-part of it (SPEC Part 2).
    // Ambiguous: usage error listing the candidates; unknown: NotFound listing the categories.
    std::string resolve_category(const std::string& given, ErrorKind unknown = ErrorKind::NotFound);

    // What `actor` may do now on case `id` (SPEC Part 2 "Next steps"), in the workflow's order.
    std::vector<Action> next_actions(const std::string& id, const std::string& actor, Date today);

    // Cases. `now` is the wall-clock timestamp recorded with the event. `category` may be a Chinese name.
    OpenCaseResult open_case(const std::string& category, const ReportInput& report, bool force_new,
                             const std::string& actor, const std::string& now);
    // What open_case would do with a report at `address` in `category`, read only (the intake form's preview
    // as the address is typed): `id` the open case it would join (repeat true), else empty; `similar` the
    // cases its warning would name on `on`. An empty category (not chosen yet) joins nothing, and every case
    // at the same address counts as "under another category".
    OpenCaseResult preview_report(const std::string& category, const std::string& address, Date on,
                                  const std::string& actor);
    // Performs a workflow action on case `id`; the action may be named by its label and choice values by
    // theirs. A refusal (exit 3) names the actions possible now. `request.at` empty means "now":
    // `default_at`, moved up to the case's latest event when that lies later on the same day.
    Event do_action(const std::string& id, ActionRequest request, const std::string& default_at,
                    const std::string& now);
    // Bulk intake: every row `next` yields (it returns false at the end) is opened exactly as open_case would
    // (a repeat of an open case attaches to it, also of a case opened earlier in the same import), all in one
    // transaction. A bad row (its `problem` set by `next`, or refused by the rules) is recorded and the rest
    // still checked; when there is any, everything is rolled back and the result lists them. An error thrown
    // by `next` itself propagates unchanged. With dry_run the transaction is rolled back at the end: the
    // counts are what a real import would do, and nothing is written. `plan` (optional) hears each good row.
    ImportResult import_reports(const std::string& source, const std::function<bool(ImportRow&)>& next,
                                const std::string& actor, const std::string& now, bool dry_run,
                                const std::function<void(const ImportPlan&)>& plan = {});

    // Runs `body` in one write transaction that every write of this station inside it joins (each in its own
    // savepoint, so a refused write undoes only itself). Commits when `body` returns, rolls everything back
    // when it throws. For bulk work (benchmarks, migrations of old ledgers).
    void batch(const std::function<void()>& body);

    // Runs `body` on one snapshot of the station: every read inside it (two passes over the same list) sees
    // the same cases.
    void snapshot(const std::function<void()>& body);

    CaseState get_case(const std::string& id);  // NotFound when unknown
    std::vector<Event> history(const std::string& id);
    std::string workflow_label(const CaseState& c);  // the Chinese label of the case's step

    // Streams the cases matching the filter, oldest received first, each with its clock on `today`. Before
    // the first one, refuses (SPEC rule 6: exit 3 naming the case and the missing year) when a case it would
    // list has a clock the calendar cannot tell — with `overdue_only`, only what decides the answer.
    void list_cases(const CaseFilter& filter, Date today,
                    const std::function<void(const CaseState&, const ClockView&)>& each);
    // One page of list_cases: `total` matching cases and, of them, at most `limit` after the first `offset`,
    // read on one snapshot. The total is counted by the store and only the page's cases are read; with the
    // overdue filter (which the calendar decides, not a stored column) the running cases past their stored
    // deadline are streamed and counted, the page's kept.
    struct Page {
        std::int64_t total = 0;
        std::vector<std::pair<CaseState, ClockView>> cases;
    };
    Page list_page(const CaseFilter& filter, Date today, std::int64_t limit, std::int64_t offset);
    // Every case overdue at the end of `as_of`, as it stood then (events after it ignored), most overdue
    // first, streamed: `count` is told how many there are before `each` is given the first. Only a small
    // sort key per overdue case is held; the cases are read again one at a time in that order. Cases are
    // replayed only when they changed after the day (found through the last-event index).
    void overdue_as_of(Date as_of, const std::function<void(std::size_t count)>& count,
                       const std::function<void(const CaseState&, const ClockView&)>& each);
    // The same, collected (tests; small stations).
    std::vector<std::pair<CaseState, ClockView>> overdue_as_of(Date as_of);
    // Running cases, not suspended, with at most `within` working days left on `today`, fewest first; read
    // through the deadline index. Refuses when a running case's days left cannot be told.
    // Streamed as overdue_as_of is: a small key per case held, the cases read again one at a time.
    void due_soon(Date today, int within,
                  const std::function<void(const CaseState&, const ClockView&)>& each);
    // The same, collected.
    std::vector<std::pair<CaseState, ClockView>> due_soon(Date today, int within);

    // Integrity: the hash chain, and the projection against a replay of the events.
    VerifyResult verify();
    // Drops the projection and rebuilds it from the events alone.
    void rebuild_projection();

    // How long a write waits for other writers before giving up with Busy (Store::set_lock_wait).
    void set_lock_wait(std::chrono::milliseconds wait);

    // The store underneath, for tests and benchmarks that look at it directly.
    Store& store();

private:
    std::string lookup_label(const CaseState& c);
    // The filter checked (refused when empty or reversed) and its category resolved.
    CaseFilter checked_filter(const CaseFilter& given);
    // SPEC rule 6 for a list, before anything is handed out: refused when a case it would list has a clock
    // the calendar cannot tell (with the overdue filter, only what decides the answer).
    void refuse_incomplete_clocks(const CaseFilter& filter, Date today);
    // Calls `each` for the cases matching `base` whose clock on `today` may be incomplete (SPEC rule 6).
    void for_possibly_incomplete_clocks(const CaseQuery& base, Date today,
                                        const std::function<void(const CaseState&)>& each);
    CalendarChange change_calendar(const std::vector<CalendarYear>& years, const std::string& source,
                                   const std::string& actor, const std::string& at, const std::string& now);
    // The categories there are, each once, for error messages; with their names ("drainage (排水/下水道)")
    // when `with_names`.
    std::string known_categories(bool with_names);
    // The not-found error for a category no workflow has, listing the categories there are.
    Error unknown_category(const std::string& category);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace minsheng
