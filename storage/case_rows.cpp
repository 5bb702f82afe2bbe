// The projection's rows (see case_rows.h).
#include "storage/case_rows.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "storage/schema.h"

namespace minsheng::storage_detail {

using nlohmann::json;

const char* const kCaseColumns =
    "c.id, c.category, c.workflow_version, c.deadline_days, c.address, c.address_key, c.summary, c.received_at, "
    "c.phase, c.step, c.suspended, c.report_count, c.reopen_count, c.escalation_level, c.typical, "
    "c.first_dispatched_at, c.clock_start, c.deadline, c.deadline_problem, c.suspended_since, c.resolved_on, "
    "c.suspended_working_days, c.extended_working_days, c.last_event_at, c.last_seq, c.event_count, c.fields, "
    "c.rounds, c.tasks, c.visits, c.satisfied";

namespace {

std::optional<std::string> date_text(const std::optional<Date>& d) {
    return d ? std::optional<std::string>(format_date(*d)) : std::nullopt;
}

std::optional<Date> date_at(const sql::Stmt& st, int col) {
    if (st.is_null(col)) return std::nullopt;
    return parse_date(st.view(col));
}

std::optional<std::string> nonempty(std::string text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(std::move(text));
}

std::string fields_json(const CaseState& s) {
    return s.fields.empty() ? std::string() : json(s.fields).dump();
}

// Each past round as [start, deadline or null, resolved_on or null].
std::string rounds_json(const CaseState& s) {
    if (s.past_cycles.empty()) return {};
    auto date = [](const std::optional<Date>& d) { return d ? json(format_date(*d)) : json(nullptr); };
    json out = json::array();
    for (const auto& c : s.past_cycles)
        out.push_back(json::array({format_date(c.start), date(c.deadline), date(c.resolved_on)}));
    return out.dump();
}

// The columns both an insert and an update write, bound from `first` on (25 values).
void bind_changing(sql::Stmt& st, int first, const CaseState& s) {
    const int i = first;
    st.bind(i, s.workflow_version).bind(i + 1, s.deadline_days).bind(i + 2, s.address).bind(i + 3, s.summary);
    st.bind(i + 4, phase_name(s.phase)).bind(i + 5, s.step).bind(i + 6, s.suspended ? 1 : 0);
    st.bind(i + 7, s.report_count).bind(i + 8, s.reopen_count).bind(i + 9, s.escalation_level);
    st.bind(i + 10, s.typical ? 1 : 0).bind(i + 11, s.first_dispatched_at);
    st.bind_opt(i + 12, s.clock_start.is_special() ? std::nullopt
                                                   : std::optional<std::string>(format_date(s.clock_start)));
    st.bind_opt(i + 13, date_text(s.deadline)).bind(i + 14, s.deadline_problem);
    st.bind_opt(i + 15, date_text(s.suspended_since)).bind_opt(i + 16, date_text(s.resolved_on));
    st.bind(i + 17, s.suspended_working_days).bind(i + 18, s.extended_working_days);
    st.bind(i + 19, s.last_event_at).bind(i + 20, s.last_seq).bind(i + 21, s.event_count);
    st.bind_opt(i + 22, nonempty(fields_json(s))).bind_opt(i + 23, nonempty(rounds_json(s)));
    st.bind(i + 24, static_cast<std::int64_t>(s.tasks.size()));
}

// Reporters are written by position: a new one is inserted, a corrected one rewritten, an unchanged one
// left unwritten.
void put_reporters(sql::StmtCache& stmts, const CaseState& s, bool is_new) {
    for (size_t n = 0; n < s.reporters.size(); ++n) {
        const Reporter& r = s.reporters[n];
        auto ins = stmts.get(
            is_new
                ? "INSERT INTO case_reporters (case_id, report_no, name, phone, channel, at, summary) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?)"
                : "INSERT INTO case_reporters (case_id, report_no, name, phone, channel, at, summary) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, report_no) DO UPDATE SET name = "
                  "excluded.name, "
                  "phone = excluded.phone, channel = excluded.channel, at = excluded.at, summary = "
                  "excluded.summary WHERE (name, phone, channel, at, summary) IS NOT (excluded.name, "
                  "excluded.phone, excluded.channel, excluded.at, excluded.summary)");
        ins->bind(1, s.id).bind(2, static_cast<std::int64_t>(n + 1)).bind(3, r.name).bind(4, r.phone);
        ins->bind(5, r.channel).bind(6, r.at).bind(7, r.summary).run();
    }
}

// Tasks are written by position: an upsert writes the new ones and the changed ones and leaves an unchanged
// row unwritten (a revoke that takes a task off shifts the later ones, which are then rewritten).
void upsert_tasks(sql::StmtCache& stmts, const CaseState& s, bool is_new) {
    for (size_t n = 0; n < s.tasks.size(); ++n) {
        const DepartmentTask& t = s.tasks[n];
        auto put = stmts.get(
            is_new
                ? "INSERT INTO case_tasks (case_id, task_no, department, status, lead, dispatched_at, "
                  "updated_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                : "INSERT INTO case_tasks (case_id, task_no, department, status, lead, dispatched_at, "
                  "updated_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, task_no) DO "
                  "UPDATE SET department = excluded.department, status = excluded.status, lead = "
                  "excluded.lead, dispatched_at = excluded.dispatched_at, updated_at = excluded.updated_at, "
                  "note = excluded.note WHERE (department, status, lead, dispatched_at, updated_at, note) IS "
                  "NOT (excluded.department, excluded.status, excluded.lead, excluded.dispatched_at, "
                  "excluded.updated_at, excluded.note)");
        put->bind(1, s.id).bind(2, static_cast<std::int64_t>(n + 1)).bind(3, t.department);
        put->bind(4, task_status_name(t.status)).bind(5, t.lead ? 1 : 0).bind(6, t.dispatched_at);
        put->bind(7, t.updated_at).bind(8, t.note).run();
    }
}

}  // namespace

void insert_case_rows(sql::StmtCache& stmts, const CaseState& s) {
    {
        auto ins = stmts.get(
            "INSERT INTO cases (id, category, address_key, address_hash, received_at, workflow_version, "
            "deadline_days, address, summary, phase, step, suspended, report_count, reopen_count, "
            "escalation_level, typical, first_dispatched_at, clock_start, deadline, deadline_problem, "
            "suspended_since, resolved_on, suspended_working_days, extended_working_days, last_event_at, "
            "last_seq, event_count, fields, rounds, tasks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        ins->bind(1, s.id).bind(2, s.category).bind(3, s.address_key);
        ins->bind(4, address_hash(s.category, s.address_key)).bind(5, s.received_at);
        bind_changing(*ins, 6, s);
        ins->run();
    }
    // The visit tally (migration 10) is set apart: migration 7 converts old rows through this function
    // before those columns exist, and its states have none (migration 10 fills them from the events).
    if (s.visits_answered != 0 || s.visits_satisfied != 0) {
        auto tally = stmts.get("UPDATE cases SET visits = ?, satisfied = ? WHERE id = ?");
        tally->bind(1, s.visits_answered).bind(2, s.visits_satisfied).bind(3, s.id).run();
    }
    put_reporters(stmts, s, true);
    upsert_tasks(stmts, s, true);
}

bool update_case_rows(sql::Db& db, sql::StmtCache& stmts, const CaseState& s) {
    // id and receipt never change; category and address key only by a correction. They key the indexes:
    // leaving them out of the usual UPDATE spares SQLite the maintenance of those indexes.
    {
        auto up = stmts.get(
            "UPDATE cases SET workflow_version = ?, deadline_days = ?, address = ?, summary = ?, phase = ?, "
            "step = ?, suspended = ?, report_count = ?, reopen_count = ?, escalation_level = ?, typical = ?, "
            "first_dispatched_at = ?, clock_start = ?, deadline = ?, deadline_problem = ?, suspended_since = "
            "?, resolved_on = ?, suspended_working_days = ?, extended_working_days = ?, last_event_at = ?, "
            "last_seq = ?, event_count = ?, fields = ?, rounds = ?, tasks = ?, visits = ?, satisfied = ? "
            "WHERE "
            "id = ?");
        bind_changing(*up, 1, s);
        up->bind(26, s.visits_answered).bind(27, s.visits_satisfied).bind(28, s.id).run();
        if (sqlite3_changes(db.handle()) != 1) return false;
    }
    {
        auto keys = stmts.get(
            "UPDATE cases SET category = ?1, address_key = ?2, address_hash = ?3 WHERE id = ?4 AND (category "
            "<> "
            "?1 OR address_key <> ?2)");
        keys->bind(1, s.category).bind(2, s.address_key).bind(3, address_hash(s.category, s.address_key));
        keys->bind(4, s.id).run();
    }
    put_reporters(stmts, s, false);
    upsert_tasks(stmts, s, false);
    // A revoke can take a reporter or a task off: rows beyond the state's go.
    {
        auto del = stmts.get("DELETE FROM case_reporters WHERE case_id = ? AND report_no > ?");
        del->bind(1, s.id).bind(2, static_cast<std::int64_t>(s.reporters.size())).run();
    }
    {
        auto del = stmts.get("DELETE FROM case_tasks WHERE case_id = ? AND task_no > ?");
        del->bind(1, s.id).bind(2, static_cast<std::int64_t>(s.tasks.size())).run();
    }
    return true;
}

void delete_all_case_rows(sql::Db& db) {
    db.exec("DELETE FROM case_tasks; DELETE FROM case_reporters; DELETE FROM cases;");
}

CaseState read_case_row(sql::StmtCache& stmts, const sql::Stmt& row) {
    CaseState s;
    s.id = row.text(0);
    s.category = row.text(1);
    s.workflow_version = static_cast<int>(row.integer(2));
    s.deadline_days = static_cast<int>(row.integer(3));
    s.address = row.text(4);
    s.address_key = row.text(5);
    s.summary = row.text(6);
    s.received_at = row.text(7);
    s.phase = phase_from_name(row.view(8)).value_or(Phase::Intake);
    s.step = row.text(9);
    s.suspended = row.integer(10) != 0;
    s.report_count = static_cast<int>(row.integer(11));
    s.reopen_count = static_cast<int>(row.integer(12));
    s.escalation_level = static_cast<int>(row.integer(13));
    s.typical = row.integer(14) != 0;
    s.first_dispatched_at = row.text(15);
    if (auto d = date_at(row, 16)) s.clock_start = *d;
    s.deadline = date_at(row, 17);
    s.deadline_problem = row.text(18);
    s.suspended_since = date_at(row, 19);
    s.resolved_on = date_at(row, 20);
    s.suspended_working_days = static_cast<int>(row.integer(21));
    s.extended_working_days = static_cast<int>(row.integer(22));
    s.last_event_at = row.text(23);
    s.last_seq = row.integer(24);
    s.event_count = static_cast<int>(row.integer(25));
    s.visits_answered = static_cast<int>(row.integer(29));
    s.visits_satisfied = static_cast<int>(row.integer(30));
    if (!row.is_null(26)) {
        const std::string_view text = row.view(26);
        s.fields = json::parse(text.begin(), text.end()).get<std::map<std::string, std::string>>();
    }
    if (!row.is_null(27)) {
        const std::string_view text = row.view(27);
        for (const auto& c : json::parse(text.begin(), text.end())) {
            auto date = [&](size_t i) {
                return c.at(i).is_null() ? std::nullopt
                                         : std::optional<Date>(parse_date(c.at(i).get<std::string>()));
            };
            s.past_cycles.push_back({*date(0), date(1), date(2)});
        }
    }
    {
        auto reps = stmts.get(
            "SELECT name, phone, channel, at, summary FROM case_reporters WHERE case_id = ? ORDER BY "
            "report_no");
        reps->bind(1, s.id);
        while (reps->step())
            s.reporters.push_back(
                {reps->text(0), reps->text(1), reps->text(2), reps->text(3), reps->text(4)});
    }
    if (row.integer(28) > 0) {
        auto tasks = stmts.get(
            "SELECT department, status, lead, dispatched_at, updated_at, note FROM case_tasks WHERE case_id "
            "= ? "
            "ORDER BY task_no");
        tasks->bind(1, s.id);
        while (tasks->step()) {
            const auto status = task_status_from_name(tasks->view(1));
            if (!status)
                throw storage_error("部门「" + tasks->text(0) + "」的已存任务状态「" + tasks->text(1) +
                                    "」无法识别");
            s.tasks.push_back({tasks->text(0), *status, tasks->integer(2) != 0, tasks->text(3),
                               tasks->text(4), tasks->text(5)});
        }
    }
    return s;
}

}  // namespace minsheng::storage_detail
