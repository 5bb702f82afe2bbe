// Schema migrations, oldest first. Never edit a migration that has shipped: add a new one.
#include "storage/schema.h"

#include <string>
#include <vector>

#include "storage/sqlite.h"

namespace minsheng {

namespace {

const std::vector<std::string>& migrations() {
    static const std::vector<std::string> m = {
        // 1: the first schema.
        R"sql(
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE staff (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('coordinator', 'supervisor')),
            department TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL);
        CREATE TABLE workflows (
            category TEXT NOT NULL,
            version INTEGER NOT NULL,
            name TEXT NOT NULL,
            deadline_days INTEGER NOT NULL,
            source TEXT NOT NULL,
            file TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            PRIMARY KEY (category, version));
        CREATE TABLE calendar_years (year INTEGER PRIMARY KEY, source TEXT NOT NULL, loaded_at TEXT NOT NULL);
        CREATE TABLE calendar_days (
            date TEXT PRIMARY KEY,
            year INTEGER NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
            working INTEGER NOT NULL,
            name TEXT NOT NULL);
        CREATE TABLE id_counters (year INTEGER PRIMARY KEY, next INTEGER NOT NULL);
        -- The append-only log. Each row carries the hash of its predecessor (a hash chain).
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            case_id TEXT NOT NULL,
            action TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            data TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        CREATE INDEX events_by_case ON events (case_id, seq);
        -- The projection: each case's current state, rebuilt from the events at will.
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            category TEXT NOT NULL,
            phase TEXT NOT NULL,
            step TEXT NOT NULL,
            suspended INTEGER NOT NULL,
            address_key TEXT NOT NULL,
            received_at TEXT NOT NULL,
            deadline TEXT,
            typical INTEGER NOT NULL,
            last_event_at TEXT NOT NULL,
            state TEXT NOT NULL);
        CREATE INDEX cases_open_by_address ON cases (category, address_key)
            WHERE phase IN ('intake', 'coordination', 'follow_up');
        CREATE INDEX cases_running_by_deadline ON cases (deadline) WHERE phase IN ('intake', 'coordination');
        CREATE INDEX cases_by_received ON cases (received_at);
        CREATE INDEX cases_by_last_event ON cases (last_event_at);
        CREATE TABLE case_departments (
            case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
            department TEXT NOT NULL,
            PRIMARY KEY (case_id, department)) WITHOUT ROWID;
        CREATE INDEX case_departments_by_department ON case_departments (department);
        )sql",
    };
    return m;
}

int user_version(sql::Db& db) {
    sql::Stmt st(db, "PRAGMA user_version");
    st.step();
    return static_cast<int>(st.integer(0));
}

}  // namespace

int schema_version() {
    return static_cast<int>(migrations().size());
}

void migrate(sql::Db& db) {
    const int have = user_version(db);
    for (int v = have; v < schema_version(); ++v)
        db.exec(migrations()[static_cast<size_t>(v)]);
    if (have < schema_version()) db.exec("PRAGMA user_version = " + std::to_string(schema_version()));
}

}  // namespace minsheng
