// Fault injection: the event log edited behind the program's back with plain SQL — a column changed, an event
// deleted in the middle or at the end, a forged event inserted or appended, two events' contents swapped, a
// case and its events removed together. `audit verify` must catch each (exit 1) and name the first bad event
// (SPEC.md "Storage": the hash chain detects any edit, deletion or reordering).

#include <openssl/evp.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prelude.h"

namespace {

const std::string kCoordinator = "王协调";

// A station with three cases and a dozen events after 王协调's registration (1 staff-add): 2 open A, 3 open
// B, 4 dispatch A, 5 note A, 6 open C, 7 dispatch B, 8 note B, 9 note A, 10 note C, 11 dispatch C, 12 sign A,
// 13 note B.
struct Station {
    TempDir dir;
    std::string db;
    std::vector<std::string> ids;
    Station() : db(fresh_station(dir)) {
        auto open = [&](const std::string& address) {
            const RunResult r = run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "open",
                                              "--category", "drainage", "--address", address, "--summary",
                                              "下水道堵塞", "--at", "2024-03-04T09:00"});
            REQUIRE(r.exit_code == 0);
            ids.push_back(json::parse(r.out).at("id"));
        };
        auto act = [&](int c, std::vector<std::string> args) {
            std::vector<std::string> a = {
                "--db", db, "--as", kCoordinator, "case", "do", ids[static_cast<size_t>(c)]};
            a.insert(a.end(), args.begin(), args.end());
            a.insert(a.end(), {"--at", "2024-03-05T09:00"});
            const RunResult r = run_minsheng(a);
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
        };
        open("甲街1号");
        open("乙街2号");
        act(0, {"dispatch", "--department", "街道城管科"});
        act(0, {"note", "--note", "已电话联系"});
        open("丙街3号");
        act(1, {"dispatch", "--department", "市政部门"});
        act(1, {"note", "--note", "等待回复"});
        act(0, {"note", "--note", "现场查看"});
        act(2, {"note", "--note", "居民再次来电"});
        act(2, {"dispatch", "--department", "街道城管科"});
        act(0, {"sign", "--department", "街道城管科"});
        act(1, {"note", "--note", "已回复"});
        REQUIRE(verify().exit_code == 0);
    }
    RunResult verify() const { return run_minsheng({"--db", db, "audit", "verify"}); }
    void sql(const std::string& text) const { sql_exec(db, text); }
    std::string query(const std::string& text) const {
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(h, text.c_str(), -1, &st, nullptr) == SQLITE_OK);
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(h);
        return out;
    }
};

// Detected, exit 1, one line naming `event N` (and not a later one first).
void check_detected(const Station& s, int first_bad) {
    const RunResult r = s.verify();
    CAPTURE(r.exit_code, r.out, r.err);
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
    const std::string name = "事件 " + std::to_string(first_bad);
    const auto at = r.err.find(name);
    CHECK(at != std::string::npos);
    // The first event the message names is the first bad one ("event 7" must not be preceded by "event 9").
    if (at != std::string::npos) {
        const auto first = r.err.find("事件 ");
        CHECK(first == at);
        const char after = r.err.size() > at + name.size() ? r.err[at + name.size()] : ' ';
        CHECK(!(after >= '0' && after <= '9'));
    }
    const RunResult j = run_minsheng({"--db", s.db, "--json", "audit", "verify"});
    CHECK(j.exit_code == 1);
    CHECK(json::parse(j.out).at("ok") == false);
}

std::string sha256_hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

}  // namespace

TEST_CASE("editing any column of an event is detected at that event", "[faults][tamper]") {
    for (const std::string column : {"case_id", "action", "at", "actor", "recorded_at", "data"}) {
        CAPTURE(column);
        Station s;
        const std::string value = column == "data" ? "'{\"note\":\"改过了\"}'" : "'伪造'";
        s.sql("UPDATE events SET " + column + " = " + value + " WHERE seq = 8");
        check_detected(s, 8);
    }
    Station s;
    s.sql("UPDATE events SET data = replace(data, '已电话联系', '未联系') WHERE seq = 5");
    check_detected(s, 5);
}

TEST_CASE("editing an event and its hash is detected at the next event", "[faults][tamper]") {
    Station s;
    // The forger recomputes nothing else: event 7 no longer follows event 6.
    s.sql("UPDATE events SET actor = '伪造', hash = x'" + std::string(64, 'a') + "' WHERE seq = 6");
    const RunResult r = s.verify();
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK((r.err.find("事件 6") != std::string::npos || r.err.find("事件 7") != std::string::npos));
}

TEST_CASE("deleting an event in the middle is detected where the gap is", "[faults][tamper]") {
    Station s;
    s.sql("DELETE FROM events WHERE seq = 7");
    check_detected(s, 7);
}

TEST_CASE("deleting the last event is detected", "[faults][tamper]") {
    Station s;
    s.sql("DELETE FROM events WHERE seq = 13");
    const RunResult r = s.verify();
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
    CHECK(r.err.find("删除") != std::string::npos);
    CHECK(r.err.find("13") != std::string::npos);
}

TEST_CASE("deleting the last events together with the head record is still detected", "[faults][tamper]") {
    Station s;
    // A careful forger also rewinds the head record, but the projection still shows the deleted note.
    const std::string hash12 = s.query("SELECT lower(hex(hash)) FROM events WHERE seq = 12");
    s.sql("DELETE FROM events WHERE seq = 13; UPDATE meta SET value = '12:" + hash12 +
          "' WHERE key = 'head'");
    const RunResult r = s.verify();
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
}

TEST_CASE("inserting a forged event in the middle is detected at it", "[faults][tamper]") {
    Station s;
    // Make room at seq 6 by moving the later events up, then put a forged event there that follows event 5
    // (the previous hash is event 5's by position; its own hash cannot be right).
    s.sql(
        "UPDATE events SET seq = seq + 100 WHERE seq >= 6; UPDATE events SET seq = seq - 99 WHERE seq >= 106;"
        "INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, hash) "
        "SELECT 6, case_id, 'note', at, actor, recorded_at, '{\"note\":\"伪造的回访\"}', hash "
        "FROM events WHERE seq = 5");
    check_detected(s, 6);
}

TEST_CASE("a forged event appended with a correctly recomputed hash is detected and named",
          "[faults][tamper]") {
    Station s;
    // The forger knows the hash recipe (it is no secret) and appends a well-chained event, but does not touch
    // the head record.
    const std::string prev = s.query("SELECT lower(hex(hash)) FROM events WHERE seq = 13");
    const std::string case_id = s.query("SELECT case_id FROM events WHERE seq = 13");
    const std::string data = R"({"effect":"none","note":"伪造"})";
    const char sep = '\x1f';
    const std::string at = "2024-03-05T09:00:00", actor = "王协调", recorded = "2024-03-05T09:00:00";
    const std::string hash = sha256_hex(prev + sep + "14" + sep + case_id + sep + "note" + sep + at + sep +
                                        actor + sep + recorded + sep + data);
    s.sql("INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, hash) VALUES (14, '" +
          case_id + "', 'note', '" + at + "', '" + actor + "', '" + recorded + "', '" + data + "', x'" +
          hash + "')");
    const RunResult r = s.verify();
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
    // The first bad event is the appended one, event 14 ...
    CHECK(r.err.find("14") != std::string::npos);
    // ... and nothing was deleted: a message saying so sends the auditor looking for the wrong thing.
    CHECK(r.err.find("删除") == std::string::npos);
}

TEST_CASE("swapping two events' contents (reordering) is detected at the first of them", "[faults][tamper]") {
    SECTION("contents swapped, chain columns left in place") {
        Station s;
        s.sql(
            "CREATE TEMP TABLE a AS SELECT * FROM events WHERE seq = 5;"
            "CREATE TEMP TABLE b AS SELECT * FROM events WHERE seq = 9;"
            "UPDATE events SET case_id = (SELECT case_id FROM b), action = (SELECT action FROM b), "
            "at = (SELECT at FROM b), actor = (SELECT actor FROM b), recorded_at = (SELECT recorded_at FROM "
            "b), "
            "data = (SELECT data FROM b) WHERE seq = 5;"
            "UPDATE events SET case_id = (SELECT case_id FROM a), action = (SELECT action FROM a), "
            "at = (SELECT at FROM a), actor = (SELECT actor FROM a), recorded_at = (SELECT recorded_at FROM "
            "a), "
            "data = (SELECT data FROM a) WHERE seq = 9;");
        check_detected(s, 5);
    }
    SECTION("whole rows swapped, hashes travelling with them") {
        Station s;
        s.sql(
            "UPDATE events SET seq = -1 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = 10;"
            "UPDATE events SET seq = 10 WHERE seq = -1;");
        check_detected(s, 4);
    }
}

TEST_CASE("removing a whole case, its events and its projection row, is detected", "[faults][tamper]") {
    Station s;
    const std::string victim = s.ids[2];  // events 6, 10, 11
    s.sql("DELETE FROM events WHERE case_id = '" + victim + "'; DELETE FROM case_tasks WHERE case_id = '" +
          victim + "'; DELETE FROM case_reporters WHERE case_id = '" + victim +
          "'; DELETE FROM cases WHERE id = '" + victim + "'");
    check_detected(s, 6);
}

TEST_CASE("editing the projection behind the program's back is detected", "[faults][tamper]") {
    Station s;
    s.sql("UPDATE cases SET phase = 'closed' WHERE id = '" + s.ids[1] + "'");
    const RunResult r = s.verify();
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
    CHECK(r.err.find(s.ids[1]) != std::string::npos);
}

TEST_CASE("editing any table of the typed projection is detected and names the case", "[faults][tamper]") {
    // Case B (ids[1]) has a dispatched task and one reporter; each edit below changes one stored value.
    const std::vector<std::string> edits = {
        "UPDATE cases SET summary = '伪造' WHERE id = '{}'",
        "UPDATE cases SET deadline = '2099-01-01' WHERE id = '{}'",
        "UPDATE cases SET event_count = event_count + 1 WHERE id = '{}'",
        "UPDATE cases SET fields = 'not json' WHERE id = '{}'",
        "UPDATE cases SET address_hash = address_hash + 1 WHERE id = '{}'",
        "UPDATE case_reporters SET phone = '13800000000' WHERE case_id = '{}'",
        "DELETE FROM case_reporters WHERE case_id = '{}'",
        "UPDATE case_tasks SET status = 'replied' WHERE case_id = '{}'",
        "UPDATE case_tasks SET status = 'unheard-of' WHERE case_id = '{}'",
        "DELETE FROM case_tasks WHERE case_id = '{}'",
        "UPDATE cases SET tasks = 0 WHERE id = '{}'",
        // The case's phase kept beside each person who acted on it (migration 12), which --mine reads.
        "UPDATE case_actors SET phase = 'closed' WHERE case_id = '{}'",
    };
    for (const std::string& edit : edits) {
        Station s;
        std::string sql = edit;
        sql.replace(sql.find("{}"), 2, s.ids[1]);
        CAPTURE(sql);
        s.sql(sql);
        const RunResult r = s.verify();
        CAPTURE(r.err);
        CHECK(r.exit_code == 1);
        CHECK(one_line(r.err));
        CHECK(r.err.find(s.ids[1]) != std::string::npos);
    }
}

TEST_CASE("a hash written back as its hex text (the old layout's form) is detected", "[faults][tamper]") {
    Station s;
    s.sql("UPDATE events SET hash = lower(hex(hash)) WHERE seq = 8");
    check_detected(s, 8);
}
