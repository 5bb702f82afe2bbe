// The station's storage in-process: bulk import (counts, repeats inside one import, dry run, errors naming
// the line), batch transactions with a savepoint per write, what a transaction keeps in memory (the log's
// head, case numbers) staying right when another connection writes in between, and the forward migration
// from schema 1.

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "cli/shipped.h"
#include "engine/error.h"
#include "prelude.h"
#include "storage/schema.h"
#include "storage/schema4_copy.h"
#include "storage/sqlite.h"
#include "usecases/station.h"

using minsheng::ActionRequest;
using minsheng::ImportResult;
using minsheng::ImportRow;
using minsheng::Station;

namespace {

const std::string kNow = "2026-11-25T10:00:00";
const std::string kSupervisor = "督办甲";

std::string make_station(const TempDir& dir, const std::string& name = "s.db") {
    const std::string path = dir.file(name);
    minsheng::InitOptions o;
    o.workflows = minsheng::cli::shipped_workflows();
    o.calendar = minsheng::cli::shipped_calendar();
    o.supervisor = kSupervisor;
    Station::create(path, o, kNow);
    return path;
}

ImportRow row(int line, const std::string& category, const std::string& address, const std::string& at,
              const std::string& summary = "下水道堵塞") {
    ImportRow r;
    r.line = line;
    r.category = category;
    r.report.address = address;
    r.report.summary = summary;
    r.report.reporter = "张三";
    r.report.at = at;
    return r;
}

// A copy of the station at `path` in schema 4's layout, beside it, from which the older schemas' tests go
// further back by hand.
std::string schema4_copy(const TempDir& dir, const std::string& path) {
    const std::string old = dir.file("schema4.db");
    minsheng::test::write_schema4_copy(path, old,
                                       6);  // schema 4's layout with 5's index and 6's search tables
    return old;
}

minsheng::ReportInput report(const std::string& address, const std::string& summary, const std::string& at) {
    minsheng::ReportInput r;
    r.address = address;
    r.summary = summary;
    r.at = at;
    return r;
}

ImportResult import(Station& st, const std::vector<ImportRow>& rows, bool dry_run = false) {
    size_t i = 0;
    ImportResult result = st.import_reports(
        "ledger.csv",
        [&](ImportRow& r) {
            if (i == rows.size()) return false;
            r = rows[i++];
            return true;
        },
        kSupervisor, kNow, dry_run);
    // SPEC Part 2: the station lists every bad row instead of throwing at the first (nothing is written);
    // the first one is the refusal these tests expect.
    if (result.problem_count > 0) throw minsheng::refused(result.problems.front().text);
    return result;
}

// Rows of a table, read through a connection of the test's own (the station's is the store's).
std::int64_t count(const std::string& path, const char* table) {
    minsheng::sql::Db db(path, minsheng::sql::Db::Mode::ReadOnly);
    minsheng::sql::Stmt q(db, std::string("SELECT count(*) FROM ") + table);
    q.step();
    return q.integer(0);
}

ActionRequest action(const std::string& name, const std::string& at) {
    ActionRequest r;
    r.action = name;
    r.at = at;
    r.actor = kSupervisor;
    return r;
}

}  // namespace

TEST_CASE("import opens cases and attaches repeats, also to cases opened earlier in the same import") {
    TempDir dir;
    Station st(make_station(dir));
    const ImportResult r = import(st, {row(2, "drainage", "海福巷3号", "2024-03-05T09:00:00"),
                                       row(3, "排水/下水道", "海福巷 ３ 号", "2024-03-05T10:00:00", "又堵了"),
                                       row(4, "road", "海福巷3号", "2024-03-05T11:00:00"),
                                       row(5, " road ", "戎苑路1号", "2024-03-06T09:00:00")});
    CHECK(r.rows == 4);
    CHECK(r.cases == 3);
    CHECK(r.repeats == 1);
    CHECK(r.without_deadline == 0);
    const auto c = st.get_case("2024-0001");
    CHECK(c.repeat_count() == 1);
    CHECK(c.reporters.size() == 2);
    CHECK(c.reporters[1].summary == "又堵了");
    CHECK(st.get_case("2024-0003").category == "road");
    CHECK(st.verify().ok);
}

TEST_CASE("a dry run counts exactly and writes nothing") {
    TempDir dir;
    Station st(make_station(dir));
    const std::vector<ImportRow> rows = {row(2, "drainage", "海福巷3号", "2024-03-05T09:00:00"),
                                         row(3, "drainage", "海福巷3号", "2024-03-05T10:00:00")};
    const ImportResult dry = import(st, rows, true);
    CHECK(dry.cases == 1);
    CHECK(dry.repeats == 1);
    CHECK(count(dir.file("s.db"), "events") == 0);
    CHECK(count(dir.file("s.db"), "cases") == 0);
    // Case numbers were not used up by the dry run.
    import(st, rows);
    CHECK(st.get_case("2024-0001").repeat_count() == 1);
    CHECK(st.verify().ok);
}

TEST_CASE("the first bad row rejects the whole import, naming its line") {
    TempDir dir;
    Station st(make_station(dir));
    import(st, {row(2, "drainage", "旧案1号", "2024-01-02T09:00:00")});
    const auto events = count(dir.file("s.db"), "events");
    struct Bad {
        ImportRow row;
        const char* message;
    };
    const std::vector<Bad> bads = {
        {row(7, "水电", "某路1号", "2024-03-05T09:00:00"), "ledger.csv:7: 未知的类别「水电」"},
        {row(7, "road", "  ", "2024-03-05T09:00:00"), "ledger.csv:7: 地址是空的"},
        {row(7, "drainage", "旧案1号", "2024-01-01T09:00:00"), "ledger.csv:7: 反映时间"},
    };
    for (const auto& bad : bads) {
        try {
            import(st, {row(2, "drainage", "新案1号", "2024-03-05T08:00:00"), bad.row});
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::Refused);
            CHECK_THAT(e.what(), Catch::Matchers::StartsWith(bad.message));
        }
        CHECK(count(dir.file("s.db"), "events") == events);
        CHECK(count(dir.file("s.db"), "cases") == 1);
    }
    // An error thrown by the row source itself comes through unchanged, and rolls back too.
    size_t calls = 0;
    CHECK_THROWS_WITH(st.import_reports(
                          "x.csv",
                          [&](ImportRow& r) {
                              if (calls++ == 0) {
                                  r = row(2, "drainage", "新案2号", "2024-03-05T08:00:00");
                                  return true;
                              }
                              throw minsheng::refused("x.csv:9: malformed");
                          },
                          kSupervisor, kNow, false),
                      "x.csv:9: malformed");
    CHECK(count(dir.file("s.db"), "events") == events);
    CHECK(st.verify().ok);
}

TEST_CASE("only registered staff import") {
    TempDir dir;
    Station st(make_station(dir));
    try {
        st.import_reports(
            "l.csv", [](ImportRow&) { return false; }, "路人", kNow, false);
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotAllowed);
    }
}

TEST_CASE("a batch commits its writes together, and a refused write inside it undoes only itself") {
    TempDir dir;
    Station st(make_station(dir));
    import(st, {row(2, "drainage", "海福巷3号", "2024-03-05T09:00:00"),
                row(3, "road", "戎苑路1号", "2024-03-05T10:00:00")});
    st.batch([&] {
        ActionRequest d = action("dispatch", "2024-03-05T11:00:00");
        d.departments = {"街道城管科"};
        st.do_action("2024-0001", d, d.at, kNow);
        // Refused (resolve needs a dispatch first on road): undone alone, the batch goes on.
        CHECK_THROWS_AS(st.do_action("2024-0002", action("visit", "2024-03-05T12:00:00"), "", kNow), Error);
        st.do_action(
            "2024-0002",
            [] {
                ActionRequest r = action("reject", "2024-03-05T12:30:00");
                r.note = "不属于本站";
                return r;
            }(),
            "", kNow);
    });
    CHECK(st.get_case("2024-0001").phase == minsheng::Phase::Coordination);
    CHECK(st.get_case("2024-0002").phase == minsheng::Phase::Rejected);
    CHECK(st.verify().ok);

    // A batch whose body throws leaves nothing behind.
    const auto events = count(dir.file("s.db"), "events");
    CHECK_THROWS(st.batch([&] {
        ActionRequest n = action("note", "2024-03-06T09:00:00");
        n.note = "补充";
        st.do_action("2024-0001", n, "", kNow);
        throw std::runtime_error("stop");
    }));
    CHECK(count(dir.file("s.db"), "events") == events);
    CHECK(st.verify().ok);
}

TEST_CASE("what a transaction keeps in memory stays right when another connection writes in between") {
    TempDir dir;
    const std::string path = make_station(dir);
    Station a(path), b(path);
    import(a, {row(2, "drainage", "海福巷3号", "2024-03-05T09:00:00")});
    import(b, {row(2, "road", "戎苑路1号", "2024-03-05T10:00:00")});
    import(a, {row(2, "sanitation", "清凉门大街1号", "2024-03-05T11:00:00")});
    ActionRequest n = action("note", "2024-03-06T09:00:00");
    n.note = "补充";
    b.do_action("2024-0001", n, "", kNow);
    a.do_action("2024-0002", n, "", kNow);
    CHECK(a.get_case("2024-0003").category == "sanitation");  // numbers were not reused
    CHECK(count(path, "cases") == 3);
    const auto v = b.verify();
    CHECK(v.ok);
    CHECK(v.events == 5);
}

TEST_CASE("a schema-1 station is migrated forward on open and keeps working") {
    TempDir dir;
    std::string path = make_station(dir);
    {
        Station st(path);
        import(st, {row(2, "drainage", "海福巷3号", "2024-03-05T09:00:00"),
                    row(3, "road", "戎苑路1号", "2024-03-05T10:00:00")});
    }
    // Take the file back to schema 1 as the first release wrote it: schema 4's layout, then less.
    path = schema4_copy(dir, path);
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        const char* down =
            "DROP INDEX cases_by_address_key; "
            "DROP TABLE case_search; DROP TABLE case_search_rows; DROP TABLE case_phones; DROP TABLE "
            "case_actors; "
            "ALTER TABLE workflows DROP COLUMN initial_step; ALTER TABLE workflows DROP COLUMN description; "
            "DROP TABLE workflow_steps; DROP INDEX cases_open_by_address; ALTER TABLE cases DROP COLUMN "
            "address_hash; CREATE INDEX cases_open_by_address ON cases (category, address_key) WHERE phase "
            "IN "
            "('intake', 'coordination', 'follow_up'); ALTER TABLE calendar_years DROP COLUMN provisional; "
            "PRAGMA user_version = 1;";
        char* err = nullptr;
        REQUIRE(sqlite3_exec(db, down, nullptr, nullptr, &err) == SQLITE_OK);
        sqlite3_close(db);
    }
    Station st(path);
    CHECK(st.verify().ok);  // address_hash was filled in for the existing cases
    minsheng::sql::Db raw(path, minsheng::sql::Db::Mode::ReadOnly);
    minsheng::sql::Stmt v(raw, "PRAGMA user_version");
    v.step();
    CHECK(v.integer(0) == minsheng::schema_version());
    CHECK(count(path, "workflow_steps") > 0);
    minsheng::sql::Stmt unfilled(raw, "SELECT count(*) FROM workflows WHERE initial_step = ''");
    unfilled.step();
    CHECK(unfilled.integer(0) == 0);  // each workflow's first step was filled in from its YAML
    // Repeat matching works on the migrated index.
    const auto res = st.open_case("drainage", report("海福巷 3 号", "又堵了", "2024-03-06T09:00:00"), false,
                                  kSupervisor, kNow);
    CHECK(res.repeat);
    CHECK(res.id == "2024-0001");
    CHECK(st.workflow_label(st.get_case("2024-0002")) == "受理登记");
    // A new case opens on its workflow's first step, read from the migrated column.
    const auto opened =
        st.open_case("road", report("戎苑路2号", "路面坑洼", "2024-03-06T10:00:00"), true, kSupervisor, kNow);
    CHECK_FALSE(opened.repeat);
    CHECK(st.get_case(opened.id).step == st.workflow("road").initial_step().id);
    CHECK(st.verify().ok);
}

TEST_CASE("a schema-2 station gets each workflow's first step and description stored on open") {
    TempDir dir;
    const std::string path = schema4_copy(dir, make_station(dir));
    minsheng::test::sql_exec(
        path,
        "DROP INDEX cases_by_address_key; DROP TABLE case_search; DROP TABLE case_search_rows; DROP TABLE "
        "case_phones; DROP TABLE "
        "case_actors; "
        "ALTER TABLE workflows DROP COLUMN initial_step; ALTER TABLE workflows DROP COLUMN "
        "description; ALTER TABLE calendar_years DROP COLUMN provisional; PRAGMA user_version = 2;");
    Station st(path);
    minsheng::sql::Db raw(path, minsheng::sql::Db::Mode::ReadOnly);
    minsheng::sql::Stmt v(raw, "PRAGMA user_version");
    v.step();
    CHECK(v.integer(0) == minsheng::schema_version());
    minsheng::sql::Stmt steps(raw,
                              "SELECT category, initial_step, description FROM workflows ORDER BY category");
    int n = 0;
    while (steps.step()) {
        ++n;
        const minsheng::Workflow& w = st.workflow(steps.text(0));
        CHECK(steps.text(1) == w.initial_step().id);
        CHECK_FALSE(steps.text(2).empty());
        CHECK(steps.text(2) == w.description);
    }
    CHECK(n == 5);
}

TEST_CASE("a new case opens on the first step of its category's latest workflow version") {
    TempDir dir;
    const std::string path = make_station(dir);
    Station st(path);
    const auto before = st.open_case("general", report("戎苑路1号", "路灯不亮", "2024-03-05T09:00:00"), true,
                                     kSupervisor, kNow);

    // Version 2 of `general` names its first step differently.
    std::string v2;
    for (const auto& f : minsheng::cli::shipped_workflows())
        if (f.text.find("category: general") != std::string::npos) v2 = f.text;
    REQUIRE_FALSE(v2.empty());
    v2.replace(v2.find("version: 1"), 10, "version: 2");
    for (std::size_t at = v2.find("received"); at != std::string::npos; at = v2.find("received", at + 1))
        if (v2[at + 8] != '_') v2.replace(at, 8, "registered");  // the step, not write_up's received_date
    st.load_workflows({{"general-v2.yaml", v2}}, kSupervisor, kNow);

    const auto after = st.open_case("general", report("戎苑路2号", "路灯不亮", "2024-03-05T09:00:00"), true,
                                    kSupervisor, kNow);
    const auto opened = st.get_case(after.id);
    CHECK(opened.step == "registered");
    CHECK(opened.workflow_version == 2);
    // The case opened under version 1 keeps its version and step.
    const auto older = st.get_case(before.id);
    CHECK(older.step == "received");
    CHECK(older.workflow_version == 1);
    CHECK(st.verify().ok);
}

TEST_CASE("a schema-3 station is upgraded: calendar years gain the provisional flag, old messages rebuilt") {
    TempDir dir;
    std::string path = make_station(dir);
    {
        Station st(path);
        st.open_case("drainage", report("海福巷3号", "下水道堵塞", "2026-12-20T09:00:00"), false, kSupervisor,
                     kNow);
    }
    // As schema 3 left it: no provisional column, and the calendar's message in English in the projection.
    path = schema4_copy(dir, path);
    minsheng::test::sql_exec(
        path,
        "UPDATE cases SET state = json_set(state, '$.deadline_problem', 'the working-day calendar has no "
        "data "
        "for 2027; load it with `minsheng calendar load FILE`'); ALTER TABLE calendar_years DROP COLUMN "
        "provisional; DROP INDEX cases_by_address_key; DROP TABLE case_search; DROP TABLE case_search_rows; "
        "DROP TABLE case_phones; "
        "DROP TABLE case_actors; PRAGMA user_version = 3;");
    Station st(path);
    CHECK(st.verify().ok);
    const std::string problem = st.get_case("2026-0001").deadline_problem;
    CHECK(problem.find("calendar provisional 2027") != std::string::npos);
    CHECK(st.calendar_years().size() == 4);
    CHECK_FALSE(st.calendar_years().back().provisional);
}

namespace {

// A station of a few hundred cases of every category, many received at the same second (so the id decides
// their order), a third dispatched to one or two departments, some rejected.
std::string generated_station(const TempDir& dir) {
    const std::string path = make_station(dir);
    Station st(path);
    const std::vector<std::string> categories = {"drainage", "road", "sanitation", "general"};
    std::vector<ImportRow> rows;
    for (int i = 0; i < 240; ++i) {
        const std::string at = "2024-03-" + std::string(i % 20 < 9 ? "0" : "") + std::to_string(i % 20 + 1) +
                               "T0" + std::to_string(i % 3 + 7) + ":00:00";
        rows.push_back(
            row(i + 2, categories[static_cast<size_t>(i * 7 % 4)], "生成路" + std::to_string(i) + "号", at));
    }
    import(st, rows);
    const std::vector<std::string> departments = {"街道城管科", "市政部门", "社区居委会"};
    int n = 0;
    st.batch([&] {
        for (int i = 1; i <= 240; ++i) {
            const std::string id = "2024-" +
                                   std::string(i < 10    ? "000"
                                               : i < 100 ? "00"
                                                         : "0") +
                                   std::to_string(i);
            if (i % 3 == 0) {
                ActionRequest d = action("dispatch", "2024-03-25T11:00:00");
                d.departments = {departments[static_cast<size_t>(i / 3 % 3)]};
                if (i % 2 == 0) d.departments.push_back(departments[static_cast<size_t>((i / 3 + 1) % 3)]);
                try {
                    st.do_action(id, d, d.at, kNow);
                    ++n;
                } catch (const Error&) {
                }
            } else if (i % 7 == 0) {
                ActionRequest r = action("reject", "2024-03-25T12:00:00");
                r.note = "不属于本站";
                st.do_action(id, r, r.at, kNow);
            }
        }
    });
    REQUIRE(n > 40);
    return path;
}

// The ids a filter lists, in order, beside those a full scan keeps when tested case by case.
void check_filters_match_full_scan(Station& st) {
    const minsheng::Date today = minsheng::parse_date("2024-04-30");
    std::vector<minsheng::CaseState> all;
    st.list_cases({}, today,
                  [&](const minsheng::CaseState& c, const minsheng::ClockView&) { all.push_back(c); });
    REQUIRE(all.size() == 240);
    auto listed = [&](const minsheng::CaseFilter& f) {
        std::vector<std::string> ids;
        st.list_cases(f, today,
                      [&](const minsheng::CaseState& c, const minsheng::ClockView&) { ids.push_back(c.id); });
        return ids;
    };
    auto kept = [&](const std::function<bool(const minsheng::CaseState&)>& keep) {
        std::vector<std::string> ids;
        for (const auto& c : all)
            if (keep(c)) ids.push_back(c.id);
        return ids;
    };
    auto has_department = [](const minsheng::CaseState& c, const std::string& d) {
        const auto ds = c.departments();
        return std::find(ds.begin(), ds.end(), d) != ds.end();
    };
    int nonempty = 0;
    for (const std::string category : {"drainage", "road", "sanitation", "general", "dibao"}) {
        minsheng::CaseFilter f;
        f.category = category;
        const auto want = kept([&](const minsheng::CaseState& c) { return c.category == category; });
        CAPTURE(category);
        CHECK(listed(f) == want);
        nonempty += !want.empty();
        for (const std::string department : {"街道城管科", "市政部门", "社区居委会"}) {
            f.department = department;
            CAPTURE(department);
            CHECK(listed(f) == kept([&](const minsheng::CaseState& c) {
                      return c.category == category && has_department(c, department);
                  }));
        }
    }
    for (const std::string department : {"街道城管科", "市政部门", "社区居委会", "无此部门"}) {
        minsheng::CaseFilter f;
        f.department = department;
        const auto want = kept([&](const minsheng::CaseState& c) { return has_department(c, department); });
        CAPTURE(department);
        CHECK(listed(f) == want);
        nonempty += !want.empty();
    }
    for (const auto phase : {minsheng::Phase::Intake, minsheng::Phase::Coordination,
                             minsheng::Phase::Rejected, minsheng::Phase::Closed}) {
        minsheng::CaseFilter f;
        f.phase = phase;
        const auto want = kept([&](const minsheng::CaseState& c) { return c.phase == phase; });
        CAPTURE(minsheng::phase_name(phase));
        CHECK(listed(f) == want);
        nonempty += !want.empty();
        f.category = "road";
        f.department = "市政部门";
        CHECK(listed(f) == kept([&](const minsheng::CaseState& c) {
                  return c.phase == phase && c.category == "road" && has_department(c, "市政部门");
              }));
    }
    CHECK(nonempty >= 10);  // the filters were tested on real answers, not only on empty ones
}

}  // namespace

TEST_CASE("the category, phase and department filters list exactly the rows a full scan finds, in order",
          "[storage][index]") {
    TempDir dir;
    Station st(generated_station(dir));
    check_filters_match_full_scan(st);
}

TEST_CASE("a schema-8 station gains the filter indexes (migration 9), verifies and lists the same") {
    TempDir dir;
    const std::string path = generated_station(dir);
    minsheng::test::sql_exec(path, minsheng::test::back_to_schema(8));
    Station st(path);
    {
        minsheng::sql::Db raw(path, minsheng::sql::Db::Mode::ReadOnly);
        minsheng::sql::Stmt v(raw, "PRAGMA user_version");
        v.step();
        CHECK(v.integer(0) == minsheng::schema_version());
        minsheng::sql::Stmt made(raw,
                                 "SELECT count(*) FROM sqlite_master WHERE name IN ('cases_by_category', "
                                 "'cases_by_phase')");
        made.step();
        CHECK(made.integer(0) == 2);
    }
    CHECK(st.verify().ok);
    check_filters_match_full_scan(st);
}

TEST_CASE(
    "an import writes the search index at its end: repeats of old and new cases are found by their "
    "last text, once") {
    TempDir dir;
    const std::string path = make_station(dir);
    Station st(path);
    import(st, {row(2, "drainage", "海福巷3号", "2024-03-05T09:00:00")});
    auto with_reporter = [](ImportRow r, const std::string& name, const std::string& phone) {
        r.report.reporter = name;
        r.report.phone = phone;
        return r;
    };
    // A repeat of the case of the first import, a new case and two repeats of it, another new case.
    import(st, {with_reporter(row(2, "drainage", "海福巷3号", "2024-03-06T09:00:00", "又堵了"), "欧阳明月",
                              "13800138001"),
                row(3, "road", "戎苑路1号", "2024-03-06T10:00:00"),
                with_reporter(row(4, "road", "戎苑路1号", "2024-03-06T11:00:00", "还没修"), "司马长风",
                              "13900139002"),
                with_reporter(row(5, "road", "戎苑路1号", "2024-03-06T12:00:00", "更坏了"), "诸葛清泉",
                              "13700137003"),
                row(6, "sanitation", "清凉门大街1号", "2024-03-06T13:00:00")});
    const minsheng::Date today = minsheng::parse_date("2024-03-30");
    auto found = [&](const std::string& text) {
        minsheng::CaseFilter f;
        f.search = text;
        std::vector<std::string> ids;
        st.list_cases(f, today,
                      [&](const minsheng::CaseState& c, const minsheng::ClockView&) { ids.push_back(c.id); });
        return ids;
    };
    CHECK(found("欧阳明月") == std::vector<std::string>{"2024-0001"});
    CHECK(found("海福巷") == std::vector<std::string>{"2024-0001"});
    CHECK(found("司马长风") == std::vector<std::string>{"2024-0002"});
    CHECK(found("诸葛清泉") == std::vector<std::string>{"2024-0002"});
    CHECK(found("清凉门") == std::vector<std::string>{"2024-0003"});
    CHECK(found("13700137003") == std::vector<std::string>{"2024-0002"});
    CHECK(count(path, "case_search") == 3);
    minsheng::test::sql_exec(path, "INSERT INTO case_search (case_search) VALUES ('integrity-check')");
    // A dry run and a refused import leave the index as it was.
    import(st, {with_reporter(row(2, "drainage", "海福巷3号", "2024-03-07T09:00:00"), "上官飞燕", "")}, true);
    CHECK(found("上官飞燕").empty());
    CHECK(found("欧阳明月") == std::vector<std::string>{"2024-0001"});
    CHECK(st.verify().ok);
}
