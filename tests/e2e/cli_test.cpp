// The built `minsheng` program run on temporary databases, checked against SPEC.md: the drainage sequence
// with its JSON, repeat reports, reopening, roles, exit codes with one-line errors that leave the database
// exactly as it was, the audit trail (verify, tampering, rebuilding the projection), the calendar and audit
// overdue.
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prelude.h"
#include "storage/schema.h"
#include "usecases/station.h"

namespace fs = std::filesystem;

namespace {

const std::string kSupervisor = "督办甲";
const std::string kCoordinator = "王协调";

// Runs the program on `db` as `actor`; `args` start with any further global option, then the command.
RunResult as(const std::string& db, const std::string& actor, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--db", db, "--as", actor};
    all.insert(all.end(), args.begin(), args.end());
    return run_minsheng(all);
}

RunResult ok(const RunResult& r) {
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
}

// Opens a drainage case (or attaches a repeat) and returns {"id", "repeat"}.
json open_report(const std::string& db, const std::string& address, const std::string& at,
                 const std::vector<std::string>& extra = {}, const std::string& category = "drainage") {
    std::vector<std::string> args = {"--json",     "case",      "open",
                                     "--category", category,    "--address",
                                     address,      "--summary", "下水道堵塞，污水漫到人行道",
                                     "--at",       at};
    args.insert(args.end(), extra.begin(), extra.end());
    return ok_json(as(db, kCoordinator, args));
}

std::string open_case(const std::string& db, const std::string& address, const std::string& at) {
    const json j = open_report(db, address, at);
    REQUIRE(j.at("repeat") == false);
    return j.at("id").get<std::string>();
}

// Performs an action that must succeed.
void act(const std::string& db, const std::string& actor, const std::string& id, const std::string& action,
         const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"case", "do", id, action};
    args.insert(args.end(), extra.begin(), extra.end());
    INFO(action << " on " << id);
    ok(as(db, actor, args));
}

json show(const std::string& db, const std::string& id, const std::string& today) {
    return ok_json(as(db, kCoordinator, {"--today", today, "--json", "case", "show", id}));
}

// A failing command: its exit code, exactly one non-empty line on stderr, nothing on stdout.
void check_error(const RunResult& r, int code) {
    INFO("stdout: " << r.out);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == code);
    CHECK(r.out.empty());
    REQUIRE(r.err.size() > 1);
    CHECK(r.err.back() == '\n');
    CHECK(r.err.find('\n') == r.err.size() - 1);
}

// Everything on disk that makes up the database: the file and any journal beside it.
std::string fingerprint(const std::string& db) {
    std::string fp = read_text(db);
    for (const char* suffix : {"-wal", "-journal"}) {
        if (fs::exists(db + suffix)) fp += std::string("|") + suffix + ":" + read_text(db + suffix);
    }
    return fp;
}

long long sql_count(const std::string& db, const std::string& query) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, query.c_str(), -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    const long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

std::vector<std::string> history_actions(const json& c) {
    std::vector<std::string> out;
    for (const auto& h : c.at("history"))
        out.push_back(h.at("action").get<std::string>());
    return out;
}

std::string task_status(const json& c, const std::string& department) {
    for (const auto& t : c.at("department_tasks"))
        if (t.at("department") == department) return t.at("status").get<std::string>();
    return "(none)";
}

// The keys and types SPEC.md "JSON" promises for `case show --json`.
void check_case_shape(const json& c, bool with_history = true) {
    for (const char* key : {"id", "category", "phase", "step", "address", "summary", "received_at"}) {
        CAPTURE(key);
        REQUIRE(c.contains(key));
        CHECK(c[key].is_string());
    }
    REQUIRE(c.contains("deadline"));
    CHECK((c["deadline"].is_string() || c["deadline"].is_null()));
    for (const char* key : {"overdue", "suspended"}) {
        CAPTURE(key);
        REQUIRE(c.contains(key));
        CHECK(c[key].is_boolean());
    }
    for (const char* key : {"working_days_left", "repeat_count", "reopen_count", "escalation_level"}) {
        CAPTURE(key);
        REQUIRE(c.contains(key));
        CHECK(c[key].is_number_integer());
    }
    REQUIRE(c.contains("departments"));
    CHECK(c["departments"].is_array());
    REQUIRE(c.contains("department_tasks"));
    REQUIRE(c["department_tasks"].is_array());
    for (const auto& t : c["department_tasks"]) {
        CHECK(t.at("department").is_string());
        const std::string s = t.at("status").get<std::string>();
        CHECK((s == "dispatched" || s == "signed" || s == "returned" || s == "replied"));
    }
    REQUIRE(c.contains("fields"));
    CHECK(c["fields"].is_object());
    if (!with_history) return;
    REQUIRE(c.contains("history"));
    REQUIRE(c["history"].is_array());
    for (const auto& h : c["history"]) {
        CHECK(h.at("action").is_string());
        CHECK(h.at("at").is_string());
        CHECK(h.at("actor").is_string());
    }
}

}  // namespace

TEST_CASE("SPEC's drainage sequence end to end", "[cli][e2e]") {
    TempDir dir;
    const std::string db = fresh_station(dir);

    const json opened = open_report(db, "海福巷3号", "2024-03-04T09:00",
                                    {"--reporter", "宋长松", "--phone", "13812341234", "--channel", "来电"});
    CHECK(opened.size() == 3);  // id, repeat and (SPEC Part 2) similar
    CHECK(opened.at("similar").empty());
    CHECK(opened.at("repeat") == false);
    const std::string id = opened.at("id");
    CHECK_FALSE(id.empty());

    json c = show(db, id, "2024-03-04");
    check_case_shape(c);
    CHECK(c["id"] == id);
    CHECK(c["category"] == "drainage");
    CHECK(c["phase"] == "intake");
    CHECK(c["step"] == "received");
    CHECK(c["address"] == "海福巷3号");
    CHECK(c["summary"] == "下水道堵塞，污水漫到人行道");
    CHECK(c["received_at"] == "2024-03-04T09:00:00");
    CHECK(c["deadline"] == "2024-04-01");
    CHECK(c["overdue"] == false);
    CHECK(c["suspended"] == false);
    CHECK(c["working_days_left"] == 20);
    CHECK(c["repeat_count"] == 0);
    CHECK(c["reopen_count"] == 0);
    CHECK(c["departments"] == json::array());
    CHECK(c["department_tasks"] == json::array());
    CHECK(c["escalation_level"] == 0);
    CHECK(c["fields"] == json::object());
    REQUIRE(c["history"].size() == 1);
    CHECK(c["history"][0]["action"] == "open");
    CHECK(c["history"][0]["at"] == "2024-03-04T09:00:00");
    CHECK(c["history"][0]["actor"] == kCoordinator);

    // Dispatch is repeatable and adds departments.
    act(db, kCoordinator, id, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
    act(db, kCoordinator, id, "dispatch", {"--department", "市政部门", "--at", "2024-03-05T11:00"});
    c = show(db, id, "2024-03-05");
    CHECK(c["phase"] == "coordination");
    CHECK(c["step"] == "handling");
    CHECK(c["departments"] == json({"街道城管科", "市政部门"}));
    CHECK(task_status(c, "街道城管科") == "dispatched");
    CHECK(task_status(c, "市政部门") == "dispatched");
    CHECK(c["working_days_left"] == 19);

    // Each department's task: 签收, 退单, 回复.
    act(db, kCoordinator, id, "sign", {"--department", "街道城管科", "--at", "2024-03-05T14:00"});
    act(db, kCoordinator, id, "return",
        {"--department", "市政部门", "--note", "不属本部门职责", "--at", "2024-03-05T15:00"});
    c = show(db, id, "2024-03-05");
    CHECK(task_status(c, "街道城管科") == "signed");
    CHECK(task_status(c, "市政部门") == "returned");

    // Suspended on Wednesday, still suspended on Friday: two working days added, none lost.
    act(db, kCoordinator, id, "suspend", {"--note", "等待雨停后施工", "--at", "2024-03-06T09:00"});
    c = show(db, id, "2024-03-08");
    CHECK(c["suspended"] == true);
    CHECK(c["phase"] == "coordination");
    CHECK(c["deadline"] == "2024-04-03");
    CHECK(c["working_days_left"] == 18);
    act(db, kCoordinator, id, "resume", {"--at", "2024-03-08T09:00"});
    act(db, kCoordinator, id, "reply",
        {"--department", "街道城管科", "--note", "已疏通主管", "--at", "2024-03-08T16:00"});
    act(db, kCoordinator, id, "note", {"--note", "居民反映已不再漫水", "--at", "2024-03-11T09:00"});
    c = show(db, id, "2024-03-11");
    CHECK(c["suspended"] == false);
    CHECK(c["deadline"] == "2024-04-03");
    CHECK(task_status(c, "街道城管科") == "replied");

    act(db, kCoordinator, id, "resolve",
        {"--set", "root_cause=化粪池满溢、主管堵塞", "--at", "2024-03-20T15:00"});
    c = show(db, id, "2024-03-20");
    CHECK(c["phase"] == "follow_up");
    CHECK(c["step"] == "awaiting_visit");
    CHECK(c["fields"]["root_cause"] == "化粪池满溢、主管堵塞");
    CHECK(c["working_days_left"] == 10);

    act(db, kCoordinator, id, "visit", {"--set", "satisfied=yes", "--at", "2024-03-25T10:00"});
    // Long after the deadline the closed case is neither overdue nor counting.
    c = show(db, id, "2024-05-06");
    check_case_shape(c);
    CHECK(c["phase"] == "closed");
    CHECK(c["step"] == "archived");
    CHECK(c["overdue"] == false);
    CHECK(c["working_days_left"] == 10);
    CHECK(c["fields"]["satisfied"] == "yes");
    CHECK(history_actions(c) == std::vector<std::string>{"open", "dispatch", "dispatch", "sign", "return",
                                                         "suspend", "resume", "reply", "note", "resolve",
                                                         "visit"});
    CHECK(c["history"].back()["at"] == "2024-03-25T10:00:00");
    for (const auto& h : c["history"])
        CHECK(h["actor"] == kCoordinator);

    // `case history --json`: the same events, oldest first.
    const json h = ok_json(as(db, kCoordinator, {"--json", "case", "history", id}));
    REQUIRE(h.size() == c["history"].size());
    for (size_t i = 0; i < h.size(); ++i) {
        CHECK(h[i]["action"] == c["history"][i]["action"]);
        CHECK(h[i]["at"] == c["history"][i]["at"]);
    }

    // `case list`: all cases, and by phase.
    const json all = ok_json(as(db, kCoordinator, {"--today", "2024-05-06", "--json", "case", "list"}));
    REQUIRE(all.size() == 1);
    check_case_shape(all[0], false);
    CHECK(all[0]["id"] == id);
    CHECK(ok_json(as(db, kCoordinator, {"--json", "case", "list", "--phase", "closed"})).size() == 1);
    CHECK(ok_json(as(db, kCoordinator, {"--json", "case", "list", "--phase", "intake"})).empty());

    ok(as(db, kCoordinator, {"audit", "verify"}));
}

TEST_CASE("repeat reports attach to the open case at the same address", "[cli][e2e][repeat]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "海福巷3号", "2024-03-04T09:00");

    for (const char* same : {"海福巷 3 号", "海福巷３号", " 海福巷3号 "}) {
        CAPTURE(same);
        const json r = open_report(db, same, "2024-03-05T09:00", {"--reporter", "李某"});
        CHECK(r.at("repeat") == true);
        CHECK(r.at("id") == id);
    }
    json c = show(db, id, "2024-03-05");
    CHECK(c["repeat_count"] == 3);
    CHECK(c["address"] == "海福巷3号");

    SECTION("--new forces a new case") {
        const json r = open_report(db, "海福巷3号", "2024-03-05T10:00", {"--new"});
        CHECK(r.at("repeat") == false);
        CHECK(r.at("id") != id);
        CHECK(show(db, id, "2024-03-05")["repeat_count"] == 3);
    }
    SECTION("another category at the same address is another case") {
        const json r = open_report(db, "海福巷3号", "2024-03-05T10:00", {}, "road");
        CHECK(r.at("repeat") == false);
        CHECK(r.at("id") != id);
    }
    SECTION("another address is another case") {
        const json r = open_report(db, "海福巷5号", "2024-03-05T10:00");
        CHECK(r.at("repeat") == false);
        CHECK(r.at("id") != id);
    }
    SECTION("a closed case does not absorb a repeat") {
        act(db, kCoordinator, id, "dispatch", {"--department", "街道城管科", "--at", "2024-03-06T09:00"});
        act(db, kCoordinator, id, "resolve", {"--set", "root_cause=主管堵塞", "--at", "2024-03-07T09:00"});
        act(db, kCoordinator, id, "visit", {"--set", "satisfied=yes", "--at", "2024-03-08T09:00"});
        const json r = open_report(db, "海福巷 3 号", "2024-03-12T09:00");
        CHECK(r.at("repeat") == false);
        CHECK(r.at("id") != id);
        CHECK(show(db, id, "2024-03-12")["repeat_count"] == 3);
        CHECK(show(db, r.at("id"), "2024-03-12")["repeat_count"] == 0);
    }
    SECTION("a rejected case does not absorb a repeat") {
        act(db, kCoordinator, id, "reject", {"--note", "不属本站受理范围", "--at", "2024-03-06T09:00"});
        const json r = open_report(db, "海福巷3号", "2024-03-06T10:00");
        CHECK(r.at("repeat") == false);
        CHECK(r.at("id") != id);
    }
    SECTION("a case waiting for its visit still absorbs a repeat") {
        act(db, kCoordinator, id, "dispatch", {"--department", "街道城管科", "--at", "2024-03-06T09:00"});
        act(db, kCoordinator, id, "resolve", {"--set", "root_cause=主管堵塞", "--at", "2024-03-07T09:00"});
        const json r = open_report(db, "海福巷３号", "2024-03-07T10:00");
        CHECK(r.at("repeat") == true);
        CHECK(r.at("id") == id);
    }
    ok(as(db, kCoordinator, {"audit", "verify"}));
}

TEST_CASE("an unsatisfied visit returns the case to coordination and restarts the clock",
          "[cli][e2e][reopen]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "海福巷3号", "2024-03-04T09:00");
    act(db, kCoordinator, id, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
    // No repeats and never reopened: root_cause is not required yet.
    act(db, kCoordinator, id, "resolve", {"--at", "2024-03-20T10:00"});
    {
        const std::string before = fingerprint(db);
        const RunResult r =
            as(db, kCoordinator,
               {"case", "do", id, "visit", "--set", "satisfied=maybe", "--at", "2024-03-27T10:00"});
        check_error(r, 3);
        CHECK_THAT(r.err, Contains("satisfied"));
        CHECK(fingerprint(db) == before);
    }
    act(db, kCoordinator, id, "visit",
        {"--set", "satisfied=no", "--note", "仍有异味", "--at", "2024-03-27T10:00"});

    json c = show(db, id, "2024-03-28");
    CHECK(c["phase"] == "coordination");
    CHECK(c["step"] == "handling");
    CHECK(c["reopen_count"] == 1);
    CHECK(c["deadline"] == "2024-04-25");  // 2024-03-27 + 20 working days
    CHECK(c["working_days_left"] == 19);
    // After the first deadline (2024-04-01) the restarted case is not overdue.
    c = show(db, id, "2024-04-02");
    CHECK(c["overdue"] == false);

    // Reopened: resolving now needs the root cause (exit 3), and the refusal writes nothing.
    const std::string before = fingerprint(db);
    const RunResult refused = as(db, kCoordinator, {"case", "do", id, "resolve", "--at", "2024-04-08T10:00"});
    check_error(refused, 3);
    CHECK_THAT(refused.err, Contains("root_cause"));
    CHECK(fingerprint(db) == before);
    act(db, kCoordinator, id, "resolve", {"--set", "root_cause=雨污管网错接", "--at", "2024-04-08T10:00"});
    act(db, kCoordinator, id, "visit", {"--set", "satisfied=yes", "--at", "2024-04-09T10:00"});
    CHECK(show(db, id, "2024-04-09")["phase"] == "closed");

    // A supervisor reopens the closed case: the clock restarts from the reopen date.
    act(db, kSupervisor, id, "reopen", {"--note", "居民再次反映", "--at", "2024-05-06T09:00"});
    c = show(db, id, "2024-05-06");
    CHECK(c["phase"] == "coordination");
    CHECK(c["reopen_count"] == 2);
    CHECK(c["deadline"] == "2024-05-31");
    CHECK(c["working_days_left"] == 20);
    ok(as(db, kCoordinator, {"audit", "verify"}));
}

TEST_CASE("a resolve after a reopen needs its own root cause, not the previous cycle's",
          "[cli][e2e][reopen]") {
    // SPEC: `resolve --set root_cause=TEXT` ... root_cause is required when the case was ever reopened. The
    // reopen shows the recorded cause did not hold, so the earlier value cannot stand in for a new one.
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "海福巷3号", "2024-03-04T09:00");
    act(db, kCoordinator, id, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
    act(db, kCoordinator, id, "resolve", {"--set", "root_cause=树根堵塞", "--at", "2024-03-20T10:00"});
    act(db, kCoordinator, id, "visit", {"--set", "satisfied=no", "--at", "2024-03-27T10:00"});
    REQUIRE(show(db, id, "2024-03-27")["reopen_count"] == 1);
    const std::string before = fingerprint(db);
    const RunResult r = as(db, kCoordinator, {"case", "do", id, "resolve", "--at", "2024-04-08T10:00"});
    check_error(r, 3);
    CHECK_THAT(r.err, Contains("root_cause"));
    CHECK(fingerprint(db) == before);
}

TEST_CASE("root_cause is required when the case has repeat reports", "[cli][e2e][reopen]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "海福巷3号", "2024-03-04T09:00");
    REQUIRE(open_report(db, "海福巷 3 号", "2024-03-04T15:00").at("repeat") == true);
    act(db, kCoordinator, id, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
    const std::string before = fingerprint(db);
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{}, std::vector<std::string>{"--set", "root_cause="},
          std::vector<std::string>{"--set", "root_cause=   "}}) {
        std::vector<std::string> args = {"case", "do", id, "resolve", "--at", "2024-03-06T10:00"};
        args.insert(args.end(), extra.begin(), extra.end());
        const RunResult r = as(db, kCoordinator, args);
        check_error(r, 3);
        CHECK_THAT(r.err, Contains("root_cause"));
        CHECK(fingerprint(db) == before);
    }
    act(db, kCoordinator, id, "resolve", {"--set", "root_cause=主管堵塞", "--at", "2024-03-06T10:00"});
    CHECK(show(db, id, "2024-03-06")["phase"] == "follow_up");
}

TEST_CASE("dibao: hukou elsewhere needs a supervisor's exception before resolve", "[cli][e2e][roles]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_report(db, "光明街8号", "2024-03-04T09:00", {}, "dibao").at("id");
    act(db, kCoordinator, id, "dispatch",
        {"--department", "社区民政", "--set", "hukou_elsewhere=yes", "--at", "2024-03-05T09:00"});
    const std::string before = fingerprint(db);
    const RunResult refused = as(db, kCoordinator, {"case", "do", id, "resolve", "--at", "2024-03-06T09:00"});
    check_error(refused, 3);
    CHECK_THAT(refused.err, Contains("approve-exception"));
    check_error(as(db, kCoordinator,
                   {"case", "do", id, "approve-exception", "--note", "特事特办", "--at", "2024-03-06T09:00"}),
                4);
    CHECK(fingerprint(db) == before);
    act(db, kSupervisor, id, "approve-exception",
        {"--note", "经多部门协调，同意在原户籍社区受理", "--at", "2024-03-06T10:00"});
    act(db, kCoordinator, id, "resolve", {"--at", "2024-03-07T09:00"});
    const json c = show(db, id, "2024-03-07");
    CHECK(c["phase"] == "follow_up");
    CHECK(c["fields"]["exception_approved"] == "yes");
    CHECK(c["history"][2]["actor"] == kSupervisor);
}

TEST_CASE("supervisor-only actions: a coordinator gets exit 4, a supervisor succeeds", "[cli][e2e][roles]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    // One overdue case in coordination and one closed case.
    const std::string late = open_case(db, "海福巷3号", "2024-03-04T09:00");
    act(db, kCoordinator, late, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
    const std::string done = open_case(db, "海福巷7号", "2024-03-04T09:00");
    act(db, kCoordinator, done, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
    act(db, kCoordinator, done, "resolve", {"--at", "2024-03-06T10:00"});
    act(db, kCoordinator, done, "visit", {"--set", "satisfied=yes", "--at", "2024-03-07T10:00"});
    const std::string fresh = open_case(db, "海福巷9号", "2024-03-20T09:00");

    struct Attempt {
        std::string id;
        std::vector<std::string> args;
    };
    const std::vector<Attempt> attempts = {
        {late, {"escalate", "--note", "请尽快办理", "--at", "2024-04-02T09:00"}},
        {fresh, {"extend", "--set", "days=5", "--note", "施工需要", "--at", "2024-03-21T09:00"}},
        {done, {"mark-typical", "--at", "2024-04-02T09:00"}},  // any phase, closed included
        {done, {"reopen", "--note", "居民再次反映", "--at", "2024-04-02T09:00"}},
    };
    SECTION("each supervisor-only action") {
        for (const auto& a : attempts) {
            // Recorded on 2024-04-02: the extension is judged on that day, before the fresh case's deadline.
            std::vector<std::string> args = {"--today", "2024-04-02", "case", "do", a.id};
            args.insert(args.end(), a.args.begin(), a.args.end());
            CAPTURE(a.args[0]);
            const std::string before = fingerprint(db);
            check_error(as(db, kCoordinator, args), 4);
            CHECK(fingerprint(db) == before);
            ok(as(db, kSupervisor, args));
            CHECK(fingerprint(db) != before);
        }
        CHECK(show(db, late, "2024-04-02")["escalation_level"] == 1);
        CHECK(show(db, fresh, "2024-03-21")["deadline"] == "2024-04-25");  // 2024-04-18 + 5
        const json c = show(db, done, "2024-04-02");
        CHECK(c["phase"] == "coordination");
        CHECK(c["typical"] == true);
    }

    SECTION("staff add, workflow load and calendar load are for supervisors") {
        const std::string before = fingerprint(db);
        check_error(as(db, kCoordinator, {"staff", "add", "赵某", "--role", "coordinator"}), 4);
        check_error(
            as(db, kCoordinator, {"workflow", "load", MINSHENG_SOURCE_DIR "/workflows/drainage.yaml"}), 4);
        check_error(as(db, kCoordinator,
                       {"calendar", "load", MINSHENG_SOURCE_DIR "/workflows/calendar/cn-holidays.yaml"}),
                    4);
        CHECK(fingerprint(db) == before);
    }
    SECTION("an unknown or missing actor is not allowed to write") {
        const std::string before = fingerprint(db);
        check_error(as(db, "路人甲",
                       {"case", "open", "--category", "drainage", "--address", "海福巷11号", "--summary",
                        "堵了", "--at", "2024-03-21T09:00"}),
                    4);
        check_error(as(db, "路人甲", {"case", "do", late, "note", "--note", "x", "--at", "2024-04-03T09:00"}),
                    4);
        check_error(
            run_minsheng({"--db", db, "case", "do", late, "note", "--note", "x", "--at", "2024-04-03T09:00"}),
            4);
        check_error(as(db, "路人甲", {"staff", "add", "路人乙", "--role", "supervisor"}), 4);
        CHECK(fingerprint(db) == before);
    }
    SECTION("the rules still apply to supervisors") {
        const std::string before = fingerprint(db);
        // Not overdue: escalating is refused.
        check_error(
            as(db, kSupervisor, {"case", "do", fresh, "escalate", "--note", "x", "--at", "2024-03-22T09:00"}),
            3);
        // The deadline 2024-04-01 of `late` has passed: extending is refused.
        check_error(
            as(db, kSupervisor,
               {"case", "do", late, "extend", "--set", "days=5", "--note", "x", "--at", "2024-04-03T09:00"}),
            3);
        CHECK(fingerprint(db) == before);
    }
}

TEST_CASE("init on an existing file is refused and leaves it byte-identical", "[cli][e2e][init]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    open_case(db, "海福巷3号", "2024-03-04T09:00");
    const std::string before = fingerprint(db);
    check_error(as(db, kSupervisor, {"init"}), 3);
    check_error(as(db, "别人", {"init", "--supervisor", "别人"}), 3);
    CHECK(fingerprint(db) == before);

    SECTION("any existing file, SQLite or not") {
        const std::string other = dir.file("notes.txt");
        write_text(other, "not a database\n");
        check_error(as(other, kSupervisor, {"init"}), 3);
        CHECK(read_text(other) == "not a database\n");
    }
    SECTION("init in a missing directory fails with a storage error and creates nothing") {
        const std::string nowhere = dir.file("missing") + "/station.db";
        check_error(as(nowhere, kSupervisor, {"init"}), 1);
        CHECK_FALSE(fs::exists(dir.file("missing")));
    }
}

namespace {

// One station shared by the rows of the bad-input table: every row must leave it as it was.
struct BadInputStation {
    TempDir dir;
    std::string db;
    std::string intake;        // a case in intake, latest event 2024-03-05T10:00
    std::string coordination;  // a case in coordination
    std::string closed;        // a closed case
    BadInputStation() {
        db = fresh_station(dir);
        intake = open_case(db, "海福巷3号", "2024-03-05T10:00");
        coordination = open_case(db, "海福巷5号", "2024-03-04T09:00");
        act(db, kCoordinator, coordination, "dispatch",
            {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
        closed = open_case(db, "海福巷7号", "2024-03-04T09:00");
        act(db, kCoordinator, closed, "dispatch", {"--department", "街道城管科", "--at", "2024-03-04T10:00"});
        act(db, kCoordinator, closed, "resolve", {"--at", "2024-03-04T11:00"});
        act(db, kCoordinator, closed, "visit", {"--set", "satisfied=yes", "--at", "2024-03-05T10:00"});
    }
};

struct BadInput {
    std::string what;
    std::vector<std::string> args;  // {intake} and {coordination} stand for the case ids
    int code;
};

const std::vector<BadInput>& bad_inputs() {
    static const std::vector<BadInput> rows = {
        {"unknown command", {"frobnicate"}, 2},
        {"unknown subcommand", {"case", "frobnicate"}, 2},
        {"unknown flag", {"case", "list", "--bogus"}, 2},
        {"missing argument", {"case", "show"}, 2},
        {"bad --today", {"--today", "2023-02-30", "case", "list"}, 2},
        {"bad --today format", {"--today", "2024/03/05", "case", "list"}, 2},
        {"bad --at month", {"case", "do", "{intake}", "note", "--note", "x", "--at", "2024-13-01"}, 2},
        {"bad --at hour", {"case", "do", "{intake}", "note", "--note", "x", "--at", "2024-03-06T25:00"}, 2},
        {"bad --at words", {"case", "do", "{intake}", "note", "--note", "x", "--at", "yesterday"}, 2},
        {"bad --at on open",
         {"case", "open", "--category", "drainage", "--address", "海福巷8号", "--summary", "堵", "--at",
          "2024-02-30"},
         2},
        {"--set without =", {"case", "do", "{intake}", "note", "--note", "x", "--set", "novalue"}, 2},
        {"bad --as-of", {"audit", "overdue", "--as-of", "2024-02-30"}, 2},
        {"bad --format", {"audit", "overdue", "--format", "xml"}, 2},
        {"bad --phase", {"case", "list", "--phase", "open"}, 2},
        {"bad calendar date", {"calendar", "info", "2024-02-30"}, 2},
        {"invalid UTF-8 summary",
         {"case", "open", "--category", "drainage", "--address", "海福巷8号", "--summary", "\xff\xfe堵"},
         2},
        {"invalid UTF-8 note", {"case", "do", "{intake}", "note", "--note", "\xe5\xa0"}, 2},
        {"control character in the summary",
         {"case", "open", "--category", "drainage", "--address", "海福巷8号", "--summary", "堵\x01了"},
         2},
        {"empty --address",
         {"case", "open", "--category", "drainage", "--address", "", "--summary", "堵"},
         3},
        {"blank --address",
         {"case", "open", "--category", "drainage", "--address", " \u3000 ", "--summary", "堵"},
         3},
        {"empty --summary",
         {"case", "open", "--category", "drainage", "--address", "海福巷8号", "--summary", ""},
         3},
        {"unknown case id", {"case", "show", "2099-9999"}, 5},
        {"unknown case id in do", {"case", "do", "2099-9999", "note", "--note", "x"}, 5},
        {"unknown case id in history", {"case", "history", "2099-9999"}, 5},
        {"unknown category",
         {"case", "open", "--category", "nosuch", "--address", "海福巷8号", "--summary", "堵", "--at",
          "2024-03-06"},
         5},
        {"visit in intake", {"case", "do", "{intake}", "visit", "--set", "satisfied=yes"}, 3},
        {"resolve in intake", {"case", "do", "{intake}", "resolve", "--set", "root_cause=x"}, 3},
        {"reject in coordination", {"case", "do", "{coordination}", "reject", "--note", "x"}, 3},
        {"unknown action", {"case", "do", "{intake}", "fly"}, 3},
        {"dispatch without department", {"case", "do", "{intake}", "dispatch"}, 3},
        {"note without note", {"case", "do", "{intake}", "note"}, 3},
        {"sign a department without a task",
         {"case", "do", "{coordination}", "sign", "--department", "物业"},
         3},
        {"resume a running case", {"case", "do", "{coordination}", "resume"}, 3},
        {"note on a closed case", {"case", "do", "{closed}", "note", "--note", "x"}, 3},
        {"suspend a closed case", {"case", "do", "{closed}", "suspend", "--note", "x"}, 3},
        {"resume a closed case", {"case", "do", "{closed}", "resume"}, 3},
        {"dispatch a closed case", {"case", "do", "{closed}", "dispatch", "--department", "物业"}, 3},
        {"visit a closed case", {"case", "do", "{closed}", "visit", "--set", "satisfied=yes"}, 3},
        {"reject a closed case", {"case", "do", "{closed}", "reject", "--note", "x"}, 3},
        {"--at before the latest event",
         {"case", "do", "{intake}", "note", "--note", "x", "--at", "2024-03-05T09:59"},
         3},
        {"repeat report before the case's latest event",
         {"case", "open", "--category", "drainage", "--address", "海福巷5号", "--summary", "堵", "--at",
          "2024-03-05T09:00"},
         3},
    };
    return rows;
}

}  // namespace

TEST_CASE("bad input: one line on stderr, the SPEC exit code, and the database unchanged",
          "[cli][e2e][errors]") {
    static BadInputStation station;
    const size_t i = GENERATE(range(size_t{0}, bad_inputs().size()));
    const BadInput& row = bad_inputs()[i];
    CAPTURE(row.what);
    std::vector<std::string> args;
    if (std::find(row.args.begin(), row.args.end(), "--today") == row.args.end())
        args = {"--today", "2024-03-06"};
    for (const auto& a : row.args)
        args.push_back(a == "{intake}"         ? station.intake
                       : a == "{coordination}" ? station.coordination
                       : a == "{closed}"       ? station.closed
                                               : a);
    const std::string before = fingerprint(station.db);
    check_error(as(station.db, kCoordinator, args), row.code);
    CHECK(fingerprint(station.db) == before);
}

TEST_CASE("a missing database is not found, and nothing is created", "[cli][e2e][errors]") {
    TempDir dir;
    const std::string nowhere = dir.file("missing") + "/station.db";
    check_error(as(nowhere, kCoordinator, {"case", "list"}), 5);
    check_error(as(nowhere, kCoordinator,
                   {"case", "open", "--category", "drainage", "--address", "x", "--summary", "y"}),
                5);
    CHECK_FALSE(fs::exists(dir.file("missing")));
    check_error(as(dir.file("none.db"), kCoordinator, {"case", "list"}), 5);
    CHECK_FALSE(fs::exists(dir.file("none.db")));
}

TEST_CASE("a file that is not a minsheng database is refused and left untouched", "[cli][e2e][errors]") {
    TempDir dir;
    std::string path;
    SECTION("not SQLite at all") {
        path = dir.file("ledger.db");
        write_text(path, "id,address\n1,海福巷3号\n" + std::string(5000, 'x'));
    }
    SECTION("a SQLite database of another program") {
        path = dir.file("other.db");
        sql_exec(path,
                 "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) "
                 "VALUES ('海福巷3号');");
    }
    SECTION("a SQLite database of another program in WAL mode") {
        path = dir.file("other-wal.db");
        sql_exec(
            path,
            "PRAGMA journal_mode = WAL; CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('x');");
    }
    SECTION("a minsheng database from a newer minsheng") {
        path = fresh_station(dir);
        sql_exec(path, "PRAGMA user_version = " + std::to_string(minsheng::schema_version() + 1));
    }
    const std::string before = fingerprint(path);
    const std::vector<std::vector<std::string>> commands = {
        {"case", "list"},
        {"case", "show", "2024-0001"},
        {"case", "open", "--category", "drainage", "--address", "海福巷3号", "--summary", "堵", "--at",
         "2024-03-04"},
        {"audit", "verify"},
        {"audit", "overdue", "--as-of", "2024-04-02"},
        {"staff", "add", "赵某", "--role", "coordinator"},
        {"workflow", "list"},
    };
    for (const auto& cmd : commands) {
        CAPTURE(cmd[0], cmd[1]);
        check_error(as(path, kSupervisor, cmd), 1);
        CHECK(fingerprint(path) == before);
    }
    CHECK_FALSE(fs::exists(path + "-wal"));
    CHECK_FALSE(fs::exists(path + "-journal"));
}

namespace {

// A station with a few cases in different states, for the audit trail tests. Built once; each test works on
// its own copy of the file (every command closes the database, so the one file holds everything).
struct AuditTemplate {
    TempDir dir;
    std::string db;
    std::vector<std::string> ids;
    AuditTemplate() {
        db = fresh_station(dir);
        const std::string a = open_case(db, "海福巷3号", "2024-03-04T09:00");  // events 2.. (1: staff add)
        act(db, kCoordinator, a, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
        act(db, kCoordinator, a, "dispatch", {"--department", "市政部门", "--at", "2024-03-05T11:00"});
        act(db, kCoordinator, a, "resolve", {"--at", "2024-03-20T10:00"});
        act(db, kCoordinator, a, "visit", {"--set", "satisfied=no", "--at", "2024-03-27T10:00"});
        const std::string b = open_case(db, "幸福路12号", "2024-03-06T09:00");
        REQUIRE(open_report(db, "幸福路 12 号", "2024-03-07T09:00").at("repeat") == true);
        act(db, kCoordinator, b, "dispatch", {"--department", "物业", "--at", "2024-03-07T10:00"});
        act(db, kCoordinator, b, "suspend", {"--note", "等待业主回家", "--at", "2024-03-08T10:00"});
        const std::string c = open_case(db, "光明街1号", "2024-03-01T09:00");
        act(db, kCoordinator, c, "dispatch", {"--department", "街道城管科", "--at", "2024-03-01T10:00"});
        act(db, kSupervisor, c, "escalate", {"--note", "超期催办", "--at", "2024-04-02T10:00"});
        act(db, kSupervisor, c, "mark-typical", {"--at", "2024-04-02T11:00"});
        const std::string d = open_case(db, "光明街2号", "2024-03-01T09:00");
        act(db, kCoordinator, d, "reject", {"--note", "不属本站受理范围", "--at", "2024-03-01T10:00"});
        ids = {a, b, c, d};
        REQUIRE_FALSE(fs::exists(db + "-wal"));
    }
};

struct AuditStation {
    TempDir dir;
    std::string db = dir.file("station.db");
    std::vector<std::string> ids;
    AuditStation() {
        static const AuditTemplate tmpl;
        fs::copy_file(tmpl.db, db);
        ids = tmpl.ids;
    }
    long long events() const { return sql_count(db, "SELECT count(*) FROM events"); }
};

}  // namespace

TEST_CASE("audit verify passes on an intact log and names the event that was tampered with",
          "[cli][e2e][audit]") {
    AuditStation st;
    const RunResult intact = ok(as(st.db, kCoordinator, {"audit", "verify"}));
    CHECK_THAT(intact.out, Contains(std::to_string(st.events())));
    const json j = ok_json(as(st.db, kCoordinator, {"--json", "audit", "verify"}));
    CHECK(j.at("ok") == true);
    CHECK(j.at("events") == st.events());
    CHECK(st.events() == 16);  // with 王协调's registration, event 1

    SECTION("an event's data edited") {
        sql_exec(st.db, "UPDATE events SET data = replace(data, '街道城管科', '市政部门') WHERE seq = 3");
        const RunResult r = as(st.db, kCoordinator, {"audit", "verify"});
        check_error(r, 1);
        CHECK_THAT(r.err, Contains("事件 3"));
    }
    SECTION("an event's time edited") {
        sql_exec(st.db, "UPDATE events SET at = '2024-03-19T10:00:00' WHERE seq = 5");
        const RunResult r = as(st.db, kCoordinator, {"audit", "verify"});
        check_error(r, 1);
        CHECK_THAT(r.err, Contains("事件 5"));
    }
    SECTION("an event's actor edited") {
        sql_exec(st.db, "UPDATE events SET actor = '督办甲' WHERE seq = 8");
        const RunResult r = as(st.db, kCoordinator, {"audit", "verify"});
        check_error(r, 1);
        CHECK_THAT(r.err, Contains("事件 8"));
    }
    SECTION("an event deleted from the middle") {
        sql_exec(st.db, "DELETE FROM events WHERE seq = 6");
        const RunResult r = as(st.db, kCoordinator, {"audit", "verify"});
        check_error(r, 1);
        CHECK_THAT(r.err, Contains("事件 6"));
    }
    SECTION("the last event deleted") {
        sql_exec(st.db, "DELETE FROM events WHERE seq = 16");
        const RunResult r = as(st.db, kCoordinator, {"audit", "verify"});
        check_error(r, 1);
        CHECK_THAT(r.err, Contains("删除"));
    }
    SECTION("two events swapped") {
        sql_exec(st.db,
                 "UPDATE events SET seq = -1 WHERE seq = 10; UPDATE events SET seq = 10 WHERE seq = 11; "
                 "UPDATE events SET seq = 11 WHERE seq = -1;");
        const RunResult r = as(st.db, kCoordinator, {"audit", "verify"});
        check_error(r, 1);
        CHECK_THAT(r.err, Contains("事件 10"));
    }
    SECTION("the current state edited behind the program's back") {
        sql_exec(st.db, "UPDATE cases SET phase = 'closed' WHERE id = '" + st.ids[0] +
                            "' AND phase = 'coordination'");
        const RunResult r = as(st.db, kCoordinator, {"audit", "verify"});
        check_error(r, 1);
        CHECK_THAT(r.err, Contains(st.ids[0]));
    }
}

TEST_CASE("the projection rebuilt from the events equals the original", "[cli][e2e][audit]") {
    AuditStation st;
    auto snapshot = [&] {
        json all = json::array();
        for (const auto& id : st.ids)
            all.push_back(show(st.db, id, "2024-04-03"));
        all.push_back(ok_json(as(st.db, kCoordinator, {"--today", "2024-04-03", "--json", "case", "list"})));
        all.push_back(
            ok_json(as(st.db, kCoordinator,
                       {"--today", "2024-04-03", "--json", "case", "list", "--department", "市政部门"})));
        all.push_back(
            ok_json(as(st.db, kCoordinator, {"--json", "audit", "overdue", "--as-of", "2024-04-03"})));
        return all;
    };
    const json before = snapshot();
    REQUIRE(before[5].size() == 1);  // one case involves 市政部门

    sql_exec(st.db, "DELETE FROM case_tasks; DELETE FROM case_reporters; DELETE FROM cases;");
    check_error(as(st.db, kCoordinator, {"case", "show", st.ids[0]}), 5);
    check_error(as(st.db, kCoordinator, {"audit", "verify"}), 1);

    minsheng::Station(st.db).rebuild_projection();
    const json after = snapshot();
    CHECK(after == before);
    ok(as(st.db, kCoordinator, {"audit", "verify"}));

    // Rebuilding an intact projection changes nothing either.
    minsheng::Station(st.db).rebuild_projection();
    CHECK(snapshot() == before);
}

TEST_CASE("calendar add and calendar info", "[cli][e2e][calendar]") {
    struct Add {
        std::string date, n, expected;
    };
    const std::vector<Add> adds = {
        {"2024-03-04", "20", "2024-04-01"}, {"2024-10-01", "20", "2024-11-01"},
        {"2025-01-24", "1", "2025-01-26"},  {"2025-09-26", "4", "2025-10-09"},
        {"2024-03-09", "0", "2024-03-09"},
    };
    struct Info {
        std::string date;
        bool working;
        std::string name;
    };
    const std::vector<Info> infos = {
        {"2024-10-01", false, "国庆节"}, {"2024-04-07", true, "清明节"},  // a Sunday worked (调休上班)
        {"2025-01-26", true, "春节"},    {"2024-03-05", true, ""},       {"2024-03-09", false, ""},
    };
    TempDir dir;
    // Without a database the shipped calendar answers; with one, the station's.
    const std::string none = dir.file("none.db");
    const std::string db = fresh_station(dir);
    for (const std::string& path : {none, db}) {
        CAPTURE(path);
        for (const auto& a : adds) {
            CAPTURE(a.date, a.n);
            CHECK(ok(as(path, kCoordinator, {"calendar", "add", a.date, a.n})).out == a.expected + "\n");
        }
        for (const auto& i : infos) {
            CAPTURE(i.date);
            const json info = ok_json(as(path, kCoordinator, {"--json", "calendar", "info", i.date}));
            CHECK(info.at("date") == i.date);
            CHECK(info.at("working_day") == i.working);
            REQUIRE(info.contains("name"));
            if (i.name.empty())
                CHECK((info["name"].is_null() || info["name"] == ""));
            else
                CHECK(info["name"] == i.name);
            CHECK_FALSE(ok(as(path, kCoordinator, {"calendar", "info", i.date})).out.empty());
        }
    }
    CHECK_FALSE(fs::exists(none));
}

TEST_CASE("calendar commands needing a year the calendar lacks fail naming the year",
          "[cli][e2e][calendar]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string before = fingerprint(db);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"calendar", "add", "2026-12-20", "20"},
          std::vector<std::string>{"calendar", "info", "2027-01-04"},
          std::vector<std::string>{"calendar", "add", "2022-12-30", "1"}}) {
        CAPTURE(args[1], args[2]);
        const RunResult r = as(db, kCoordinator, args);
        check_error(r, 3);
        CHECK_THAT(r.err, Contains(args[2].substr(0, 4) == "2022" ? "2022" : "2027"));
    }
    CHECK(fingerprint(db) == before);
    check_error(as(db, kCoordinator, {"calendar", "add", "2024-03-04", "-1"}), 2);
    check_error(as(db, kCoordinator, {"calendar", "add", "2024-03-04", "many"}), 2);
}

TEST_CASE("a case whose deadline needs an uncovered year is logged, its deadline unknown",
          "[cli][e2e][calendar]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const RunResult r = as(db, kCoordinator,
                           {"--today", "2026-12-21", "--json", "case", "open", "--category", "drainage",
                            "--address", "海福巷3号", "--summary", "下水道堵塞", "--at", "2026-12-20T09:00"});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("2027"));
    const std::string id = json::parse(r.out).at("id");
    // case show shows what is known, and refuses (exit 3) for what is not: the days left (SPEC rule 6).
    const RunResult shown = as(db, kCoordinator, {"--today", "2026-12-21", "--json", "case", "show", id});
    CHECK(shown.exit_code == 3);
    CHECK(minsheng::test::one_line(shown.err));
    CHECK_THAT(shown.err, Contains("2027"));
    const json c = json::parse(shown.out);
    CHECK(c["deadline"].is_null());
    CHECK(c["overdue"] == false);
    CHECK(c["working_days_left"].is_null());
}

TEST_CASE("audit overdue on a date in a year the calendar lacks fails naming the year, never reports none",
          "[cli][e2e][audit][calendar]") {
    // SPEC rule 6: a computation that needs a year the calendar does not cover fails with a clear error
    // naming the year. The case below was due 2026-12-29 and is still open on 2027-01-05: answering
    // "0 overdue" would hide it.
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id =
        ok_json(as(db, kCoordinator,
                   {"--today", "2026-12-01", "--json", "case", "open", "--category", "drainage", "--address",
                    "海福巷3号", "--summary", "下水道堵塞", "--at", "2026-12-01T09:00"}))
            .at("id");
    REQUIRE(show(db, id, "2026-12-01")["deadline"] == "2026-12-29");
    CHECK(ok_json(as(db, kSupervisor, {"--json", "audit", "overdue", "--as-of", "2026-12-30"})).size() == 1);
    const std::string before = fingerprint(db);
    const RunResult r = as(db, kSupervisor, {"--json", "audit", "overdue", "--as-of", "2027-01-05"});
    check_error(r, 3);
    CHECK_THAT(r.err, Contains("2027"));
    CHECK(fingerprint(db) == before);
}

TEST_CASE("audit overdue --as-of takes each case as it stood then", "[cli][e2e][audit]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    // A: received 2024-03-04, deadline 2024-04-01, escalated 04-02, second department 04-03, resolved 04-10.
    const std::string a = open_case(db, "海福巷3号", "2024-03-04T09:00");
    act(db, kCoordinator, a, "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
    act(db, kSupervisor, a, "escalate", {"--note", "超期催办", "--at", "2024-04-02T10:00"});
    act(db, kCoordinator, a, "dispatch", {"--department", "市政部门", "--at", "2024-04-03T10:00"});
    act(db, kCoordinator, a, "resolve", {"--set", "root_cause=主管堵塞", "--at", "2024-04-10T10:00"});
    // D: received 2024-03-01 (deadline 2024-03-29), never routed.
    const std::string d = open_case(db, "光明街1号", "2024-03-01T09:00");
    // E: received 2024-05-06 (deadline 2024-05-31), still open.
    const std::string e = open_case(db, "幸福路12号", "2024-05-06T09:00");

    auto overdue = [&](const std::string& as_of) {
        return ok_json(
            as(db, kSupervisor, {"--today", "2024-06-03", "--json", "audit", "overdue", "--as-of", as_of}));
    };
    auto ids = [](const json& rows) {
        std::vector<std::string> out;
        for (const auto& r : rows)
            out.push_back(r.at("id").get<std::string>());
        return out;
    };

    // Before anything was received: nothing.
    CHECK(overdue("2024-02-29").empty());
    // Before any deadline: nothing.
    CHECK(overdue("2024-03-29").empty());
    // A is due on 04-01: only D.
    CHECK(ids(overdue("2024-04-01")) == std::vector<std::string>{d});

    // 04-02: both, most overdue first; A already escalated that day, but with one department only.
    json rows = overdue("2024-04-02");
    REQUIRE(ids(rows) == std::vector<std::string>{d, a});
    CHECK(rows[0].at("working_days_overdue") == 2);
    CHECK(rows[1].at("working_days_overdue") == 1);
    CHECK(rows[1].at("phase") == "coordination");
    CHECK(rows[1].at("escalation_level") == 1);
    CHECK(rows[1].at("departments") == json({"街道城管科"}));
    CHECK(rows[1].at("overdue") == true);
    check_case_shape(rows[1], false);

    // 04-08: A has two departments, and is still unresolved.
    rows = overdue("2024-04-08");
    REQUIRE(ids(rows) == std::vector<std::string>{d, a});
    CHECK(rows[1].at("departments") == json({"街道城管科", "市政部门"}));
    CHECK(rows[1].at("working_days_overdue") == 4);  // 04-02, 04-03, 04-07 (worked Sunday), 04-08

    // Resolved on 04-10: from then on A is not listed. E is not listed before it was received.
    CHECK(ids(overdue("2024-04-10")) == std::vector<std::string>{d});
    CHECK(ids(overdue("2024-05-31")) == std::vector<std::string>{d});
    // 06-03: E is one working day overdue.
    rows = overdue("2024-06-03");
    REQUIRE(ids(rows) == std::vector<std::string>{d, e});
    CHECK(rows[1].at("working_days_overdue") == 1);

    {  // --format csv
        const RunResult r =
            ok(as(db, kSupervisor, {"audit", "overdue", "--as-of", "2024-04-02", "--format", "csv"}));
        std::vector<std::string> lines;
        size_t start = 0;
        for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1)
            lines.push_back(r.out.substr(start, nl - start));
        REQUIRE(lines.size() == 3);
        CHECK_THAT(lines[0], Contains("案件编号"));  // SPEC Part 2: the human CSV's headers are Chinese
        CHECK_THAT(lines[0], Contains("超期工作日"));
        CHECK(lines[1].rfind(d + ",", 0) == 0);
        CHECK(lines[2].rfind(a + ",", 0) == 0);
        CHECK_THAT(lines[2], Contains("2024-04-01"));
    }
    {  // --format json is what --json gives
        const json j = ok_json(
            as(db, kSupervisor,
               {"--today", "2024-06-03", "audit", "overdue", "--as-of", "2024-04-02", "--format", "json"}));
        CHECK(ids(j) == std::vector<std::string>{d, a});
    }
    {  // the table names the cases
        const RunResult r = ok(as(db, kSupervisor, {"audit", "overdue", "--as-of", "2024-04-02"}));
        CHECK_THAT(r.out, Contains(a));
        CHECK_THAT(r.out, Contains(d));
        CHECK_THAT(r.out, !Contains(e));
    }
    {  // without --as-of, today
        CHECK(ids(ok_json(as(db, kSupervisor, {"--today", "2024-04-02", "--json", "audit", "overdue"}))) ==
              std::vector<std::string>{d, a});
    }
}

TEST_CASE("a bad write_up placeholder: workflow check names its place, load and init refuse it",
          "[cli][e2e][workflow]") {
    TempDir dir;
    std::string text = read_text(MINSHENG_SOURCE_DIR "/workflows/general.yaml");
    text.replace(text.find("version: 1\n"), 11, "version: 2\n");  // a new version, loadable but for the typo
    const size_t at = text.find("{{address}}");
    REQUIRE(at != std::string::npos);
    text.replace(at, 11, "{{adress}}");
    // Its line, and its column in characters.
    const size_t line_start = text.rfind('\n', at) + 1;
    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
    long column = 1;
    for (size_t i = line_start; i < at; ++i)
        column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    fs::create_directories(dir.file("wf"));
    const std::string file = dir.file("wf/general.yaml");
    write_text(file, text);
    const std::string problem = file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                ": write_up：未知的占位符 \"adress\"（是 \"address\" 吗？）\n";

    const RunResult check = run_minsheng({"workflow", "check", file});
    CHECK(check.exit_code == 3);
    CHECK(check.out.empty());
    CHECK(check.err == problem);
    CHECK(run_minsheng({"workflow", "check", MINSHENG_SOURCE_DIR "/workflows/general.yaml"}).exit_code == 0);

    const std::string db = fresh_station(dir);
    const std::string before = fingerprint(db);
    const RunResult load = as(db, kSupervisor, {"workflow", "load", file});
    check_error(load, 3);
    const std::string refusal = "minsheng: 流程文件有误，未载入（用 workflow check 列出全部问题）：";
    CHECK(load.err == refusal + problem);
    CHECK(fingerprint(db) == before);

    const std::string other = dir.file("other.db");
    const RunResult init = as(other, kSupervisor, {"init", "--workflows", dir.file("wf")});
    check_error(init, 3);
    CHECK(init.err == refusal + problem);
    CHECK_FALSE(fs::exists(other));
}

TEST_CASE("workflow list shows each workflow's description", "[cli][e2e][workflow]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string general = "不属于其他类别的民生诉求，按“受理—派单—办理—回访—办结”办理。";
    const json j = ok_json(as(db, kCoordinator, {"--json", "workflow", "list"}));
    REQUIRE(j.size() == 5);
    for (const auto& w : j) {
        CAPTURE(w.dump());
        CHECK_FALSE(w.at("description").get<std::string>().empty());
        if (w.at("category") == "general") CHECK(w.at("description") == general);
    }
    const RunResult table = ok(as(db, kCoordinator, {"workflow", "list"}));
    const std::string header = table.out.substr(0, table.out.find('\n'));
    CHECK(header.size() > std::string("说明").size());
    CHECK(header.substr(header.size() - std::string("说明").size()) == "说明");
    CHECK_THAT(table.out, Contains("  " + general + "\n"));
}

TEST_CASE("workflow load names each workflow as people know it — and says when it was loaded already",
          "[cli][e2e][workflow]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string drainage = MINSHENG_SOURCE_DIR "/workflows/drainage.yaml";
    // The station was made with version 1: loading the same file again changes nothing, and says so.
    const std::string before = fingerprint(db);
    CHECK(ok(as(db, kSupervisor, {"workflow", "load", drainage})).out ==
          "流程「排水/下水道」（drainage）第 1 版已载入过，内容相同，未改动\n");
    CHECK(fingerprint(db) == before);
    std::string v2 = read_text(drainage);
    v2.replace(v2.find("version: 1"), 10, "version: 2");
    write_text(dir.file("drainage-v2.yaml"), v2);
    CHECK(ok(as(db, kSupervisor, {"workflow", "load", dir.file("drainage-v2.yaml")})).out ==
          "已载入流程「排水/下水道」（drainage）第 2 版\n");
    const json j = ok_json(as(db, kSupervisor, {"--json", "workflow", "list"}));
    CHECK(std::count_if(j.begin(), j.end(), [](const json& w) { return w["category"] == "drainage"; }) == 2);
    // The same version with other text is refused, by name, and nothing is written.
    std::string changed = v2;
    changed.replace(changed.find("deadline_days: 20"), 17, "deadline_days: 15");
    write_text(dir.file("drainage-v2-changed.yaml"), changed);
    const std::string loaded = fingerprint(db);
    const RunResult refused = as(db, kSupervisor, {"workflow", "load", dir.file("drainage-v2-changed.yaml")});
    check_error(refused, 3);
    CHECK(refused.err ==
          "minsheng: " + dir.file("drainage-v2-changed.yaml") +
              "：流程「排水/下水道」（drainage）第 2 版已载入且内容不同；要载入修改，请把 version 加 1\n");
    CHECK(fingerprint(db) == loaded);
}

TEST_CASE(
    "workflow and calendar files saved in GBK are refused where they stop being UTF-8 — nothing written",
    "[cli][e2e][workflow][calendar]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string before = fingerprint(db);
    std::string wf = read_text(MINSHENG_SOURCE_DIR "/workflows/drainage.yaml");
    wf.replace(wf.find("version: 1"), 10, "version: 2");
    wf.replace(wf.find("name: 排水/下水道"), std::string("name: 排水/下水道").size(),
               "name: \xC5\xC5\xCB\xAE");
    write_text(dir.file("gbk.yaml"), wf);
    const RunResult load = as(db, kSupervisor, {"workflow", "load", dir.file("gbk.yaml")});
    check_error(load, 3);
    CHECK_THAT(load.err, Contains("gbk.yaml:6:7: 这里起不是 UTF-8 文本：流程文件须以 UTF-8 编码保存"));
    std::string cal = read_text(MINSHENG_SOURCE_DIR "/demo/example-notice-2027.yaml");
    cal.replace(cal.find("元旦（示例）"), std::string("元旦（示例）").size(), "\xD4\xAA\xB5\xA9");
    write_text(dir.file("gbk-calendar.yaml"), cal);
    const RunResult calendar = as(db, kSupervisor, {"calendar", "load", dir.file("gbk-calendar.yaml")});
    check_error(calendar, 3);
    CHECK_THAT(calendar.err, Contains("这里起不是 UTF-8 文本：日历文件须以 UTF-8 编码保存"));
    CHECK(fingerprint(db) == before);
}

TEST_CASE("a workflow stored before its write_up was checked still works — only its report refuses",
          "[cli][e2e][workflow]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "海福巷3号", "2024-03-05T09:00:00");
    // As an older minsheng, which did not check placeholders, could have stored it: in a station of schema 10
    // (before the compiled workflows), which this minsheng migrates on opening it.
    sql_exec(db,
             "UPDATE workflows SET source = replace(source, '{{address}}', '{{adress}}') WHERE category = "
             "'drainage'; " +
                 minsheng::test::back_to_schema(10));
    CHECK(ok_json(as(db, kCoordinator, {"--json", "workflow", "list"})).size() == 5);
    act(db, kCoordinator, id, "dispatch", {"--department", "街道城管科"});
    CHECK(open_report(db, "海福巷5号", "2024-03-06T09:00:00").at("repeat") == false);
    act(db, kSupervisor, id, "mark-typical");
    const RunResult report = as(db, kCoordinator, {"report", "typical", id});
    check_error(report, 3);
    CHECK_THAT(report.err, Contains("adress"));
}
