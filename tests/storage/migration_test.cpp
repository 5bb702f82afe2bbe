// The migration from schema 4 (JSON state, hex hashes, a stored previous-hash) to schema 5 (typed projection
// columns, reporters and tasks tables, 32-byte hashes): a station worked through every kind of action is
// copied into the schema-4 layout (tests/test_support.h write_schema4_copy), opened by the current program
// (which migrates it in one transaction), and must then verify, show every case exactly as before, and keep
// every hash the chain had.
#include <map>
#include <string>
#include <vector>

#include "prelude.h"
#include "storage/schema.h"
#include "storage/schema4_copy.h"
#include "storage/sqlite.h"

namespace {

const std::string kSupervisor = "督办甲";

struct Worked {
    TempDir dir;
    std::string db;
    std::vector<std::string> ids;

    Worked() : db(minsheng::test::fresh_station(dir)) {
        auto open = [&](const std::string& category, const std::string& address, const std::string& at,
                        std::vector<std::string> extra = {}) {
            std::vector<std::string> a = {"--db",
                                          db,
                                          "--as",
                                          kSupervisor,
                                          "--json",
                                          "case",
                                          "open",
                                          "--category",
                                          category,
                                          "--address",
                                          address,
                                          "--summary",
                                          "反映问题：" + address,
                                          "--at",
                                          at};
            a.insert(a.end(), extra.begin(), extra.end());
            const json j = ok_json(run_minsheng(a));
            if (j.at("repeat") == false) ids.push_back(j.at("id"));
        };
        auto act = [&](size_t c, const std::string& at, std::vector<std::string> args) {
            std::vector<std::string> a = {"--db",           db,     "--as", kSupervisor, "--today",
                                          at.substr(0, 10), "case", "do",   ids[c]};
            a.insert(a.end(), args.begin(), args.end());
            a.insert(a.end(), {"--at", at});
            const RunResult r = run_minsheng(a);
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
        };
        open("drainage", "海福巷3号", "2024-03-04T09:00", {"--reporter", "张桂芳", "--phone", "13900000001"});
        open("drainage", "海福巷 3 号", "2024-03-05T10:00", {"--reporter", "李建国", "--channel", "来访"});
        open("road", "戎苑路1号", "2024-03-04T11:00");
        open("general", "龙江小区5栋", "2024-03-06T09:30");
        open("drainage", "虎踞路8号", "2024-03-07T09:00");
        open("road", "广州路9号", "2024-03-07T09:30");
        REQUIRE(ids.size() == 5);  // the second report at 海福巷3号 is a repeat of the first case
        // Case 0: two departments, a return and a reply, a survey, resolved with a root cause, visited
        // unsatisfied (a second clock round), resolved again, visited satisfied, reopened, marked typical.
        act(0, "2024-03-05T11:00", {"dispatch", "--department", "街道城管科", "--set", "elderly=独居老人"});
        act(0, "2024-03-05T12:00", {"dispatch", "--department", "市政部门"});
        act(0, "2024-03-06T09:00", {"sign", "--department", "街道城管科"});
        act(0, "2024-03-06T10:00", {"return", "--department", "市政部门", "--note", "不属本部门"});
        act(0, "2024-03-07T10:00", {"reply", "--department", "街道城管科", "--note", "已疏通"});
        act(0, "2024-03-08T10:00", {"survey", "--set", "finding=化粪池满"});
        act(0, "2024-03-11T10:00", {"resolve", "--set", "root_cause=化粪池长期未清掏"});
        act(0, "2024-03-12T10:00", {"visit", "--set", "satisfied=no"});
        act(0, "2024-03-14T10:00", {"resolve", "--set", "root_cause=管道破损"});
        act(0, "2024-03-15T10:00", {"visit", "--set", "satisfied=yes"});
        act(0, "2024-03-20T10:00", {"mark-typical"});
        act(0, "2024-03-21T10:00", {"reopen", "--note", "问题复发"});
        // Case 1: suspended and resumed, extended, escalated twice.
        act(1, "2024-03-05T09:00", {"dispatch", "--department", "市政部门"});
        act(1, "2024-03-06T09:00", {"suspend", "--note", "等待汛期结束"});
        act(1, "2024-03-13T09:00", {"resume"});
        act(1, "2024-03-14T09:00", {"extend", "--set", "days=5", "--note", "工程量大"});
        act(1, "2024-05-20T09:00", {"escalate", "--note", "催办"});
        act(1, "2024-05-21T09:00", {"escalate", "--note", "督办"});
        // Case 2: rejected. Case 3: a note only. Case 4: still suspended.
        act(2, "2024-03-06T12:00", {"reject", "--note", "不属于受理范围"});
        act(3, "2024-03-07T10:00", {"note", "--note", "已电话联系"});
        act(4, "2024-03-07T10:00", {"suspend", "--note", "业主外出"});
    }

    json show_all() const { return show_all_of(db); }

    json show_all_of(const std::string& db) const {
        json all = json::object();
        for (const auto& id : ids)
            all[id] =
                ok_json(run_minsheng({"--db", db, "--today", "2024-06-28", "--json", "case", "show", id}));
        all["list"] = ok_json(run_minsheng({"--db", db, "--today", "2024-06-28", "--json", "case", "list"}));
        all["department"] = ok_json(run_minsheng(
            {"--db", db, "--today", "2024-06-28", "--json", "case", "list", "--department", "市政部门"}));
        all["overdue"] =
            ok_json(run_minsheng({"--db", db, "--json", "audit", "overdue", "--as-of", "2024-06-28"}));
        return all;
    }
};

int user_version(const std::string& path) {
    minsheng::sql::Db raw(path, minsheng::sql::Db::Mode::ReadOnly);
    minsheng::sql::Stmt v(raw, "PRAGMA user_version");
    v.step();
    return static_cast<int>(v.integer(0));
}

std::string one_value(const std::string& path, const std::string& sql) {
    minsheng::sql::Db raw(path, minsheng::sql::Db::Mode::ReadOnly);
    minsheng::sql::Stmt st(raw, sql);
    return st.step() ? st.text(0) : "";
}

}  // namespace

TEST_CASE("a schema-4 station is converted in place: every hash verifies, every case shows as before",
          "[storage][migration]") {
    Worked w;
    const json before = w.show_all();
    const json verified = minsheng::test::audit_verify_json(w.db);
    REQUIRE(verified.at("ok") == true);

    const std::string old = w.dir.file("schema4.db");
    minsheng::test::write_schema4_copy(w.db, old, 6);
    REQUIRE(user_version(old) == 6);
    // The copy really is the old layout: hex hashes, each row naming its predecessor's.
    CHECK(one_value(old, "SELECT typeof(hash) || length(hash) FROM events WHERE seq = 3") == "text64");
    CHECK(one_value(old,
                    "SELECT count(*) FROM events e JOIN events p ON p.seq = e.seq - 1 WHERE e.prev_hash "
                    "<> p.hash") == "0");
    CHECK(one_value(old, "SELECT count(*) FROM cases WHERE json_valid(state)") ==
          std::to_string(w.ids.size()));
    const std::string hashes = one_value(old, "SELECT group_concat(hash, ',') FROM events ORDER BY seq");

    // Opening it migrates it; verify passes and reports the same events, cases and head hash as before.
    const json after_verify = minsheng::test::audit_verify_json(old);
    CHECK(user_version(old) == minsheng::schema_version());
    CHECK(after_verify == verified);
    CHECK(w.show_all() == before);  // not the copy: the original is unchanged ...
    // ... and the migrated copy shows every case, list, department filter and overdue audit the same.
    CHECK(w.show_all_of(old) == before);
    // The hashes are the same 32 bytes, stored as BLOBs, and no previous-hash column is left.
    CHECK(one_value(old, "SELECT typeof(hash) || length(hash) FROM events WHERE seq = 3") == "blob32");
    CHECK(one_value(old, "SELECT group_concat(lower(hex(hash)), ',') FROM events ORDER BY seq") == hashes);
    CHECK(one_value(old, "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'prev_hash'") == "0");
    CHECK(one_value(old,
                    "SELECT count(*) FROM sqlite_master WHERE name IN ('cases_v4', 'events_v4', "
                    "'case_departments')") == "0");
    CHECK(one_value(old, "SELECT count(*) FROM case_reporters") == "6");
    CHECK(one_value(old, "SELECT count(*) FROM case_tasks") == "3");
    // The migrated station goes on working: a write chains onto the converted log.
    ok_json(run_minsheng({"--db", old, "--as", kSupervisor, "--json", "case", "do", w.ids[3], "note",
                          "--note", "迁移后备注", "--at", "2024-03-08T09:00"}));
    CHECK(minsheng::test::audit_verify_json(old).at("ok") == true);
}

TEST_CASE("the migration keeps every tamper of a schema-4 station detectable", "[storage][migration]") {
    Worked w;
    const std::string victim = w.ids[1];
    const std::vector<std::string> tampers = {
        // an event's content, its hash left alone
        "UPDATE events SET actor = '伪造' WHERE seq = 4",
        // an event's hash replaced by one that is not hex at all
        "UPDATE events SET hash = 'not a hash' WHERE seq = 4",
        // the state and its column edited together
        "UPDATE cases SET state = json_set(state, '$.phase', 'closed'), phase = 'closed' WHERE id = '" +
            victim + "'",
        // the state alone, or a column alone (they disagree: the migration marks the row)
        "UPDATE cases SET state = json_set(state, '$.phase', 'closed') WHERE id = '" + victim + "'",
        "UPDATE cases SET phase = 'closed' WHERE id = '" + victim + "'",
        "UPDATE cases SET state = 'garbage' WHERE id = '" + victim + "'",
        "DELETE FROM case_departments WHERE case_id = '" + victim + "'",
    };
    for (const std::string& tamper : tampers) {
        CAPTURE(tamper);
        TempDir dir;
        const std::string old = dir.file("schema4.db");
        minsheng::test::write_schema4_copy(w.db, old, 6);
        sql_exec(old, tamper);
        const RunResult r = run_minsheng({"--db", old, "audit", "verify"});
        CAPTURE(r.err);
        CHECK(r.exit_code == 1);
        CHECK(user_version(old) == minsheng::schema_version());
        if (tamper.find("events") != std::string::npos)
            CHECK(r.err.find("事件 4") != std::string::npos);
        else
            CHECK(r.err.find(victim) != std::string::npos);
    }
}

TEST_CASE(
    "migration 10 gives each case of a schema-9 station its visit tally from the log, a revoked visit "
    "counted nowhere",
    "[storage][migration]") {
    TempDir dir;
    const std::string db = minsheng::test::fresh_station(dir);
    auto run = [&](std::vector<std::string> args) {
        std::vector<std::string> a = {"--db", db, "--as", kSupervisor, "--json"};
        a.insert(a.end(), args.begin(), args.end());
        return ok_json(run_minsheng(a));
    };
    const std::string id = run({"case", "open", "--category", "drainage", "--address", "海福巷3号",
                                "--summary", "下水道堵塞", "--at", "2026-06-01T09:00"})
                               .at("id");
    run({"case", "do", id, "dispatch", "--department", "街道城管科", "--at", "2026-06-01T10:00"});
    run({"case", "do", id, "resolve", "--set", "root_cause=管道堵塞", "--at", "2026-06-02T10:00"});
    run({"case", "do", id, "visit", "--set", "satisfied=no", "--at", "2026-06-03T10:00"});
    run({"case", "do", id, "resolve", "--set", "root_cause=管道更换", "--at", "2026-06-04T10:00"});
    run({"case", "do", id, "visit", "--set", "satisfied=yes", "--at", "2026-06-05T10:00"});
    run({"case", "do", id, "revoke", "--note", "回访记录有误", "--at", "2026-06-05T11:00"});
    run({"case", "do", id, "visit", "--set", "satisfied=basic", "--at", "2026-06-06T10:00"});
    CHECK(one_value(db, "SELECT visits || '/' || satisfied FROM cases") == "2/1");

    // The station as schema 9 had it: no tally columns, no index of unknown deadlines (nor what 11 and 12
    // made).
    REQUIRE(minsheng::test::newest_undone_migration() == minsheng::schema_version());
    minsheng::test::sql_exec(db, minsheng::test::back_to_schema(9));
    REQUIRE(user_version(db) == 9);
    // Opening it migrates it: the tally is the replay's (verify compares them), 2 visits, 1 satisfied.
    CHECK(minsheng::test::audit_verify_json(db).at("ok") == true);
    CHECK(user_version(db) == minsheng::schema_version());
    CHECK(one_value(db, "SELECT visits || '/' || satisfied FROM cases") == "2/1");
}

// Each stored workflow version's compiled form's format (0: none, or unreadable), by category.
std::map<std::string, int> compiled_formats(const std::string& path) {
    std::map<std::string, int> out;
    minsheng::sql::Db raw(path, minsheng::sql::Db::Mode::ReadOnly);
    minsheng::sql::Stmt st(raw, "SELECT category, compiled FROM workflows");
    while (st.step()) {
        const json j = json::parse(st.text(1), nullptr, false);
        out[st.text(0)] = j.is_object() ? j.value("format", 0) : 0;
    }
    return out;
}

// Every stored workflow version's compiled form with its format number set to `format`.
void set_compiled_format(const std::string& path, int format) {
    minsheng::sql::Db raw(path, minsheng::sql::Db::Mode::ReadWrite);
    std::vector<std::pair<std::string, std::string>> forms;
    {
        minsheng::sql::Stmt st(raw, "SELECT category, compiled FROM workflows");
        while (st.step()) {
            json j = json::parse(st.text(1));
            j["format"] = format;
            forms.emplace_back(st.text(0), j.dump());
        }
    }
    minsheng::sql::Stmt put(raw, "UPDATE workflows SET compiled = ? WHERE category = ?");
    for (const auto& [category, bytes] : forms) {
        put.reset();
        put.bind(1, bytes).bind(2, category).run();
    }
}

TEST_CASE(
    "migration 11 gives each stored workflow its compiled form — a case reads the same through it, through "
    "the YAML when it is missing or of another format, and the command reads no YAML when it is there",
    "[storage][migration]") {
    const Worked w;
    const json before = w.show_all();
    const std::map<std::string, int> all_format_1 = {
        {"dibao", 1}, {"drainage", 1}, {"general", 1}, {"road", 1}, {"sanitation", 1}};
    CHECK(compiled_formats(w.db) == all_format_1);

    // The station as schema 10 had it: no compiled column (nor migration 12's). Opening it migrates it and
    // fills every version.
    minsheng::test::sql_exec(w.db, minsheng::test::back_to_schema(10));
    CHECK(w.show_all() == before);
    CHECK(user_version(w.db) == minsheng::schema_version());
    CHECK(compiled_formats(w.db) == all_format_1);

    // A form this minsheng did not write (another format) is passed over for the YAML.
    set_compiled_format(w.db, 999);
    CHECK(compiled_formats(w.db).at("drainage") == 999);
    CHECK(w.show_all() == before);

    // And with a good form, the YAML is not read at all: a station whose YAML is unreadable shows its cases.
    set_compiled_format(w.db, 1);
    minsheng::test::sql_exec(w.db, "UPDATE workflows SET source = 'steps: [' || source");
    CHECK(w.show_all() == before);
}
