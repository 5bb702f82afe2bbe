// Schema migrations, oldest first. Never edit a migration that has shipped: add a new one.
#include "storage/schema.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "engine/case.h"
#include "engine/workflow.h"
#include "engine/workflow_compiled.h"
#include "storage/case_rows.h"
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
        // 6: finding cases (SPEC Part 2 "Finding cases"), in tables of their own: each case's searchable text
        // in an FTS5 trigram index (Chinese substrings of three characters or more, through the index), its
        // reporters' phones as digits, and who has recorded events on it (--mine). Filled from the log and
        // the projection by migrate().
        R"sql(
        CREATE TABLE case_search_rows (row INTEGER PRIMARY KEY, case_id TEXT NOT NULL UNIQUE);
        CREATE VIRTUAL TABLE case_search USING fts5 (body, tokenize = 'trigram');
        CREATE TABLE case_phones (
            digits TEXT NOT NULL,
            case_id TEXT NOT NULL,
            PRIMARY KEY (digits, case_id)) WITHOUT ROWID;
        -- A case's phones are replaced whenever the case is indexed again: found by case, not by a scan.
        CREATE INDEX case_phones_by_case ON case_phones (case_id);
        CREATE TABLE case_actors (
            actor TEXT NOT NULL,
            case_id TEXT NOT NULL,
            PRIMARY KEY (actor, case_id)) WITHOUT ROWID;
        INSERT OR IGNORE INTO case_actors (actor, case_id) SELECT actor, case_id FROM events WHERE case_id <> '';
        )sql",
        // 7 (first part; migrate() converts the projection's rows between the two parts): the log keeps its
        // hashes as 32-byte BLOBs and no previous-hash (it is the previous row's hash: verify recomputes
        // the chain from the rows); the projection's JSON state becomes typed columns, a reporters table and
        // a tasks table (which also replaces case_departments). The chain's definition does not change.
        R"sql(
        -- Indexes are made before their tables are filled, so the copy maintains them row by row instead of
        -- sorting millions of entries at the end (in memory, as temp_store = MEMORY would).
        ALTER TABLE events RENAME TO events_v4;
        DROP INDEX events_by_case;
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            case_id TEXT NOT NULL,
            action TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            data TEXT NOT NULL,
            hash BLOB NOT NULL);
        CREATE INDEX events_by_case ON events (case_id, seq);
        INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, hash)
            SELECT seq, case_id, action, at, actor, recorded_at, data, minsheng_hash_bytes(hash) FROM events_v4
            ORDER BY seq;
        DROP TABLE events_v4;
        ALTER TABLE cases RENAME TO cases_v4;
        DROP INDEX cases_open_by_address;
        DROP INDEX cases_running_by_deadline;
        DROP INDEX cases_by_received;
        DROP INDEX cases_by_last_event;
        DROP INDEX cases_by_address_key;
        -- One row per case: what every query filters, sorts or shows, as columns. Dates are YYYY-MM-DD,
        -- times YYYY-MM-DDTHH:MM:SS, NULL where the state has none; fields (a JSON object of texts) and rounds
        -- (the past clock rounds, a JSON array of [start, deadline, resolved_on]) are NULL when empty; tasks
        -- counts the case's case_tasks rows (a read skips the lookup when 0).
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            category TEXT NOT NULL,
            address_key TEXT NOT NULL,
            address_hash INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            workflow_version INTEGER NOT NULL,
            deadline_days INTEGER NOT NULL,
            address TEXT NOT NULL,
            summary TEXT NOT NULL,
            phase TEXT NOT NULL,
            step TEXT NOT NULL,
            suspended INTEGER NOT NULL,
            report_count INTEGER NOT NULL,
            reopen_count INTEGER NOT NULL,
            escalation_level INTEGER NOT NULL,
            typical INTEGER NOT NULL,
            first_dispatched_at TEXT NOT NULL,
            clock_start TEXT,
            deadline TEXT,
            deadline_problem TEXT NOT NULL,
            suspended_since TEXT,
            resolved_on TEXT,
            suspended_working_days INTEGER NOT NULL,
            extended_working_days INTEGER NOT NULL,
            last_event_at TEXT NOT NULL,
            last_seq INTEGER NOT NULL,
            event_count INTEGER NOT NULL,
            fields TEXT,
            rounds TEXT,
            tasks INTEGER NOT NULL);
        -- A case's reporters in the order they reported (report_no 1 is the first report).
        CREATE TABLE case_reporters (
            case_id TEXT NOT NULL,
            report_no INTEGER NOT NULL,
            name TEXT NOT NULL,
            phone TEXT NOT NULL,
            channel TEXT NOT NULL,
            at TEXT NOT NULL,
            summary TEXT NOT NULL,
            PRIMARY KEY (case_id, report_no)) WITHOUT ROWID;
        -- A case's department tasks in the order they were first dispatched.
        CREATE TABLE case_tasks (
            case_id TEXT NOT NULL,
            task_no INTEGER NOT NULL,
            department TEXT NOT NULL,
            status TEXT NOT NULL,
            lead INTEGER NOT NULL,
            dispatched_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            note TEXT NOT NULL,
            PRIMARY KEY (case_id, task_no)) WITHOUT ROWID;
        -- Each index and the query that uses it: tests/storage/index_use_test.cpp. Schema 4's index of
        -- case_departments by department is not made again: nothing read through it (the department filter
        -- reads a case's tasks by their primary key, the cases in received order).
        CREATE INDEX cases_open_by_address ON cases (address_hash) WHERE phase NOT IN ('closed', 'rejected');
        CREATE INDEX cases_running_by_deadline ON cases (deadline) WHERE phase IN ('intake', 'coordination');
        CREATE INDEX cases_by_received ON cases (received_at);
        CREATE INDEX cases_by_last_event ON cases (last_event_at);
        CREATE INDEX cases_by_address_key ON cases (address_key);
        )sql",
        // 7 (second part), after the rows are converted: the old projection goes.
        R"sql(
        DROP TABLE case_departments;
        DROP TABLE cases_v4;
        )sql",
        // 8: signing in to the web workspace (SPEC Part 2 "The web workspace and its API"): Argon2id password
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
        // 9: the list filters read only the matching rows (issue 13): a category's or a phase's cases in
        // received order straight from their index (the id closes the order, so no sort). Indexes only: the
        // log and its hashes are untouched, so `audit verify` holds across it. No index of tasks by
        // department: its cases would come out of received order, and sorting them (SQLite's sorter, in
        // memory here) took 8 MB more per 30k matching cases at 100k; the department filter probes each
        // case's tasks by their primary key in received order instead, in flat memory.
        R"sql(
        CREATE INDEX cases_by_category ON cases (category, received_at, id);
        CREATE INDEX cases_by_phase ON cases (phase, received_at, id);
        )sql",
        // 10: the web workspace under load (issue 18). Each case's visit tally (visits that recorded an
        // answer, and how many of them were satisfied) kept in its row, so the supervisor's per-department
        // 满意率 reads no events; migrate() fills it from the log (fill_visit_tallies) with the engine's own
        // rule. And the cases whose deadline is unknown, which every list reads before its first row (SPEC
        // deadline rule 6), by a partial index: a handful of rows instead of a scan of the whole table.
        R"sql(
        ALTER TABLE cases ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cases ADD COLUMN satisfied INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX cases_deadline_unknown ON cases (received_at, id) WHERE deadline IS NULL AND phase <> 'rejected';
        )sql",
        // 11: each workflow version's compiled form (engine/workflow_compiled.h), so a command reads its
        // workflow without parsing the YAML (60% of `case show`'s instructions); migrate() fills it from the
        // stored YAML. The YAML stays the text of record.
        R"sql(
        ALTER TABLE workflows ADD COLUMN compiled TEXT NOT NULL DEFAULT '';
        )sql",
        // 12: the web workspace under load, again (issue 18). "My cases in a phase" read straight from an
        // index: each (case, person who acted on it) row keeps its case's phase and receipt beside it
        // (SqliteStore::save_case writes them with the case's row; verify holds them to it), so a person's
        // cases in 办理 are a range of case_actors_by_actor in received order and their count is that
        // range's length, where it probed every case in the phase (4.8k at 100k) for the person. And the
        // whole table's count(*) (the unfiltered list's total) reads the narrowest index
        // of cases: this one on the typical flag (0.9 MB at 100k; the address keys' was 4.4 MB, re-read from
        // the OS on every count by a connection's 2 MB page cache); --typical reads it too.
        R"sql(
        CREATE TABLE case_actors_by_case (
            case_id TEXT NOT NULL,
            actor TEXT NOT NULL,
            phase TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (case_id, actor)) WITHOUT ROWID;
        INSERT INTO case_actors_by_case (case_id, actor, phase, received_at)
            SELECT a.case_id, a.actor, coalesce(c.phase, ''), coalesce(c.received_at, '')
            FROM case_actors a LEFT JOIN cases c ON c.id = a.case_id ORDER BY a.case_id, a.actor;
        DROP TABLE case_actors;
        ALTER TABLE case_actors_by_case RENAME TO case_actors;
        CREATE INDEX case_actors_by_actor ON case_actors (actor, phase, received_at);
        CREATE INDEX cases_by_typical ON cases (typical);
        )sql",
    };
    return m;
}

// Migration 7 is two texts with a step in C++ between them (convert_projection_to_v7); every other one is
// one text. The text of migration n (1-based) is at n - 1 up to 7, and at n after it.
constexpr size_t kSecondPartOf7 = 7;

void sql_address_hash(sqlite3_context* ctx, int, sqlite3_value** argv) {
    auto text = [](sqlite3_value* v) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
        return p ? std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(v))) : std::string_view();
    };
    sqlite3_result_int64(ctx, address_hash(text(argv[0]), text(argv[1])));
}

// A schema-4 hash (64 lowercase hex digits) as its 32 bytes. Anything else (a hash edited by hand) keeps its
// bytes as they were, so it still fails verification after the conversion as it did before.
void sql_hash_bytes(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const auto* p = static_cast<const unsigned char*>(sqlite3_value_blob(argv[0]));
    const int n = sqlite3_value_bytes(argv[0]);
    auto digit = [](unsigned char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    bool hex = n == 64;
    for (int i = 0; hex && i < n; ++i)
        hex = digit(p[i]) >= 0;
    if (!hex) {
        sqlite3_result_blob(ctx, p ? static_cast<const void*>(p) : "", n, SQLITE_TRANSIENT);
        return;
    }
    unsigned char bytes[32];
    for (int i = 0; i < 32; ++i)
        bytes[i] = static_cast<unsigned char>(digit(p[2 * i]) * 16 + digit(p[2 * i + 1]));
    sqlite3_result_blob(ctx, bytes, 32, SQLITE_TRANSIENT);
}

void add_migration_functions(sql::Db& db) {
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    int rc = sqlite3_create_function_v2(db.handle(), "minsheng_address_hash", 2, flags, nullptr,
                                        sql_address_hash, nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db.handle(), "minsheng_hash_bytes", 1, flags, nullptr, sql_hash_bytes,
                                        nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, "");
}

int user_version(sql::Db& db) {
    sql::Stmt st(db, "PRAGMA user_version");
    st.step();
    return static_cast<int>(st.integer(0));
}

// Schemas 4 and 5 kept each case's state as JSON beside copies of some of its members in columns. Each row
// becomes the typed rows of schema 7, read with the engine's own state_from_json. A row whose JSON cannot be
// read or disagrees with its own columns (edited by hand: the old verify reported it) keeps the columns'
// values and gets event_count -1, which no replay produces, so verify still names the case after the
// conversion (and `rebuild_projection` repairs it).
void convert_projection_to_v7(sql::Db& db) {
    sql::StmtCache stmts(db);
    sql::Stmt old(db,
                  "SELECT id, category, phase, step, suspended, address_key, received_at, deadline, typical, "
                  "last_event_at, address_hash, state FROM cases_v4");
    sql::Stmt departments(db, "SELECT department FROM case_departments WHERE case_id = ?");
    while (old.step()) {
        CaseState s;
        bool consistent = true;
        try {
            const std::string_view text = old.view(11);
            s = state_from_json(nlohmann::json::parse(text.begin(), text.end()));
        } catch (const std::exception&) {
            s = CaseState{};
            consistent = false;
        }
        const std::string id = old.text(0), category = old.text(1), phase = old.text(2), step = old.text(3);
        const std::string address_key = old.text(5), received_at = old.text(6), last_event_at = old.text(9);
        const std::optional<std::string> deadline =
            old.is_null(7) ? std::nullopt : std::optional<std::string>(old.text(7));
        const bool suspended = old.integer(4) != 0, typical = old.integer(8) != 0;
        std::vector<std::string> listed, expected = s.departments();
        departments.reset();
        departments.bind(1, id);
        while (departments.step())
            listed.push_back(departments.text(0));
        std::sort(listed.begin(), listed.end());
        std::sort(expected.begin(), expected.end());
        consistent =
            consistent && s.id == id && s.category == category && phase_name(s.phase) == phase &&
            s.step == step && s.suspended == suspended && s.address_key == address_key &&
            s.received_at == received_at &&
            (s.deadline ? std::optional<std::string>(format_date(*s.deadline)) : std::nullopt) == deadline &&
            s.typical == typical && s.last_event_at == last_event_at &&
            old.integer(10) == address_hash(category, address_key) && listed == expected;
        if (!consistent) {
            s.id = id;
            s.category = category;
            s.phase = phase_from_name(phase).value_or(Phase::Intake);
            s.step = step;
            s.suspended = suspended;
            s.address_key = address_key;
            s.received_at = received_at;
            s.deadline.reset();
            if (deadline) {
                try {
                    s.deadline = parse_date(*deadline);
                } catch (const std::exception&) {
                }
            }
            s.typical = typical;
            s.last_event_at = last_event_at;
            s.event_count = -1;
        }
        // The visit tally's columns come with migration 10, which fills them from the log.
        s.visits_answered = 0;
        s.visits_satisfied = 0;
        storage_detail::insert_case_rows(stmts, s);
    }
}

// Every stored workflow version, parsed with the checks it passed when stored: what migrations 3 and 11 fill
// their columns from. A text this minsheng cannot read is left out (it is parsed, and refused, when used).
std::vector<Workflow> stored_workflows(sql::Db& db) {
    std::vector<Workflow> out;
    sql::Stmt st(db, "SELECT source, file FROM workflows");
    while (st.step()) {
        WorkflowLoad load = load_workflow(st.text(0), st.text(1), WorkflowChecks::Stored);
        if (load.workflow) out.push_back(std::move(*load.workflow));
    }
    return out;
}

// Migration 11's compiled form of each stored workflow version, from its YAML.
void fill_compiled_workflows(sql::Db& db) {
    sql::Stmt put(db, "UPDATE workflows SET compiled = ? WHERE category = ? AND version = ?");
    for (const Workflow& w : stored_workflows(db)) {
        put.reset();
        put.bind(1, compile_workflow(w)).bind(2, w.category).bind(3, w.version).run();
    }
}

// Migration 10's tally of each case's answered and satisfied visits, from its `visit` and `revoke` events
// (visit_answer, revoked_seqs: the rule the engine folds the state with), read case by case in log order.
void fill_visit_tallies(sql::Db& db) {
    sql::Stmt events(
        db,
        "SELECT case_id, seq, action, data FROM events INDEXED BY events_by_case WHERE action IN "
        "('visit', 'revoke') ORDER BY case_id, seq");
    sql::Stmt put(db, "UPDATE cases SET visits = ?, satisfied = ? WHERE id = ?");
    std::string current;
    std::vector<Event> of_case;
    auto finish = [&] {
        if (current.empty()) return;
        const auto gone = revoked_seqs(of_case);
        int visits = 0, satisfied = 0;
        for (const auto& e : of_case) {
            if (std::find(gone.begin(), gone.end(), e.seq) != gone.end()) continue;
            if (const auto answer = visit_answer(e)) {
                ++visits;
                satisfied += *answer ? 1 : 0;
            }
        }
        if (visits > 0) {
            put.reset();
            put.bind(1, visits).bind(2, satisfied).bind(3, current).run();
        }
        of_case.clear();
    };
    while (events.step()) {
        if (events.view(0) != current) {
            finish();
            current = events.text(0);
        }
        Event e;
        e.seq = events.integer(1);
        e.action = events.text(2);
        const std::string_view data = events.view(3);
        e.data = nlohmann::json::parse(data.begin(), data.end(), nullptr, false);
        of_case.push_back(std::move(e));
    }
    finish();
}

// Runs migration `number` (1-based), converting the rows of the older layout where it has a step for that.
void run_migration(sql::Db& db, int number, bool convert) {
    const auto& m = migrations();
    if (number < 7) {
        db.exec(m[static_cast<size_t>(number - 1)]);
    } else if (number == 7) {
        db.exec(m[6]);
        if (convert) convert_projection_to_v7(db);
        db.exec(m[kSecondPartOf7]);
    } else {
        db.exec(m[static_cast<size_t>(number)]);
        if (number == 10 && convert) fill_visit_tallies(db);
    }
}

}  // namespace

int schema_version() {
    return static_cast<int>(migrations().size()) - 1;
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
    migrate(db, schema_version());
}

void migrate(sql::Db& db, int up_to) {
    const int have = user_version(db);
    if (have >= up_to) return;
    add_migration_functions(db);
    for (int v = have + 1; v <= up_to; ++v)
        run_migration(db, v, true);
    if (have < 3 && up_to >= 3) {
        // Migration 2 made workflow_steps, 3 the initial_step and description columns: fill what is new from
        // the stored workflows, each parsed once.
        const std::vector<Workflow> stored = stored_workflows(db);
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
    if (have < 11 && up_to >= 11) fill_compiled_workflows(db);
    db.exec("PRAGMA user_version = " + std::to_string(up_to));
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
    add_migration_functions(mem);
    for (int v = 1; v <= version && v <= schema_version(); ++v)
        run_migration(mem, v, false);
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
        return "数据库结构版本 " + std::to_string(version) + " 不是本版 minsheng 认识的（认识 1 到 " +
               std::to_string(schema_version()) + "）";
    const auto& expected = expected_schema(version);
    const auto actual = schema_objects(db);
    for (const auto& [name, want] : expected) {
        auto it = actual.find(name);
        if (it == actual.end()) return want.type + " " + name + " 缺失";
        if (it->second.type != want.type) return name + " 应是 " + want.type + "，却是 " + it->second.type;
        if (folded(it->second.sql) != folded(want.sql)) return want.type + " " + name + " 被改动过";
    }
    for (const auto& [name, have] : actual)
        if (!expected.count(name)) return "多出了 " + have.type + " " + name;
    return "";
}

}  // namespace minsheng
