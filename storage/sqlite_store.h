// The SQLite implementation of the store (store.h): one file, WAL, every write one IMMEDIATE transaction,
// schema versioned and migrated forward on open (schema.cpp).
#pragma once

#include <memory>
#include <string>

#include "storage/store.h"

namespace minsheng {

class SqliteStore final : public Store {
public:
    // Creates a new station file at `path` holding `seed`. Refused (exit 3, nothing touched) when anything
    // exists there; built under a temporary name and linked into place only when whole.
    static void create(const std::string& path, const StationSeed& seed);

    // Opens an existing station, migrating its schema forward. NotFound when there is no file; Storage error
    // (file untouched) when it is not a minsheng database, is newer than this build, or its schema does not
    // match its version.
    explicit SqliteStore(const std::string& path);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    // True when the open migrated a schema older than 5: its projection holds the calendar's old English
    // messages (before 4), and its search index is empty (before 5).
    bool projection_needs_rebuild() const override;

    void write(const std::function<void()>& body) override;
    void read(const std::function<void()>& body) override;
    std::string read_only_reason() const override;
    std::int64_t data_version() override;
    void settle() override;
    void bulk_mode(bool on) override;
    void set_lock_wait(std::chrono::milliseconds wait) override;

    LogHead log_head() override;
    std::optional<std::string> recorded_head() override;
    void append(const LogEntry& e) override;
    void scan_log(const std::function<void(const LogEntry&)>& each) override;
    std::optional<LogEntry> log_entry(std::int64_t seq) override;
    std::vector<Event> case_events(const std::string& id, const std::optional<std::string>& before) override;
    std::vector<Event> case_events_of(const std::string& id,
                                      const std::vector<std::string>& actions) override;
    void scan_case_events(const std::function<void(const Event&)>& each) override;
    std::int64_t cases_missing_from_projection() override;

    std::optional<CaseState> load_case(const std::string& id) override;
    void save_case(const CaseState& s, bool is_new) override;
    void clear_cases() override;
    void scan_cases_at_address(const std::string& address_key, bool and_longer,
                               const std::function<void(const CaseState&)>& each) override;
    std::vector<std::pair<std::string, std::string>> open_cases_at(const std::string& category,
                                                                   const std::string& address_key) override;
    void scan_cases(const CaseQuery& q, const std::function<void(const CaseState&)>& each) override;
    std::int64_t count_cases(const CaseQuery& q) override;
    void index_case_text(const std::string& id, const std::string& text,
                         const std::vector<std::string>& phone_digits) override;
    void scan_ids_changed_since(const std::string& bound,
                                const std::function<void(const std::string&)>& each) override;
    void for_ids_deadline_from(const std::string& date,
                               const std::function<void(const std::string&)>& each) override;
    void scan_projection(const std::function<void(const ProjectionRow&)>& each) override;

    std::int64_t next_case_number(int year) override;

    std::optional<StaffMember> staff(const std::string& name) override;
    std::vector<std::string> staff_names() override;
    void add_staff(const StaffMember& m, const std::string& added_at, const std::string& added_by) override;

    std::optional<std::string> password_hash(const std::string& name) override;
    void set_password_hash(const std::string& name, const std::string& hash,
                           const std::string& set_at) override;
    void put_session(const SessionRow& s) override;
    std::optional<SessionRow> session(const std::string& token_hash) override;
    void touch_session(const std::string& token_hash, std::int64_t at) override;
    void delete_session(const std::string& token_hash) override;
    void delete_sessions_of(const std::string& name) override;
    void delete_sessions_idle_before(std::int64_t before) override;
    void add_signin_failure(const std::string& name, std::int64_t at, std::int64_t forget_before) override;
    std::vector<std::int64_t> signin_failures(const std::string& name, int limit) override;
    void clear_signin_failures(const std::string& name) override;

    std::vector<WorkflowInfo> workflows() override;
    std::optional<StoredWorkflow> workflow(const std::string& category, std::optional<int> version) override;
    std::optional<WorkflowOpening> opening(const std::string& category) override;
    std::optional<std::string> step_label(const std::string& category, int version,
                                          const std::string& step) override;
    void put_workflow(const Workflow& w, const std::string& file, const std::string& loaded_at) override;

    std::vector<CalendarYear> calendar_data() override;
    std::vector<CalendarYearInfo> calendar_years() override;
    void put_calendar(const std::vector<CalendarYear>& years, const std::string& source,
                      const std::string& loaded_at) override;

    std::string damage() override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace minsheng
