// A station in schema 4's layout, for the tests of the migration to the current one (storage tests only: it
// needs the storage library, which the engine tests do not link).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/case.h"
#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/sqlite_store.h"

namespace minsheng::test {

// Writes to `to` (a new file) a copy of the station at `from` as schema 4's code wrote it: the log with hex
// hashes and a stored previous-hash, each case's state as JSON (the engine's state_to_json) beside its
// filter columns, case_departments. Its schema is made by migrations 1 to 4 themselves (they never change
// once shipped), so opening the copy runs the real migration to the current layout.
inline void write_schema4_copy(const std::string& from, const std::string& to, int version = 4) {
    std::vector<CaseState> cases;
    {
        SqliteStore store(from);
        store.read([&] { store.scan_cases(CaseQuery{}, [&](const CaseState& s) { cases.push_back(s); }); });
    }
    sql::Db db(to, sql::Db::Mode::Create);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    sql::Stmt attach(db, "ATTACH ? AS src");
    attach.bind(1, from).run();
    sql::Transaction t(db);
    migrate(db, version);  // 4, 5 (an index more) or 6 (the search tables more)
    db.exec(
        "INSERT INTO meta SELECT * FROM src.meta; INSERT INTO staff SELECT * FROM src.staff;"
        // The columns schema 4 had (migration 11 added `compiled`, which the migration fills).
        "INSERT INTO workflows SELECT category, version, name, deadline_days, source, file, loaded_at, "
        "initial_step, description FROM src.workflows; INSERT INTO workflow_steps SELECT * FROM "
        "src.workflow_steps; INSERT INTO calendar_years SELECT * FROM src.calendar_years;"
        "INSERT INTO calendar_days SELECT * FROM src.calendar_days; INSERT INTO id_counters SELECT * FROM "
        "src.id_counters;"
        "INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, prev_hash, hash) SELECT "
        "seq, "
        "case_id, action, at, actor, recorded_at, data, coalesce(lower(hex(lag(hash) OVER (ORDER BY seq))), "
        "'" +
        std::string(64, '0') + "'), lower(hex(hash)) FROM src.events ORDER BY seq;");
    sql::Stmt ins(
        db,
        "INSERT INTO cases (id, category, phase, step, suspended, address_key, received_at, deadline, "
        "typical, last_event_at, state, address_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sql::Stmt dep(db, "INSERT INTO case_departments (case_id, department) VALUES (?, ?)");
    for (const CaseState& s : cases) {
        ins.reset();
        ins.bind(1, s.id).bind(2, s.category).bind(3, phase_name(s.phase)).bind(4, s.step);
        ins.bind(5, s.suspended ? 1 : 0).bind(6, s.address_key).bind(7, s.received_at);
        ins.bind_opt(8, s.deadline ? std::optional<std::string>(format_date(*s.deadline)) : std::nullopt);
        ins.bind(9, s.typical ? 1 : 0).bind(10, s.last_event_at).bind(11, state_to_json(s).dump());
        ins.bind(12, address_hash(s.category, s.address_key)).run();
        for (const auto& d : s.departments()) {
            dep.reset();
            dep.bind(1, s.id).bind(2, d).run();
        }
    }
    t.commit();
}

}  // namespace minsheng::test
