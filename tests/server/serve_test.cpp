// `minsheng serve` over HTTP (SPEC Part 2 "The web workspace and its API"): the real binary on a free port,
// a real station in a temporary folder, requests with cpp-httplib's client. Sign-in, 401/403/429, the CSRF
// header, writes recorded as the signed-in person, refusals as 409 with the rule's Chinese sentence, the
// security headers, the access log, and a clean stop on SIGTERM.
#include <set>

#include "server_support.h"

TEST_CASE("staff passwd: supervisors for anyone, staff for themselves — kept only as an Argon2id hash") {
    SignedStation s;
    const RunResult other =
        run_with_stdin({"--db", s.db, "--as", "王协调", "staff", "passwd", "督办甲", "--password-stdin"},
                       "abcdefgh12\n", s.dir);
    CHECK(other.exit_code == 4);
    CHECK(one_line(other.err));
    CHECK(run_with_stdin({"--db", s.db, "--as", "王协调", "staff", "passwd", "王协调", "--password-stdin"},
                         "新的协调员密码\n", s.dir)
              .exit_code == 0);
    const RunResult short_one = run_with_stdin(
        {"--db", s.db, "--as", "王协调", "staff", "passwd", "王协调", "--password-stdin"}, "short\n", s.dir);
    CHECK(short_one.exit_code == 3);
    // The database holds no password, only Argon2id hashes; each change is an event verify covers.
    const std::string file = read_text(s.db);
    CHECK(file.find("新的协调员密码") == std::string::npos);
    const json v = audit_verify_json(s.db);
    CHECK(v["ok"] == true);
    const RunResult dump = run_program("/usr/bin/sqlite3", {s.db, "SELECT hash FROM staff_passwords"});
    CHECK_THAT(dump.out, Contains("$argon2id$"));
    // The change edited behind the program's back: verify names the event in words (设置密码), not its id.
    sql_exec(s.db, "UPDATE events SET actor = '伪造' WHERE action = 'staff-passwd'");
    const RunResult tampered = run_minsheng({"--db", s.db, "audit", "verify"});
    CHECK(tampered.exit_code == 1);
    CHECK_THAT(tampered.err, Contains("（设置密码）") && Contains("被改动过"));
    CHECK(tampered.err.find("staff-passwd") == std::string::npos);
}

TEST_CASE("serve: sign-in, session, CSRF, writes as the signed-in person, refusals as 409") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser anon(srv.port());

    SECTION("without a session every API request is 401, in Chinese") {
        auto r = anon.get("/api/me");
        REQUIRE(r);
        CHECK(r->status == 401);
        CHECK_THAT(body(r)["error"].get<std::string>(), Contains("登录"));
        CHECK(anon.get("/api/cases")->status == 401);
        CHECK(anon.get("/api/no-such-thing")->status == 401);
    }

    SECTION("a wrong name and a wrong password get the same 401") {
        auto a = anon.sign_in("王协调", "不对的密码");
        auto b = anon.sign_in("没有这个人", "不对的密码");
        REQUIRE(a);
        REQUIRE(b);
        CHECK(a->status == 401);
        CHECK(b->status == 401);
        CHECK(a->body == b->body);
    }

    SECTION("signed in: the cookie is HttpOnly and SameSite=Strict; writes need the CSRF token") {
        Browser w(srv.port());
        auto in = w.sign_in("王协调", "协调员密码5678");
        REQUIRE(in);
        REQUIRE(in->status == 200);
        const std::string set = in->get_header_value("Set-Cookie");
        CHECK_THAT(set, Contains("HttpOnly"));
        CHECK_THAT(set, Contains("SameSite=Strict"));
        CHECK_THAT(set, !Contains("Secure"));
        CHECK(body(in)["role"] == "coordinator");
        CHECK(body(w.get("/api/me"))["name"] == "王协调");

        const json report = {
            {"category", "drainage"}, {"address", "海福巷3号"}, {"summary", "下水道堵塞，污水漫到人行道"},
            {"reporter", "宋长松"},   {"phone", "13812341234"}, {"channel", "来电"}};
        auto no_csrf = w.post("/api/cases", report, false);
        REQUIRE(no_csrf);
        CHECK(no_csrf->status == 403);
        auto opened = w.post("/api/cases", report);
        REQUIRE(opened);
        REQUIRE(opened->status == 201);
        const std::string id = body(opened)["id"];
        CHECK(body(opened)["repeat"] == false);

        // A second report at the same address joins the case as a repeat.
        json again = report;
        again["reporter"] = "李某某";
        auto repeat = w.post("/api/cases", again);
        REQUIRE(repeat->status == 201);
        CHECK(body(repeat)["repeat"] == true);
        CHECK(body(repeat)["id"] == id);

        // Recorded as the signed-in person, whatever the request says.
        const json c = body(w.get("/api/cases/" + id));
        CHECK(c["history"][0]["actor"] == "王协调");
        CHECK(c["repeat_count"] == 1);

        auto dispatched =
            w.post("/api/cases/" + id + "/actions",
                   {{"action", "dispatch"}, {"departments", {"街道城管科"}}, {"actor", "督办甲"}});
        REQUIRE(dispatched->status == 200);
        CHECK(body(dispatched)["phase"] == "coordination");
        CHECK(body(dispatched)["history"].back()["actor"] == "王协调");

        // The rule's own sentence, 409.
        auto refused = w.post("/api/cases/" + id + "/actions", {{"action", "resolve"}});
        REQUIRE(refused);
        CHECK(refused->status == 409);
        CHECK_THAT(body(refused)["error"].get<std::string>(), Contains("根本原因"));

        // A supervisor's action by a coordinator: 403.
        auto typical = w.post("/api/cases/" + id + "/actions", {{"action", "mark-typical"}});
        CHECK(typical->status == 403);

        // Unknown case: 404; bad input: 400.
        CHECK(w.get("/api/cases/2026-9999")->status == 404);
        CHECK(w.get("/api/cases?limit=abc")->status == 400);

        const json list = body(w.get("/api/cases?phase=coordination&limit=10"));
        CHECK(list["total"] == 1);
        CHECK(list["cases"][0]["id"] == id);
        CHECK(body(w.get("/api/audit/verify"))["ok"] == true);
        CHECK(body(w.get("/api/workflows")).size() >= 3);
        CHECK(body(w.get("/api/calendar/2026-10-01"))["working_day"] == false);

        // Sign-out ends the session.
        auto out = w.c.Delete("/api/session", w.headers());
        REQUIRE(out);
        CHECK(out->status == 204);
        CHECK(w.get("/api/me")->status == 401);
    }

    SECTION("five failures for one name within 15 minutes: 429, even with the right password") {
        Browser b(srv.port());
        for (int i = 0; i < 5; ++i)
            CHECK(b.sign_in("督办甲", "错的密码" + std::to_string(i))->status == 401);
        auto locked = b.sign_in("督办甲", "督办的密码1234");
        REQUIRE(locked);
        CHECK(locked->status == 429);
        CHECK_THAT(body(locked)["error"].get<std::string>(), Contains("15 分钟"));
        // Another name is not locked.
        CHECK(b.sign_in("王协调", "协调员密码5678")->status == 200);
    }

    SECTION("the workspace: embedded files only, with the security headers") {
        auto page = anon.c.Get("/");
        REQUIRE(page);
        CHECK(page->status == 200);
        CHECK_THAT(page->body, Contains("<div id=\"app\">"));
        const std::string csp = page->get_header_value("Content-Security-Policy");
        CHECK_THAT(csp, Contains("frame-ancestors 'none'"));
        CHECK_THAT(csp, Contains("script-src 'self'"));
        CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");
        CHECK(anon.c.Get("/../../etc/passwd")->status == 404);
        CHECK(anon.c.Get("/etc/passwd")->status == 404);
        // Bodies over the limit (8 MiB) are refused before any handler reads them.
        auto big = anon.c.Post("/api/session", std::string(9u * 1024u * 1024u, 'x'), "application/json");
        REQUIRE(big);
        CHECK(big->status == 413);
    }

    SECTION("SIGTERM stops it cleanly; the access log has one line per request and no secret") {
        Browser b(srv.port());
        REQUIRE(b.sign_in("王协调", "协调员密码5678")->status == 200);
        CHECK(b.get("/api/me")->status == 200);
        CHECK(srv.stop() == 0);
        const std::string log = srv.log();
        CHECK_THAT(log, Contains("POST /api/session 200"));
        CHECK_THAT(log, Contains("王协调 GET /api/me 200"));
        CHECK_THAT(log, !Contains("协调员密码5678"));
        CHECK_THAT(log, !Contains(b.cookie.substr(b.cookie.find('=') + 1)));
        CHECK_THAT(log, !Contains(b.csrf));
    }
}

TEST_CASE("serve --behind-tls: the cookie is Secure — an idle session expires") {
    SignedStation s;
    Server srv(s.dir, s.db, {"--behind-tls", "--session-idle", "10"});
    Browser b(srv.port());
    auto in = b.sign_in("王协调", "协调员密码5678");
    REQUIRE(in);
    CHECK_THAT(in->get_header_value("Set-Cookie"), Contains("; Secure"));
    CHECK(b.get("/api/me")->status == 200);
    std::this_thread::sleep_for(std::chrono::seconds(12));
    CHECK(b.get("/api/me")->status == 401);
}

// The command line and the web on one station at the same moment (SPEC: the server serves "on the same
// database as the command line"): each report is recorded exactly once, whoever wrote it, and the log holds.
TEST_CASE("the command line and the web writing at once: every report recorded once, the log intact") {
    SignedStation s;
    Server server(s.dir, s.db);
    Browser b(server.port());
    REQUIRE(b.sign_in("王协调", "协调员密码5678")->status == 200);
    constexpr int kEach = 12;
    std::vector<int> web_status;
    std::vector<std::string> web_ids;
    std::thread web([&] {
        for (int i = 0; i < kEach; ++i) {
            auto r = b.post("/api/cases", {{"category", "drainage"},
                                           {"address", "网页路" + std::to_string(i + 1) + "号"},
                                           {"summary", "下水道堵塞"},
                                           {"reporter", "宋长松"},
                                           {"phone", "13812341234"},
                                           {"channel", "来电"}});
            web_status.push_back(r ? r->status : -1);
            if (r && r->status == 201) web_ids.push_back(json::parse(r->body)["id"]);
        }
    });
    std::vector<RunResult> cli;
    for (int i = 0; i < kEach; ++i)
        cli.push_back(
            run_minsheng({"--db", s.db, "--as", "王协调", "--json", "case", "open", "--category", "road",
                          "--address", "命令行路" + std::to_string(i + 1) + "号", "--summary", "路面坑洼",
                          "--reporter", "李桂英", "--phone", "13900001111"}));
    web.join();
    for (int status : web_status)
        CHECK(status == 201);
    for (const RunResult& r : cli) {
        INFO(r.err);
        CHECK(r.exit_code == 0);
    }
    // Every case once, with the writer's own address; ids never given twice.
    const json list = json::parse(run_minsheng({"--db", s.db, "--json", "case", "list"}).out);
    REQUIRE(list.size() == 2 * kEach);
    std::set<std::string> ids, addresses;
    for (const json& c : list) {
        ids.insert(c["id"].get<std::string>());
        addresses.insert(c["address"].get<std::string>());
    }
    CHECK(ids.size() == 2 * kEach);
    for (int i = 0; i < kEach; ++i) {
        CHECK(addresses.count("网页路" + std::to_string(i + 1) + "号") == 1);
        CHECK(addresses.count("命令行路" + std::to_string(i + 1) + "号") == 1);
    }
    for (const std::string& id : web_ids)
        CHECK(ids.count(id) == 1);
    const json v = audit_verify_json(s.db);
    CHECK(v["ok"] == true);
}
