// The routes the workspace's screens need beyond SPEC's list (server/api_workspace.cpp) and the words it
// shows: 人员 (the staff list, adding a member, passwords: supervisors for anyone, anyone for themselves,
// coordinators 403 on the rest), staff registrations as events verify holds the staff table to, the
// calendar banner by role, 登记's preview (the repeat a report would join, the similar addresses, nothing
// written), and refusals as the rule's sentence without the command line's flags and ids.
#include <regex>

#include "server_support.h"

namespace {

json drainage_report(const std::string& address, const std::string& at) {
    return report_of(address, "宋长松", "13812341234", at);
}

}  // namespace

TEST_CASE("api: 人员 - staff list, add and passwords, coordinators refused the supervisors' part") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser co(srv.port()), sup(srv.port()), anon(srv.port());
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    REQUIRE(sup.sign_in("督办甲", "督办的密码1234")->status == 200);

    CHECK(anon.get("/api/staff")->status == 401);
    // Coordinators: neither the list nor adding nor someone else's password.
    CHECK(co.get("/api/staff")->status == 403);
    CHECK(co.post("/api/staff", {{"name", "李新人"}, {"role", "coordinator"}})->status == 403);
    CHECK(co.post("/api/staff/督办甲/password", {{"password", "别人的密码12345"}})->status == 403);
    CHECK(sup.sign_in("督办甲", "督办的密码1234")->status == 200);  // unchanged

    const json list = body(sup.get("/api/staff"));
    REQUIRE(list.size() == 2);
    std::map<std::string, json> by_name;
    for (const auto& m : list)
        by_name[m["name"]] = m;
    CHECK(by_name["督办甲"]["role"] == "supervisor");
    CHECK(by_name["王协调"]["role"] == "coordinator");
    CHECK(by_name["王协调"]["has_password"] == true);

    // A supervisor adds a member (the role by its Chinese name too), then sets their first password.
    const long long before = event_count(s.db);
    CHECK(sup.post("/api/staff", {{"name", "李新人"}, {"role", "协调员"}}, false)->status == 403);  // no CSRF
    auto added = sup.post("/api/staff", {{"name", "李新人"}, {"role", "协调员"}, {"department", "网格一组"}});
    REQUIRE(added);
    INFO(added->body);
    REQUIRE(added->status == 201);
    CHECK(body(added) == json{{"name", "李新人"},
                              {"role", "coordinator"},
                              {"department", "网格一组"},
                              {"has_password", false}});
    CHECK(event_count(s.db) == before + 1);  // the registration is an event of the log
    CHECK(sup.post("/api/staff", {{"name", "李新人"}, {"role", "协调员"}})->status == 409);  // already there
    auto bad_role = sup.post("/api/staff", {{"name", "赵某"}, {"role", "admin"}});
    CHECK(bad_role->status == 400);
    CHECK(body(bad_role)["error"].get<std::string>().find("协调员") != std::string::npos);
    CHECK(sup.post("/api/staff", {{"name", "赵某"}})->status == 400);  // no role

    Browser newcomer(srv.port());
    CHECK(newcomer.sign_in("李新人", "新人的密码2026")->status == 401);
    CHECK(sup.post("/api/staff/李新人/password", {{"password", "短"}})->status == 409);
    CHECK(sup.post("/api/staff/没这人/password", {{"password", "足够长的密码123"}})->status == 404);
    CHECK(sup.post("/api/staff/李新人/password", {{"password", "新人的密码2026"}})->status == 204);
    CHECK(newcomer.sign_in("李新人", "新人的密码2026")->status == 200);
    // Anyone sets their own: the coordinator's session then ends with the old password.
    CHECK(co.post("/api/staff/王协调/password", {{"password", "协调员的新密码99"}})->status == 204);
    CHECK(co.get("/api/me")->status == 401);
    Browser again(srv.port());
    CHECK(again.sign_in("王协调", "协调员密码5678")->status == 401);
    CHECK(again.sign_in("王协调", "协调员的新密码99")->status == 200);

    // The passwords are nowhere in the answers or the access log; the log still verifies.
    const std::string log = srv.log();
    for (const char* p : {"新人的密码2026", "协调员的新密码99", "别人的密码12345"})
        CHECK(log.find(p) == std::string::npos);
    CHECK(log.find("POST /api/staff/") != std::string::npos);
    CHECK(audit_verify_json(s.db)["ok"] == true);
}

TEST_CASE("staff registrations are events of the log: a role edited behind the program's back fails verify") {
    TempDir dir;
    const std::string db = fresh_station(dir);  // 王协调 added with `staff add`
    const json v = audit_verify_json(db);
    CHECK(v["ok"] == true);
    CHECK(v["events"] == 1);
    sql_exec(db, "UPDATE staff SET role = 'supervisor' WHERE name = '王协调'");
    const RunResult r = run_minsheng({"--db", db, "audit", "verify"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("王协调") != std::string::npos);
    CHECK(one_line(r.err));
    sql_exec(db, "UPDATE staff SET role = 'coordinator' WHERE name = '王协调'");
    CHECK(run_minsheng({"--db", db, "audit", "verify"}).exit_code == 0);
    sql_exec(db, "DELETE FROM staff WHERE name = '王协调'");
    CHECK(run_minsheng({"--db", db, "audit", "verify"}).exit_code != 0);
}

TEST_CASE("api: the calendar banner from 60 days before the year ends, worded for the role") {
    SignedStation s;
    {
        Server srv(s.dir, s.db);  // 2026-06-30: nothing to say
        Browser sup(srv.port());
        REQUIRE(sup.sign_in("督办甲", "督办的密码1234")->status == 200);
        const json w = body(sup.get("/api/calendar-warning"));
        CHECK(w["warning"].is_null());
        CHECK(w["commands"].empty());
    }
    Server srv(s.dir, s.db, {}, "2026-11-15");  // 2027 not loaded, 46 days before 2026 ends
    Browser co(srv.port()), sup(srv.port());
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    REQUIRE(sup.sign_in("督办甲", "督办的密码1234")->status == 200);
    const json forSup = body(sup.get("/api/calendar-warning"));
    const std::string sw = forSup["warning"];
    CHECK(sw.find("2027") != std::string::npos);
    CHECK(sw.find("minsheng") == std::string::npos);  // the commands come apart, to be shown as commands
    REQUIRE(forSup["commands"].size() == 2);
    CHECK(forSup["commands"][0].get<std::string>().find("minsheng calendar load") == 0);
    CHECK(forSup["commands"][1] == "minsheng calendar provisional 2027");
    const json forCo = body(co.get("/api/calendar-warning"));
    const std::string cw = forCo["warning"];
    CHECK(cw.find("2027") != std::string::npos);
    CHECK(cw.find("请联系督办") != std::string::npos);
    CHECK(forCo["commands"].empty());
    CHECK_FALSE(std::regex_search(cw, std::regex("[A-Za-z]")));
}

TEST_CASE("api: 登记's preview - the repeat it would join and the similar addresses with nothing written") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser co(srv.port()), anon(srv.port());
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    const std::string a = open_case(co, drainage_report("海福巷3号", "2026-06-01T09:00"));
    const std::string b = open_case(co, drainage_report("海福巷3号楼", "2026-06-02T09:00"));
    const long long events = event_count(s.db);

    CHECK(anon.get("/api/cases/preview?address=x")->status == 401);
    // Folded as `case open` folds it (full-width digit, 號): joins the open case; 3号楼 is similar.
    auto p = body(
        co.get("/api/cases/"
               "preview?category=%E6%8E%92%E6%B0%B4&address=%E6%B5%B7%E7%A6%8F%E5%B7%B7%EF%BC%93%E8%99%9F"));
    CHECK(p["repeat_of"] == a);
    REQUIRE(p["similar"].size() == 1);
    CHECK(p["similar"][0]["id"] == b);
    CHECK(p["similar"][0]["address"] == "海福巷3号楼");
    CHECK(p["similar"][0]["phase"] == "intake");
    // Another category at the same address: joins nothing, and both cases are named.
    p = body(co.get("/api/cases/preview?category=road&address=%E6%B5%B7%E7%A6%8F%E5%B7%B7%33%E5%8F%B7"));
    CHECK(p["repeat_of"].is_null());
    CHECK(p["similar"].size() == 2);
    // No category chosen yet: nothing to join, the addresses still shown.
    p = body(co.get("/api/cases/preview?address=%E6%B5%B7%E7%A6%8F%E5%B7%B7%33%E5%8F%B7%E6%A5%BC"));
    CHECK(p["repeat_of"].is_null());
    CHECK(p["similar"].size() == 2);
    p = body(co.get("/api/cases/preview?category=drainage&address="));
    CHECK(p == json{{"repeat_of", nullptr}, {"similar", json::array()}});
    CHECK(co.get("/api/cases/preview?category=nosuch&address=x")->status == 404);
    CHECK(event_count(s.db) == events);  // a preview writes nothing
    // Saving then does what the preview said.
    auto saved = co.post("/api/cases", drainage_report("海福巷３號", "2026-06-03T09:00"));
    CHECK(body(saved)["id"] == a);
    CHECK(body(saved)["repeat"] == true);
}

TEST_CASE(
    "api: a refusal is the rule's sentence without the command line's flags, which the command line keeps") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser co(srv.port());
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    const std::string id = open_case(co, drainage_report("海福巷3号", "2026-06-01T09:00"));
    open_case(co, drainage_report("海福巷3号", "2026-06-02T09:00"));  // a repeat: a root cause is needed
    REQUIRE(
        co.post("/api/cases/" + id + "/actions", {{"action", "dispatch"}, {"departments", {"街道城管科"}}})
            ->status == 200);
    const std::regex ascii_word("[A-Za-z]");
    auto refused_with = [&](const json& action) {
        auto r = co.post("/api/cases/" + id + "/actions", action);
        REQUIRE(r);
        INFO(r->body);
        CHECK(r->status == 409);
        return body(r)["error"].get<std::string>();
    };
    const std::string resolve = refused_with({{"action", "resolve"}});
    CHECK(resolve.find("根本原因") != std::string::npos);
    CHECK(resolve.find("现在可做") != std::string::npos);
    CHECK(resolve.find("--") == std::string::npos);
    CHECK_FALSE(std::regex_search(resolve, ascii_word));
    const std::string visit = refused_with({{"action", "visit"}});
    CHECK_FALSE(std::regex_search(visit, ascii_word));
    const std::string suspend = refused_with({{"action", "suspend"}});
    CHECK(suspend.find("理由") != std::string::npos);
    CHECK_FALSE(std::regex_search(suspend, ascii_word));
    CHECK(body(co.get("/api/cases/2026-9999"))["error"] == "没有案件 2026-9999");

    // The command line still names the flag and the action ids to type.
    const RunResult cli = run_minsheng({"--db", s.db, "--as", "王协调", "case", "do", id, "resolve"});
    CHECK(cli.exit_code == 3);
    CHECK(cli.err.find("--set root_cause=") != std::string::npos);
    CHECK(cli.err.find("minsheng case do " + id) != std::string::npos);
}
