// The narrow interface between the application layer (usecases/) and a station's persistence: transactions,
// the log's head and append, a case's events, projection rows, the open cases at an address, case numbers,
// staff, workflows, the calendar, and scans with filters. It holds no domain rule: the hash chain's format,
// the case-id format, repeat matching, the overdue rules and verify are written once above it. SQLite
// (sqlite_store.h) is the first implementation; tests/storage/store_conformance_test.cpp pins the behaviour
// any other must have.
//
// A Store is one connection: use one per thread (or per request) and never share it between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/case.h"
#include "engine/runtime.h"
#include "engine/workflow.h"

namespace minsheng {

struct StaffMember {
    std::string name;
    Role role = Role::Coordinator;
    std::string department;
};

struct WorkflowInfo {
    std::string category;
    std::string name;
    int version = 0;
    int deadline_days = 0;
    std::string loaded_at;
    std::string description;  // as written in the file, possibly over several lines
};

// A workflow version as stored: its YAML, the file it came from, and what opening a case needs of it.
struct StoredWorkflow {
    std::string category;
    int version = 0;
    std::string source;    // the YAML text
    std::string file;
    std::string compiled;  // engine/workflow_compiled.h's form of it; empty when none was stored
};

// One year of the station's working-day calendar.
struct CalendarYearInfo {
    int year = 0;
    bool provisional = false;
    std::string source;  // the file it came from, or "provisional" for a provisional year
    std::string loaded_at;
};

// One event as the log stores it: every column the hash chain covers, and the chain's two hashes.
struct LogEntry {
    std::int64_t seq = 0;
    std::string case_id;  // "" for the station's own events (calendar loads)
    std::string action;
    std::string at;
    std::string actor;
    std::string recorded_at;
    std::string data;  // the event's JSON text, exactly as hashed
    // The previous entry's hash (64 zeros before the first entry). A store may keep it or, as the SQLite
    // store does, give the hash of the entry before in the log: append ignores it.
    std::string prev_hash;
    std::string hash;  // 64 lowercase hex digits
};

// The log's end: the last event's sequence number and hash (0 and "" when the log is empty).
struct LogHead {
    std::int64_t seq = 0;
    std::string hash;
    bool operator==(const LogHead& o) const { return seq == o.seq && hash == o.hash; }
};

// A projection row as stored, for verify to hold against a replay: the state as every command reads it (none
// when its text cannot be read) and the columns the queries filter on, which a hand edit could change alone.
struct ProjectionRow {
    std::string id;
    std::optional<CaseState> state;
    std::string category, phase, step, address_key, received_at, last_event_at;
    std::optional<std::string> deadline;
    bool suspended = false, typical = false;
    bool index_keys_ok = true;  // the store's own derived index keys match the row
    std::vector<std::string> departments;
};

// Which projection rows a scan returns. Every member narrows; the rows come oldest received first.
struct CaseQuery {
    std::optional<std::string> phase;  // a phase id
    std::optional<std::string> category;
    std::optional<std::string> department;
    bool running_only = false;           // phase intake or coordination
    bool unknown_deadline_only = false;  // no stored deadline, rejected cases aside
    // Running cases that may be past `deadline_before` (a YYYY-MM-DD): stored deadline before it, or
    // suspended (whose deadline moves), or unknown when `or_unknown`. Read through the deadline index.
    std::optional<std::string> deadline_before;
    bool or_unknown = false;
    // Running cases whose stored deadline is on or before this date (YYYY-MM-DD), through the deadline index.
    std::optional<std::string> deadline_until;
    // ... and on or after this one: with deadline_until, a range of the deadline index.
    std::optional<std::string> deadline_from;
    // Only rows whose last event is before this timestamp bound.
    std::optional<std::string> last_event_before;
    // Finding cases (SPEC Part 2), through the search index (index_case_text) and the log's actors.
    std::optional<std::string> text;  // substring of the id, address, summary, a reporter's name or phone
    std::optional<std::string> phone_digits;  // a reporter's phone, digits only, starting with these
    std::optional<std::string> actor;         // someone who has recorded an event on the case
    bool typical_only = false;
    std::optional<std::string> received_from;  // YYYY-MM-DD, inclusive
    std::optional<std::string> received_to;    // YYYY-MM-DD, inclusive
    std::optional<std::string> reporter;       // a reporter whose name contains this text
    // A page of the scan: the rows after the first `offset`, at most `limit` of them (none: every row).
    // count_cases ignores both.
    std::optional<std::int64_t> limit;
    std::int64_t offset = 0;
};

// A signed-in session as stored: the token itself is never kept, only its hash (SPEC Part 2 "Sign-in").
// Times are seconds since the epoch.
struct SessionRow {
    std::string token_hash;
    std::string name;
    std::string csrf_token;
    std::int64_t created = 0;
    std::int64_t last_seen = 0;
};

// What a new station starts with (init).
struct StationSeed {
    std::vector<std::pair<Workflow, std::string>> workflows;  // parsed, with the file each came from
    std::vector<CalendarYear> calendar;
    std::string calendar_source;
    StaffMember supervisor;
    std::string created_at;
};

class Store {
public:
    virtual ~Store() = default;

    // --- transactions
    // Runs `body` in one write transaction, retrying it whole while other writers hold the lock; inside a
    // write already, in a savepoint of it (a throw undoes only that part). Commits when it returns.
    virtual void write(const std::function<void()>& body) = 0;
    // Runs `body` on one snapshot of the station (several queries see one state), retrying while locked.
    virtual void read(const std::function<void()>& body) = 0;
    // Why nothing can be written (read-only media or permissions), empty when writes are possible.
    virtual std::string read_only_reason() const = 0;
    // Changes whenever another connection commits: caches above compare it to know when to reload.
    virtual std::int64_t data_version() = 0;
    // After a large write: flush what the store buffers (SQLite: the WAL into the file). Best effort.
    virtual void settle() = 0;
    // For one bulk transaction: let the store use more memory (bounded) until the scope ends, and write what
    // index_case_text records at the end of each transaction instead of row by row.
    virtual void bulk_mode(bool on) = 0;
    // How long a write waits for other writers before it gives up with Busy (default two minutes: a command
    // on the station's machine may wait; the web server answers sooner).
    virtual void set_lock_wait(std::chrono::milliseconds wait) = 0;
    // Whether opening upgraded a station whose projection must be rebuilt from the events once.
    virtual bool projection_needs_rebuild() const = 0;

    // --- the log
    virtual LogHead log_head() = 0;  // from the log itself
    // The head as recorded when the last event was written (tells a deleted end from an added one).
    virtual std::optional<std::string> recorded_head() = 0;
    // Appends `e` (seq already assigned, hashes computed) and records it as the head, in the current write.
    virtual void append(const LogEntry& e) = 0;
    // Every entry in sequence order.
    virtual void scan_log(const std::function<void(const LogEntry&)>& each) = 0;
    // One entry, when it exists.
    virtual std::optional<LogEntry> log_entry(std::int64_t seq) = 0;
    // A case's events in sequence order; with `before`, only those whose time sorts before it.
    virtual std::vector<Event> case_events(const std::string& id,
                                           const std::optional<std::string>& before = std::nullopt) = 0;
    // A case's events whose action is one of `actions`, in sequence order: fewer events to decode when a
    // question needs only some kinds (the year's report reads only visits and revokes of most cases).
    virtual std::vector<Event> case_events_of(const std::string& id,
                                              const std::vector<std::string>& actions) = 0;
    // Every case's events, grouped by case (ids ascending), each case's in sequence order; the station's
    // own events (case id "") left out.
    virtual void scan_case_events(const std::function<void(const Event&)>& each) = 0;
    // How many distinct case ids in the log have no projection row.
    virtual std::int64_t cases_missing_from_projection() = 0;

    // --- the projection
    virtual std::optional<CaseState> load_case(const std::string& id) = 0;
    // Inserts a new case's row or updates an existing one (only what events change).
    virtual void save_case(const CaseState& s, bool is_new) = 0;
    virtual void clear_cases() = 0;
    // The open (not closed, rejected or merged) cases of `category` at `address_key`: (id, received_at).
    virtual std::vector<std::pair<std::string, std::string>> open_cases_at(
        const std::string& category, const std::string& address_key) = 0;
    virtual void scan_cases(const CaseQuery& q, const std::function<void(const CaseState&)>& each) = 0;
    // How many rows scan_cases would give for `q` without its page (limit and offset), counted without
    // reading the cases.
    virtual std::int64_t count_cases(const CaseQuery& q) = 0;
    // Every case, of any category and phase, whose address key is `address_key` or, with `and_longer`, starts
    // with it (read through an index on the key, for the similar-address warning).
    virtual void scan_cases_at_address(const std::string& address_key, bool and_longer,
                                       const std::function<void(const CaseState&)>& each) = 0;
    // Records what a case can be found by (CaseQuery::text and phone_digits): `text` (its id, address,
    // summary, reporters' names and phones, as the application layer puts them together) and the digits of
    // each reporter's phone; replaces what was recorded for it. Called after saving a case whose reports or
    // address changed; clear_cases clears it too.
    virtual void index_case_text(const std::string& id, const std::string& text,
                                 const std::vector<std::string>& phone_digits) = 0;
    // Ids of cases received before `bound` whose last event is at or after it.
    virtual void scan_ids_changed_since(const std::string& bound,
                                        const std::function<void(const std::string&)>& each) = 0;
    // Ids of cases whose stored deadline is unknown or on or after `date` (YYYY-MM-DD), kept by the store
    // (not in memory) while `each` runs, so `each` may save those cases.
    virtual void for_ids_deadline_from(const std::string& date,
                                       const std::function<void(const std::string&)>& each) = 0;
    virtual void scan_projection(const std::function<void(const ProjectionRow&)>& each) = 0;

    // --- case numbers
    // The next number for a case received in `year` (1, 2, …), reserved in the current write.
    virtual std::int64_t next_case_number(int year) = 0;

    // --- staff
    virtual std::optional<StaffMember> staff(const std::string& name) = 0;
    virtual std::vector<std::string> staff_names() = 0;
    virtual void add_staff(const StaffMember& m, const std::string& added_at,
                           const std::string& added_by) = 0;

    // --- sign-in: password hashes, sessions, failed attempts (no rule: the application layer decides)
    virtual std::optional<std::string> password_hash(const std::string& name) = 0;
    virtual void set_password_hash(const std::string& name, const std::string& hash,
                                   const std::string& set_at) = 0;
    virtual void put_session(const SessionRow& s) = 0;
    virtual std::optional<SessionRow> session(const std::string& token_hash) = 0;
    virtual void touch_session(const std::string& token_hash, std::int64_t at) = 0;
    virtual void delete_session(const std::string& token_hash) = 0;
    // Every session of `name` (after a password change), and every session idle since before `before`.
    virtual void delete_sessions_of(const std::string& name) = 0;
    virtual void delete_sessions_idle_before(std::int64_t before) = 0;
    // Records a failed attempt for `name` and forgets attempts older than `forget_before`.
    virtual void add_signin_failure(const std::string& name, std::int64_t at, std::int64_t forget_before) = 0;
    // The times of `name`'s latest failed attempts, newest first, at most `limit`.
    virtual std::vector<std::int64_t> signin_failures(const std::string& name, int limit) = 0;
    virtual void clear_signin_failures(const std::string& name) = 0;

    // --- workflows
    virtual std::vector<WorkflowInfo> workflows() = 0;  // every version, by category then version
    // The given version, or the latest when none is given.
    virtual std::optional<StoredWorkflow> workflow(const std::string& category,
                                                   std::optional<int> version = std::nullopt) = 0;
    // The latest version's opening terms, without its YAML.
    virtual std::optional<WorkflowOpening> opening(const std::string& category) = 0;
    virtual std::optional<std::string> step_label(const std::string& category, int version,
                                                  const std::string& step) = 0;
    // Stores a new workflow version with its step labels (a version already stored is left as it is).
    virtual void put_workflow(const Workflow& w, const std::string& file, const std::string& loaded_at) = 0;

    // --- the calendar
    virtual std::vector<CalendarYear> calendar_data() = 0;
    virtual std::vector<CalendarYearInfo> calendar_years() = 0;
    // Adds or replaces these years.
    virtual void put_calendar(const std::vector<CalendarYear>& years, const std::string& source,
                              const std::string& loaded_at) = 0;

    // --- integrity of the store itself
    // Damage the store can see in itself (SQLite: quick_check, and the schema against what its migrations
    // create); empty when there is none.
    virtual std::string damage() = 0;
};

}  // namespace minsheng
