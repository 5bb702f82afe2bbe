// The API's endpoints beyond sign-in (SPEC Part 2 "Endpoints"), each with its statuses: the case object's
// next_actions, every GET /api/cases filter, merge, the case sheet, the desk's per-department table, the
// reports in each format, the ledger import (dry run, refusal, import) and export (csv, xlsx, json, with a
// Chinese file name). The real binary, a real station.
#include <sqlite3.h>

#include "server_support.h"

namespace {

int act(Browser& b, const std::string& id, const json& action) {
    auto r = b.post("/api/cases/" + id + "/actions", action);
    REQUIRE(r);
    INFO(r->body);
    return r->status;
}

std::vector<std::string> ids_of(const json& list) {
    std::vector<std::string> out;
    for (const auto& c : list["cases"])
        out.push_back(c["id"]);
    return out;
}

}  // namespace

TEST_CASE("api: the case object's next_actions, the list's filters, merge and the case sheet") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser co(srv.port()), sup(srv.port()), anon(srv.port());
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    REQUIRE(sup.sign_in("督办甲", "督办的密码1234")->status == 200);

    const std::string a =
        open_case(co, report_of("海福巷3号", "宋长松", "138-1234-1234", "2026-06-01T09:00"));
    const std::string b = open_case(sup, report_of("幸福路8号", "李大姐", "13900001111", "2026-06-20T10:00"));
    const std::string c = open_case(sup, report_of("幸福路9号", "赵老伯", "13700002222", "2026-06-25T10:00"));

    // next_actions: what `case do ID` lists, for the signed-in person.
    const json ca = body(co.get("/api/cases/" + a));
    std::vector<std::string> actions;
    for (const auto& x : ca["next_actions"])
        actions.push_back(x["action"]);
    CHECK(std::find(actions.begin(), actions.end(), "dispatch") != actions.end());
    CHECK(std::find(actions.begin(), actions.end(), "mark-typical") == actions.end());  // supervisors only
    const json sa = body(sup.get("/api/cases/" + a));
    bool typical_for_supervisor = false;
    for (const auto& x : sa["next_actions"])
        typical_for_supervisor = typical_for_supervisor || x["action"] == "mark-typical";
    CHECK(typical_for_supervisor);
    for (const auto& x : ca["next_actions"]) {
        CHECK(x.contains("label"));
        CHECK(x["requires"].is_array());
        CHECK(x["choices"].is_object());
    }
    REQUIRE(act(co, a, {{"action", "派单"}, {"departments", {"街道城管科"}}}) == 200);
    // After 派单: the department's steps and 办理完毕, each with what it requires.
    const json after = body(co.get("/api/cases/" + a));
    std::map<std::string, json> next;
    for (const auto& x : after["next_actions"])
        next[x["action"]] = x;
    CHECK(next.count("resolve"));
    REQUIRE(next.count("reply"));
    CHECK(next["reply"]["requires"] == json{"department", "note"});
    CHECK(next["reply"]["label"] == "部门回复");
    CHECK_FALSE(next.count("visit"));  // not before 办理完毕

    SECTION("every filter of GET /api/cases, Chinese names as on the command line") {
        CHECK(body(co.get("/api/cases"))["total"] == 3);
        CHECK(ids_of(body(co.get("/api/cases?phase=%E5%8A%9E%E7%90%86"))) ==
              std::vector<std::string>{a});  // 办理
        CHECK(ids_of(body(co.get("/api/cases?phase=intake"))) == std::vector<std::string>{b, c});
        CHECK(body(co.get("/api/cases?category=%E6%8E%92%E6%B0%B4"))["total"] == 3);  // 排水
        CHECK(ids_of(body(co.get("/api/cases?department=%E8%A1%97%E9%81%93%E5%9F%8E%E7%AE%A1%E7%A7%91"))) ==
              std::vector<std::string>{a});
        // search: address, reporter's name or phone, id.
        CHECK(ids_of(body(co.get("/api/cases?search=%E5%B9%B8%E7%A6%8F%E8%B7%AF"))) ==
              std::vector<std::string>{b, c});  // 幸福路
        CHECK(ids_of(body(co.get("/api/cases?search=" + b))) == std::vector<std::string>{b});
        CHECK(ids_of(body(co.get("/api/cases?reporter=%E8%B5%B5"))) == std::vector<std::string>{c});  // 赵
        CHECK(ids_of(body(co.get("/api/cases?phone=13812341234"))) == std::vector<std::string>{a});
        CHECK(ids_of(body(co.get("/api/cases?phone=139-0000"))) == std::vector<std::string>{b});
        // mine: the cases the signed-in person has acted on.
        CHECK(ids_of(body(co.get("/api/cases?mine=1"))) == std::vector<std::string>{a});
        CHECK(ids_of(body(sup.get("/api/cases?mine=1"))) == std::vector<std::string>{b, c});
        // from/to: received, inclusive.
        CHECK(ids_of(body(co.get("/api/cases?from=2026-06-20&to=2026-06-24"))) ==
              std::vector<std::string>{b});
        // overdue on today (2026-06-30): a's 20 working days from 06-01 have not passed.
        CHECK(body(co.get("/api/cases?overdue=1"))["total"] == 0);
        // typical: only the ones a supervisor marked.
        CHECK(body(co.get("/api/cases?typical=1"))["total"] == 0);
        REQUIRE(act(sup, c, {{"action", "mark-typical"}}) == 200);
        CHECK(ids_of(body(co.get("/api/cases?typical=1"))) == std::vector<std::string>{c});
        // Filters combine; limit and offset page the answer, total counts them all.
        CHECK(ids_of(body(co.get("/api/cases?search=%E5%B9%B8%E7%A6%8F%E8%B7%AF&typical=1"))) ==
              std::vector<std::string>{c});
        const json page = body(co.get("/api/cases?limit=1&offset=1"));
        CHECK(page["total"] == 3);
        CHECK(ids_of(page) == std::vector<std::string>{b});
        // An empty box is no filter.
        CHECK(body(co.get("/api/cases?search=&reporter=&phone="))["total"] == 3);
        // Bad input: 400, one Chinese line.
        auto bad_phase = co.get("/api/cases?phase=nope");
        CHECK(bad_phase->status == 400);
        CHECK_THAT(body(bad_phase)["error"].get<std::string>(), Contains("受理"));
        CHECK(co.get("/api/cases?from=2026-13-01")->status == 400);
        CHECK(co.get("/api/cases?from=2026-06-30&to=2026-06-01")->status == 400);
        CHECK(co.get("/api/cases?limit=0")->status == 400);
        CHECK(co.get("/api/cases?offset=-1")->status == 400);
        CHECK(body(co.get("/api/cases?category=nope")).contains("error"));
        CHECK(co.get("/api/cases?category=nope")->status == 404);
        CHECK(anon.get("/api/cases?mine=1")->status == 401);
    }

    SECTION("merge through the API names the other case; a coordinator's revoke is 403") {
        CHECK(act(co, c, {{"action", "merge"}, {"into", b}, {"note", "同一问题"}}) == 200);
        const json merged = body(co.get("/api/cases/" + c));
        CHECK(merged["phase"] == "merged");
        CHECK(body(co.get("/api/cases/" + b))["repeat_count"] == 1);
        CHECK(act(co, b, {{"action", "merge"}, {"into", "2026-9999"}, {"note", "x"}}) == 404);
        CHECK(act(co, a, {{"action", "revoke"}, {"note", "x"}}) == 403);
        CHECK(act(sup, a, {{"action", "revoke"}, {"note", "派错了"}}) == 200);
        CHECK(body(co.get("/api/cases/" + a))["phase"] == "intake");
    }

    SECTION("打印: the case sheet, as case show --format html") {
        auto sheet = co.get("/api/cases/" + a + "/sheet");
        REQUIRE(sheet);
        CHECK(sheet->status == 200);
        CHECK_THAT(sheet->get_header_value("Content-Type"), Contains("text/html"));
        CHECK_THAT(sheet->body, Contains("承办人"));
        CHECK_THAT(sheet->body, Contains("海福巷3号"));
        const RunResult cli =
            run_minsheng({"--db", s.db, "--as", "王协调", "case", "show", a, "--format", "html"});
        CHECK(cli.out == sheet->body);
        CHECK(co.get("/api/cases/2026-9999/sheet")->status == 404);
        CHECK(anon.get("/api/cases/" + a + "/sheet")->status == 401);
    }
}

TEST_CASE("api: the desk's per-department table, supervisors only") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser co(srv.port()), sup(srv.port());
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    REQUIRE(sup.sign_in("督办甲", "督办的密码1234")->status == 200);
    // One case dispatched in January and long overdue; one resolved on time and visited (不满意 then 满意).
    const std::string late =
        open_case(co, report_of("海福巷3号", "宋长松", "13812341234", "2026-01-05T09:00"));
    REQUIRE(act(co, late,
                {{"action", "dispatch"}, {"departments", {"街道城管科"}}, {"at", "2026-01-05T10:00"}}) ==
            200);
    const std::string done =
        open_case(co, report_of("幸福路8号", "李大姐", "13900001111", "2026-06-01T09:00"));
    REQUIRE(act(co, done,
                {{"action", "dispatch"},
                 {"departments", {"街道城管科", "水务所"}},
                 {"at", "2026-06-01T10:00"}}) == 200);
    REQUIRE(
        act(co, done,
            {{"action", "resolve"}, {"fields", {{"root_cause", "管道堵塞"}}}, {"at", "2026-06-03T10:00"}}) ==
        200);
    REQUIRE(act(co, done,
                {{"action", "visit"}, {"fields", {{"satisfied", "不满意"}}}, {"at", "2026-06-04T10:00"}}) ==
            200);
    REQUIRE(
        act(co, done,
            {{"action", "resolve"}, {"fields", {{"root_cause", "管道更换"}}}, {"at", "2026-06-05T10:00"}}) ==
        200);
    REQUIRE(act(co, done,
                {{"action", "visit"}, {"fields", {{"satisfied", "满意"}}}, {"at", "2026-06-08T10:00"}}) ==
            200);

    auto denied = co.get("/api/desk/departments");
    REQUIRE(denied);
    CHECK(denied->status == 403);
    CHECK_THAT(body(denied)["error"].get<std::string>(), Contains("督办"));

    const json t = body(sup.get("/api/desk/departments"));
    REQUIRE(t["departments"].size() == 2);
    const json& city = t["departments"][0];  // the one with an overdue case comes first
    CHECK(city["department"] == "街道城管科");
    CHECK(city["cases"] == 2);
    CHECK(city["overdue"] == 1);
    CHECK(city["resolved"] == 1);
    CHECK(city["on_time"] == 1);
    CHECK(city["on_time_rate"] == 1.0);
    CHECK(city["visits"] == 2);
    CHECK(city["satisfied"] == 1);
    CHECK(city["satisfaction_rate"] == 0.5);
    const json& water = t["departments"][1];
    CHECK(water["department"] == "水务所");
    CHECK(water["cases"] == 1);
    CHECK(water["overdue"] == 0);

    // A period counts the cases received in it; overdue stays whatever the period.
    const json june = body(sup.get("/api/desk/departments?from=2026-06-01&to=2026-06-30"));
    CHECK(june["departments"][0]["department"] == "街道城管科");
    CHECK(june["departments"][0]["cases"] == 1);
    CHECK(june["departments"][0]["overdue"] == 1);
    CHECK(sup.get("/api/desk/departments?from=2026-06-30&to=2026-06-01")->status == 400);
    CHECK(sup.get("/api/desk/departments?from=junk")->status == 400);

    // A revoked visit counts nowhere: the 满意 visit revoked leaves the 不满意 one alone, for both
    // departments; a visit recorded again counts again.
    REQUIRE(act(sup, done, {{"action", "revoke"}, {"note", "回访记录有误"}}) == 200);
    const json revoked = body(sup.get("/api/desk/departments"));
    REQUIRE(revoked["departments"].size() == 2);
    for (const auto& d : revoked["departments"]) {
        INFO(d.dump());
        CHECK(d["visits"] == 1);
        CHECK(d["satisfied"] == 0);
        CHECK(d["satisfaction_rate"] == 0.0);
    }
    // (Now: the revoke was recorded now, and nothing may be recorded before it.)
    REQUIRE(act(co, done, {{"action", "visit"}, {"fields", {{"satisfied", "基本满意"}}}}) == 200);
    const json again = body(sup.get("/api/desk/departments"));
    for (const auto& d : again["departments"]) {
        INFO(d.dump());
        CHECK(d["visits"] == 2);
        CHECK(d["satisfied"] == 1);
    }
    // The tally kept with the case is what a replay of its events gives: verify holds.
    CHECK(body(sup.get("/api/audit/verify"))["ok"] == true);
}

TEST_CASE("api: reports, import and export, with their formats and statuses") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser co(srv.port()), sup(srv.port()), anon(srv.port());
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    REQUIRE(sup.sign_in("督办甲", "督办的密码1234")->status == 200);
    const std::string a = open_case(co, report_of("海福巷3号", "宋长松", "13812341234", "2026-03-02T09:00"));

    SECTION("typical write-ups: html, md and docx; refused (409) for a case not marked typical") {
        auto refused = co.get("/api/reports/typical?ids=" + a);
        CHECK(refused->status == 409);
        // In Chinese, and without the command line's syntax (the web has no `case do`).
        CHECK_THAT(body(refused)["error"].get<std::string>(), Contains("未被标记为典型事例"));
        CHECK_THAT(body(refused)["error"].get<std::string>(), !Contains("minsheng"));
        CHECK(co.get("/api/reports/typical")->status == 400);
        CHECK(co.get("/api/reports/typical?ids=2026-9999")->status == 404);
        REQUIRE(act(sup, a, {{"action", "mark-typical"}}) == 200);
        auto html = co.get("/api/reports/typical?ids=" + a + "&format=html");
        REQUIRE(html->status == 200);
        CHECK_THAT(html->get_header_value("Content-Type"), Contains("text/html"));
        CHECK_THAT(html->body, Contains("海福巷"));
        CHECK_THAT(html->body, !Contains("13812341234"));  // masked
        auto md = co.get("/api/reports/typical?ids=" + a + "&format=md");
        REQUIRE(md->status == 200);
        CHECK(md->body == run_minsheng({"--db", s.db, "report", "typical", a, "--format", "md"}).out);
        const std::string disposition = md->get_header_value("Content-Disposition");
        CHECK_THAT(disposition, Contains("attachment"));
        // Sent percent-encoded (RFC 5987); cpp-httplib's client decodes header values as it reads them.
        CHECK_THAT(disposition, Contains("filename*=UTF-8''典型事例.md"));
        auto docx = co.get("/api/reports/typical?ids=" + a + "&format=docx");
        REQUIRE(docx->status == 200);
        CHECK(docx->body.rfind("PK", 0) == 0);
        CHECK_THAT(docx->get_header_value("Content-Type"), Contains("wordprocessingml"));
        CHECK(co.get("/api/reports/typical?ids=" + a + "&format=pdf")->status == 400);
        CHECK(anon.get("/api/reports/typical?ids=" + a)->status == 401);
    }

    SECTION("the annual report: html, json, csv, docx") {
        auto j = co.get("/api/reports/annual?year=2026&format=json");
        REQUIRE(j->status == 200);
        CHECK(body(j)["year"] == 2026);
        CHECK(body(j)["cases"] == 1);
        auto html = co.get("/api/reports/annual?year=2026");
        REQUIRE(html->status == 200);
        CHECK_THAT(html->body, Contains("2026"));
        auto csv = co.get("/api/reports/annual?year=2026&format=csv");
        REQUIRE(csv->status == 200);
        CHECK_THAT(csv->get_header_value("Content-Type"), Contains("text/csv"));
        CHECK(csv->body ==
              run_minsheng({"--db", s.db, "report", "annual", "--year", "2026", "--format", "csv"}).out);
        auto docx = co.get("/api/reports/annual?year=2026&format=docx");
        REQUIRE(docx->status == 200);
        CHECK(docx->body.rfind("PK", 0) == 0);
        CHECK(co.get("/api/reports/annual?year=abc")->status == 400);
        CHECK(co.get("/api/reports/annual?year=2026&format=pdf")->status == 400);
    }

    SECTION("import: the dry run's plan writes nothing; a bad row is 409 listing it; then the import") {
        const std::string ledger =
            "受理时间,类别,地址,问题描述,反映人,联系电话\n"
            "2026-06-02 09:00,排水,海福巷3号,又堵了,李四,13900000000\n"
            "2026/06/03,道路,幸福路1号,路面塌陷,王五,13700000000\n";
        const long long before = event_count(s.db);
        auto no_csrf = co.c.Post("/api/import?dry_run=1", co.headers(false), ledger, "text/csv");
        CHECK(no_csrf->status == 403);
        auto dry = co.c.Post("/api/import?dry_run=1", co.headers(), ledger, "text/csv");
        REQUIRE(dry);
        INFO(dry->body);
        REQUIRE(dry->status == 200);
        const json plan = body(dry);
        CHECK(plan["dry_run"] == true);
        CHECK(plan["rows"] == 2);
        REQUIRE(plan["plan"].size() == 2);
        CHECK(plan["plan"][0]["line"] == 2);
        CHECK(plan["plan"][0]["repeat"] == true);
        CHECK(plan["plan"][0]["id"] == a);
        CHECK(plan["plan"][1]["repeat"] == false);
        CHECK(event_count(s.db) == before);

        auto bad =
            co.c.Post("/api/import", co.headers(), ledger + "2026-06-04,排水,,没有地址,赵六,1\n", "text/csv");
        REQUIRE(bad);
        CHECK(bad->status == 409);
        CHECK(body(bad)["problem_count"] == 1);
        CHECK_THAT(body(bad)["problems"][0].get<std::string>(), Contains("台账.csv:4"));
        CHECK(event_count(s.db) == before);
        auto unknown =
            co.c.Post("/api/import", co.headers(), "受理时间,类别,地址,问题描述,颜色\n", "text/csv");
        CHECK(unknown->status == 409);
        CHECK_THAT(body(unknown)["error"].get<std::string>(), Contains("颜色"));
        // The web's words: what a browser user does, never the command line's flags.
        CHECK_THAT(body(unknown)["error"].get<std::string>(), Contains("勾选“忽略不认识的列”"));
        CHECK_THAT(body(unknown)["error"].get<std::string>(), !Contains("--"));
        auto ignored =
            co.c.Post("/api/import?dry_run=1&ignore_unknown=1", co.headers(),
                      "受理时间,类别,地址,问题描述,颜色\n2026-06-04,排水,海福巷9号,堵,红\n", "text/csv");
        CHECK(ignored->status == 200);
        auto not_utf8 =
            co.c.Post("/api/import?dry_run=1", co.headers(),
                      "受理时间,类别,地址,问题描述,反映人\n2026-06-04,排水,海福巷9号,堵,\xD5\xC5\xC8\xFD\n",
                      "text/csv");
        CHECK(not_utf8->status == 409);
        const std::string not_utf8_problem = body(not_utf8)["problems"][0];
        CHECK_THAT(not_utf8_problem, Contains("台账.csv:2") && Contains("另存为“CSV UTF-8”"));
        CHECK_THAT(not_utf8_problem, !Contains("--"));
        auto future = co.c.Post("/api/import?dry_run=1", co.headers(),
                                "受理时间,类别,地址,问题描述\n2027-01-05,排水,海福巷9号,堵\n", "text/csv");
        CHECK(future->status == 409);
        const std::string future_problem = body(future)["problems"][0];
        CHECK_THAT(future_problem, Contains("在将来"));
        CHECK_THAT(future_problem, !Contains("--"));
        CHECK(co.c.Post("/api/import", co.headers(), "", "text/csv")->status == 400);

        auto done = co.c.Post("/api/import", co.headers(), ledger, "text/csv");
        REQUIRE(done->status == 200);
        CHECK(body(done)["cases"] == 1);
        CHECK(body(done)["repeats"] == 1);
        CHECK(body(co.get("/api/cases"))["total"] == 2);
        // Recorded as the signed-in person.
        const json imported =
            body(co.get("/api/cases?search=%E5%B9%B8%E7%A6%8F%E8%B7%AF1%E5%8F%B7"));  // 幸福路1号
        REQUIRE(imported["total"] == 1);
        CHECK(body(co.get("/api/cases/" +
                          imported["cases"][0]["id"].get<std::string>()))["history"][0]["actor"] == "王协调");
    }

    SECTION("export: csv with BOM and Chinese headers, xlsx, json; a Chinese-safe file name") {
        auto csv = co.get("/api/export?format=csv");
        REQUIRE(csv);
        REQUIRE(csv->status == 200);
        CHECK(csv->body.rfind("\xEF\xBB\xBF编号,", 0) == 0);
        CHECK_THAT(csv->body, Contains("海福巷3号"));
        CHECK_THAT(csv->get_header_value("Content-Type"), Contains("text/csv"));
        const std::string disposition = csv->get_header_value("Content-Disposition");
        CHECK_THAT(disposition, Contains("filename=\"ledger-2026-06-30.csv\""));
        CHECK_THAT(disposition, Contains("filename*=UTF-8''台账-2026-06-30.csv"));
        CHECK(csv->body == run_minsheng({"--db", s.db, "export", "--format", "csv"}).out);
        auto xlsx = co.get("/api/export?format=xlsx");
        REQUIRE(xlsx->status == 200);
        CHECK(xlsx->body.rfind("PK", 0) == 0);
        CHECK_THAT(xlsx->get_header_value("Content-Type"), Contains("spreadsheetml"));
        auto j = co.get("/api/export?format=json");
        REQUIRE(j->status == 200);
        CHECK(json::parse(j->body)[0]["id"] == a);
        CHECK(co.get("/api/export")->status == 200);  // csv by default
        CHECK(co.get("/api/export?format=pdf")->status == 400);
        CHECK(anon.get("/api/export?format=csv")->status == 401);
    }
}

TEST_CASE(
    "api: a write waiting too long for another program's lock answers 503 with its Chinese line, and "
    "writes nothing") {
    SignedStation s;
    Server srv(s.dir, s.db);
    Browser co(srv.port());
    co.c.set_read_timeout(60, 0);  // the server waits five seconds for the lock before it answers
    REQUIRE(co.sign_in("王协调", "协调员密码5678")->status == 200);
    open_case(co, report_of("海福巷3号", "宋长松", "13812341234", "2026-06-01T09:00"));

    // Another program takes the write lock and keeps it (as a long import or a stuck editor would).
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(s.db.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    const auto start = std::chrono::steady_clock::now();
    auto r = co.post("/api/cases", report_of("幸福路8号", "李大姐", "13900001111", "2026-06-02T09:00"));
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    REQUIRE(r);
    INFO(r->body);
    CHECK(r->status == 503);
    CHECK(r->get_header_value("Retry-After") == "1");
    const std::string error = body(r)["error"];
    CHECK_THAT(error, Contains("占用"));
    CHECK_THAT(error, !Contains("内部错误"));
    CHECK(waited >= 4.5);
    CHECK(waited < 30);

    // Nothing was written; with the lock gone the same report goes through.
    CHECK(body(co.get("/api/cases"))["total"] == 1);
    open_case(co, report_of("幸福路8号", "李大姐", "13900001111", "2026-06-02T09:00"));
    CHECK(body(co.get("/api/cases"))["total"] == 2);
    CHECK(run_minsheng({"--db", s.db, "audit", "verify"}).exit_code == 0);
}
