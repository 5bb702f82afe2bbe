// Schema migrations, oldest first. Never edit a migration that has shipped: add a new one.
#include "storage/schema.h"

#include <map>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "engine/workflow.h"
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
        // 2: the open-case index holds an 8-byte hash of category and address instead of the two texts (a
        // third of the size: it stays in the page cache during a large import), and tests the phase against
        // two values instead of three (SQLite evaluates a short IN list inline; three values cost a temporary
        // b-tree on every insert and update of a case).
        R"sql(
        ALTER TABLE cases ADD COLUMN address_hash INTEGER NOT NULL DEFAULT 0;
        UPDATE cases SET address_hash = minsheng_address_hash(category, address_key);
        DROP INDEX cases_open_by_address;
        CREATE INDEX cases_open_by_address ON cases (address_hash) WHERE phase NOT IN ('closed', 'rejected');
        -- Each workflow version's step labels, so showing a case needs no parse of its workflow's YAML
        -- (filled from the stored workflows by migrate()).
        CREATE TABLE workflow_steps (
            category TEXT NOT NULL,
            version INTEGER NOT NULL,
            step TEXT NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (category, version, step)) WITHOUT ROWID;
        )sql",
        // 3: each workflow version's first step and description, so opening a case and listing the workflows
        // need no parse of their YAML (filled from the stored workflows by migrate()).
        R"sql(
        ALTER TABLE workflows ADD COLUMN initial_step TEXT NOT NULL DEFAULT '';
        ALTER TABLE workflows ADD COLUMN description TEXT NOT NULL DEFAULT '';
        )sql",
        // 4: provisional calendar years (SPEC Part 2 "Calendar beyond the published years"), made from the
        // statutory holidays until the year's notice replaces them.
        R"sql(
        ALTER TABLE calendar_years ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
        )sql",
        // 5: the similar-address warning (SPEC Part 2 "Addresses and repeat reports") looks cases up by
        // address key over every category and phase, and by a key's prefix; opening the station rebuilds
        // the projection once, so the keys are those of the new folding.
        R"sql(
        CREATE INDEX cases_by_address_key ON cases (address_key);
        )sql",
        // 6: signing in to the web workspace (SPEC Part 2 "The web workspace and its API"): Argon2id password
        // hashes, sessions kept only as a hash of their token, and failed attempts for throttling. Outside
        // the event log, which records each password change without its hash.
        R"sql(
        CREATE TABLE staff_passwords (
            name TEXT PRIMARY KEY REFERENCES staff (name),
            hash TEXT NOT NULL,
            set_at TEXT NOT NULL);
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            csrf_token TEXT NOT NULL,
            created INTEGER NOT NULL,
            last_seen INTEGER NOT NULL);
        CREATE INDEX sessions_by_last_seen ON sessions (last_seen);
        CREATE TABLE signin_failures (name TEXT NOT NULL, at INTEGER NOT NULL);
        CREATE INDEX signin_failures_by_name ON signin_failures (name, at);
        )sql",
    };
    return m;
}

void sql_address_hash(sqlite3_context* ctx, int, sqlite3_value** argv) {
    auto text = [](sqlite3_value* v) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
        return p ? std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(v))) : std::string_view();
    };
    sqlite3_result_int64(ctx, address_hash(text(argv[0]), text(argv[1])));
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

void store_workflow_steps(sql::Db& db, const Workflow& w) {
    sql::Stmt ins(
        db, "INSERT OR REPLACE INTO workflow_steps (category, version, step, label) VALUES (?, ?, ?, ?)");
    for (const auto& step : w.steps) {
        ins.reset();
        ins.bind(1, w.category).bind(2, w.version).bind(3, step.id).bind(4, step.label).run();
    }
}

std::int64_t address_hash(std::string_view category, std::string_view address_key) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&](std::string_view s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 0x100000001b3ULL;
        }
    };
    mix(category);
    mix("\x1f");
    mix(address_key);
    return static_cast<std::int64_t>(h);
}

void migrate(sql::Db& db) {
    const int have = user_version(db);
    if (have < schema_version()) {
        const int rc = sqlite3_create_function_v2(db.handle(), "minsheng_address_hash", 2,
                                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                                  nullptr, sql_address_hash, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) db.fail(rc, "");
    }
    for (int v = have; v < schema_version(); ++v)
        db.exec(migrations()[static_cast<size_t>(v)]);
    if (have < 3) {
        // Migration 2 made workflow_steps, 3 the initial_step and description columns: fill what is new from
        // the stored workflows, each parsed once.
        std::vector<Workflow> stored;
        {
            sql::Stmt st(db, "SELECT source, file FROM workflows");
            while (st.step()) {
                WorkflowLoad load = load_workflow(st.text(0), st.text(1), WorkflowChecks::Stored);
                if (load.workflow) stored.push_back(std::move(*load.workflow));
            }
        }
        sql::Stmt fill(
            db, "UPDATE workflows SET initial_step = ?, description = ? WHERE category = ? AND version = ?");
        for (const auto& w : stored) {
            if (have < 2) store_workflow_steps(db, w);
            fill.reset();
            fill.bind(1, w.initial_step().id)
                .bind(2, w.description)
                .bind(3, w.category)
                .bind(4, w.version)
                .run();
        }
    }
    if (have < schema_version()) db.exec("PRAGMA user_version = " + std::to_string(schema_version()));
}

namespace {

struct SchemaObject {
    std::string type, name, table, sql;
};

// The objects of a schema, SQLite's own (sqlite_autoindex_…, sqlite_stat1, sqlite_sequence) left out: they
// follow from the rest or from use.
std::map<std::string, SchemaObject> schema_objects(sql::Db& db) {
    std::map<std::string, SchemaObject> out;
    sql::Stmt st(db,
                 "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE "
                 "'sqlite\\_%' ESCAPE '\\'");
    while (st.step())
        out[st.text(1)] = SchemaObject{st.text(0), st.text(1), st.text(2), st.text(3)};
    return out;
}

// What migrations 1..version make, each version computed once per process.
const std::map<std::string, SchemaObject>& expected_schema(int version) {
    static std::map<int, std::map<std::string, SchemaObject>> cache;
    auto it = cache.find(version);
    if (it != cache.end()) return it->second;
    sql::Db mem(":memory:", sql::Db::Mode::Create);
    const int rc = sqlite3_create_function_v2(mem.handle(), "minsheng_address_hash", 2,
                                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                              sql_address_hash, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) mem.fail(rc, "");
    for (int v = 0; v < version && v < schema_version(); ++v)
        mem.exec(migrations()[static_cast<size_t>(v)]);
    return cache.emplace(version, schema_objects(mem)).first->second;
}

// Statements compared as SQLite keeps them, white space runs folded (an editor's reflow is no damage).
std::string folded(const std::string& sql) {
    std::string out;
    bool space = false;
    for (char c : sql) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

}  // namespace

std::string schema_difference(sql::Db& db, int version) {
    if (version < 0 || version > schema_version())
        return "schema version " + std::to_string(version) + " is unknown to this minsheng (it knows 1 to " +
               std::to_string(schema_version()) + ")";
    const auto& expected = expected_schema(version);
    const auto actual = schema_objects(db);
    for (const auto& [name, want] : expected) {
        auto it = actual.find(name);
        if (it == actual.end()) return want.type + " " + name + " is missing";
        if (it->second.type != want.type)
            return name + " is a " + it->second.type + " where a " + want.type + " belongs";
        if (folded(it->second.sql) != folded(want.sql)) return want.type + " " + name + " has been altered";
    }
    for (const auto& [name, have] : actual)
        if (!expected.count(name)) return have.type + " " + name + " is not expected";
    return "";
}

}  // namespace minsheng
