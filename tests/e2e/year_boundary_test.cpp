// The year boundary through the command line (SPEC deadline rules 6-8, Part 2 "Calendar beyond the published
// years"): every command that cannot decide because 2027 is missing refuses, naming the year and both ways
// out; `calendar provisional 2027` makes it computable and marked 暂定; loading the year's notice (an example
// file, demo/example-notice-2027.yaml, clearly not the official one) recomputes what depended on it and each
// affected case's history says so.
#include <nlohmann/json.hpp>

#include "prelude.h"

namespace {

const std::string kExampleNotice = std::string(MINSHENG_SOURCE_DIR) + "/demo/example-notice-2027.yaml";

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A refusal naming the missing year and both ways out, on one line, with nothing on stdout.
void check_year_refusal(const RunResult& r, bool stdout_may_have_known_part = false) {
    INFO(r.err);
    CHECK(r.exit_code == 3);
    CHECK(one_line(r.err));
    CHECK(has(r.err, "2027"));
    CHECK(has(r.err, "calendar load"));
    CHECK(has(r.err, "calendar provisional 2027"));
    if (!stdout_may_have_known_part) CHECK(r.out.empty());
}

struct Station {
    TempDir dir;
    std::string db = fresh_station(dir);

    RunResult run(const std::string& today, const std::string& actor, std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", db, "--as", actor, "--today", today});
        return run_minsheng(args);
    }
    RunResult coord(const std::string& today, std::vector<std::string> args) {
        return run(today, "王协调", std::move(args));
    }
    RunResult super(const std::string& today, std::vector<std::string> args) {
        return run(today, "督办甲", std::move(args));
    }
    std::string open(const std::string& at, const std::string& address,
                     const std::string& category = "road") {
        auto r =
            coord(at.substr(0, 10), {"--json", "case", "open", "--category", category, "--address", address,
                                     "--summary", "路面坑洼积水", "--reporter", "李秀英", "--at", at});
        REQUIRE(r.exit_code == 0);
        return json::parse(r.out)["id"];
    }
    void act(const std::string& today, std::vector<std::string> args) {
        auto r = coord(today, std::move(args));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    }
    json show(const std::string& today, const std::string& id) {
        auto r = coord(today, {"--json", "case", "show", id});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return json::parse(r.out);
    }
};

}  // namespace

TEST_CASE("with 2027 missing, every command that needs it refuses, naming the year and both ways out",
          "[e2e][year-boundary]") {
    Station st;
    const std::string late = st.open("2024-03-01T09:00", "海福巷5号");  // 800-odd working days late by 2027
    const std::string december = st.open("2026-12-15T09:00", "海福巷3号");  // deadline in January 2027
    const long long events = event_count(st.db);

    SECTION("in December: the deadline lies in 2027") {
        const std::string today = "2026-12-16";
        check_year_refusal(st.coord(today, {"case", "list"}));
        check_year_refusal(st.coord(today, {"--json", "case", "list"}));
        check_year_refusal(st.coord(today, {"audit", "due-soon"}));
        check_year_refusal(st.coord(today, {"--json", "audit", "due-soon"}));
        check_year_refusal(st.coord(today, {"export"}));
        check_year_refusal(st.coord(today, {"export", "--format", "json"}));
        // Decidable questions are still answered: nothing is overdue, and the late case is.
        auto r = st.coord(today, {"--json", "case", "list", "--overdue"});
        REQUIRE(r.exit_code == 0);
        REQUIRE(json::parse(r.out).size() == 1);
        CHECK(json::parse(r.out)[0]["id"] == late);
        // case show shows what it knows (received, the unknown deadline), then refuses.
        r = st.coord(today, {"case", "show", december});
        check_year_refusal(r, true);
        CHECK(has(r.out, "2026-12-15"));
        CHECK(has(r.out, "未知"));
        r = st.coord(today, {"--json", "case", "show", december});
        check_year_refusal(r, true);
        const json j = json::parse(r.out);
        CHECK(j["received_at"] == "2026-12-15T09:00:00");
        CHECK(j["deadline"].is_null());
        CHECK(j["working_days_left"].is_null());
        CHECK(j["overdue"] == false);  // known: every year up to today is covered
    }

    SECTION("in January: today itself lies in 2027") {
        const std::string today = "2027-01-04";
        check_year_refusal(st.coord(today, {"case", "list", "--overdue"}));
        check_year_refusal(st.coord(today, {"--json", "case", "list", "--overdue"}));
        check_year_refusal(st.coord(today, {"case", "list", "--category", "road"}));
        check_year_refusal(st.coord(today, {"audit", "overdue"}));
        check_year_refusal(st.coord(today, {"audit", "overdue", "--format", "json"}));
        check_year_refusal(st.coord(today, {"audit", "due-soon"}));
        check_year_refusal(st.coord(today, {"export"}));
        check_year_refusal(st.coord(today, {"report", "annual", "--year", "2027"}));
        check_year_refusal(st.coord(today, {"report", "annual", "--year", "2027", "--format", "json"}));
        // The late case: its deadline and "overdue" are known, its days overdue are not.
        auto r = st.coord(today, {"--json", "case", "show", late});
        check_year_refusal(r, true);
        const json j = json::parse(r.out);
        CHECK(j["deadline"] == "2024-03-29");
        CHECK(j["overdue"] == true);
        CHECK(j["working_days_overdue"].is_null());
        r = st.coord(today, {"case", "show", late});
        check_year_refusal(r, true);
        CHECK(has(r.out, "2024-03-29"));
        // An audit of a past date that needs no 2027 still answers.
        r = st.coord(today, {"audit", "overdue", "--as-of", "2026-06-30"});
        CHECK(r.exit_code == 0);
        CHECK(has(r.out, late));
    }

    SECTION("a typical write-up of a case resolved in the missing year refuses") {
        st.act("2027-01-08",
               {"case", "do", december, "dispatch", "--department", "市政部门", "--at", "2026-12-16T10:00"});
        st.act("2027-01-08", {"case", "do", december, "resolve", "--set", "root_cause=路基沉降", "--at",
                              "2027-01-08T10:00"});
        REQUIRE(st.super("2027-01-08", {"case", "do", december, "mark-typical", "--at", "2027-01-08T11:00"})
                    .exit_code == 0);
        check_year_refusal(st.coord("2027-01-08", {"report", "typical", december}));
        check_year_refusal(st.coord("2027-01-08", {"report", "typical", december, "--format", "html"}));
    }

    SECTION("refusals write nothing") {
        st.coord("2027-01-04", {"case", "list", "--overdue"});
        st.coord("2026-12-16", {"export"});
        CHECK(event_count(st.db) == events);
    }
}

TEST_CASE("calendar provisional: supervisors only, an event in the log, refused where it makes no sense",
          "[e2e][year-boundary]") {
    Station st;
    const std::string id = st.open("2026-12-15T09:00", "海福巷3号");
    const long long events = event_count(st.db);

    auto r = st.coord("2026-12-16", {"calendar", "provisional", "2027"});
    CHECK(r.exit_code == 4);
    CHECK(one_line(r.err));
    CHECK(event_count(st.db) == events);

    r = st.super("2026-12-16", {"--json", "calendar", "provisional", "2027"});
    REQUIRE(r.exit_code == 0);
    CHECK(json::parse(r.out)["cases_changed"] == 1);
    CHECK(event_count(st.db) == events + 2);  // the station's event and the case's recompute
    CHECK(audit_verify_json(st.db)["ok"] == true);

    // Now computable and marked.
    json c = st.show("2026-12-16", id);
    CHECK(c["deadline"] == "2027-01-13");
    CHECK(c["deadline_provisional"] == true);
    CHECK(c["working_days_left"] == 19);
    r = st.coord("2026-12-16", {"case", "list"});
    REQUIRE(r.exit_code == 0);
    CHECK(has(r.out, "2027-01-13（暂定）"));
    r = st.coord("2026-12-16", {"case", "history", id});
    CHECK(has(r.out, "期限重算"));  // SPEC Part 2: the history names actions by label
    r = st.coord("2026-12-16", {"case", "show", id});
    CHECK(has(r.out, "未知 → 2027-01-13（暂定）"));
    r = st.coord("2026-12-16", {"--json", "calendar", "info", "2027-02-09"});
    REQUIRE(r.exit_code == 0);
    CHECK(json::parse(r.out) == json{{"date", "2027-02-09"},
                                     {"working_day", false},
                                     {"name", "春节补假"},
                                     {"provisional", true},
                                     {"covered_until", "2027-12-31"}});
    r = st.coord("2026-12-16", {"--json", "calendar", "info", "2026-06-01"});
    CHECK(json::parse(r.out)["provisional"] == false);
    r = st.coord("2026-12-16", {"calendar", "list"});
    CHECK(has(r.out, "暂定"));

    // Twice, an official year, a year past the anchors: refused, nothing written.
    const long long now = event_count(st.db);
    for (const char* year : {"2027", "2026", "2061"}) {
        r = st.super("2026-12-16", {"calendar", "provisional", year});
        INFO(year << ": " << r.err);
        CHECK(r.exit_code == 3);
        CHECK(one_line(r.err));
    }
    CHECK(event_count(st.db) == now);
}

TEST_CASE("the year's notice replaces the provisional year and recomputes what depended on it",
          "[e2e][year-boundary]") {
    Station st;
    REQUIRE(st.super("2026-12-01", {"calendar", "provisional", "2027"}).exit_code == 0);

    // Suspended across New Year (winter, no asphalt work) and resumed before 春节: the deadline crosses it.
    const std::string winter = st.open("2026-12-15T09:00", "海福巷3号");
    st.act("2027-01-08",
           {"case", "do", winter, "suspend", "--note", "冬季低温，无法施工", "--at", "2027-01-08T09:00"});
    st.act("2027-02-03", {"case", "do", winter, "resume", "--at", "2027-02-03T09:00"});
    CHECK(st.show("2027-02-03", winter)["deadline"] == "2027-02-12");

    // Reopened in the provisional year: the first round (2026) stays, the second moves.
    const std::string reopened = st.open("2026-11-02T09:00", "海福巷9号");
    st.act("2026-11-20",
           {"case", "do", reopened, "dispatch", "--department", "市政部门", "--at", "2026-11-02T10:00"});
    st.act("2026-11-20", {"case", "do", reopened, "resolve", "--set", "root_cause=排水坡度不足", "--at",
                          "2026-11-20T10:00"});
    st.act("2027-01-25",
           {"case", "do", reopened, "visit", "--set", "satisfied=no", "--at", "2027-01-25T10:00"});
    json c = st.show("2027-01-25", reopened);
    REQUIRE(c["rounds"].size() == 2);
    CHECK(c["rounds"][0]["on_time"] == true);
    CHECK(c["rounds"][0]["deadline_provisional"] == false);
    const std::string second_before = c["rounds"][1]["deadline"];
    CHECK(c["rounds"][1]["deadline_provisional"] == true);

    // Resolved while its deadline was provisional: late by the provisional year (2/23), on time by the
    // notice (2/24, the 春节 break longer and 2/20 a make-up Saturday).
    const std::string resolved = st.open("2027-01-20T09:00", "海福巷11号");
    CHECK(st.show("2027-01-20", resolved)["deadline"] == "2027-02-23");
    st.act("2027-02-24",
           {"case", "do", resolved, "dispatch", "--department", "市政部门", "--at", "2027-01-20T10:00"});
    st.act("2027-02-24",
           {"case", "do", resolved, "resolve", "--set", "root_cause=路基沉降", "--at", "2027-02-24T10:00"});
    c = st.show("2027-02-24", resolved);
    CHECK(c["rounds"][0]["on_time"] == false);

    // A case whose clock stays inside 2026 is not touched.
    const std::string untouched = st.open("2026-06-01T09:00", "海福巷13号");
    const long long untouched_events = st.show("2027-02-24", untouched)["history"].size();

    auto r = st.super("2027-02-24", {"--json", "calendar", "load", kExampleNotice});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json load = json::parse(r.out);
    CHECK(load["replaced_provisional"] == json::array({2027}));
    CHECK(load["cases_changed"] == 3);
    CHECK(audit_verify_json(st.db)["ok"] == true);

    c = st.show("2027-02-24", winter);
    CHECK(c["deadline"] == "2027-02-16");
    CHECK(c["deadline_provisional"] == false);
    r = st.coord("2027-02-24", {"case", "show", winter});
    CHECK(has(r.out, "2027-02-12（暂定） → 2027-02-16"));

    c = st.show("2027-02-24", reopened);
    CHECK(c["rounds"][0]["on_time"] == true);
    CHECK(c["rounds"][1]["deadline_provisional"] == false);
    CHECK(c["rounds"][1]["deadline"] != second_before);

    c = st.show("2027-02-24", resolved);
    CHECK(c["deadline"] == "2027-02-24");
    CHECK(c["rounds"][0]["on_time"] == true);
    r = st.coord("2027-02-24", {"case", "show", resolved});
    CHECK(has(r.out, "2027-02-23（暂定） 超时 → 2027-02-24 按时"));

    CHECK(st.show("2027-02-24", untouched)["history"].size() == static_cast<size_t>(untouched_events));
    r = st.coord("2027-02-24", {"calendar", "list"});
    CHECK_FALSE(has(r.out, "暂定"));
}

TEST_CASE("a year that contradicts itself is refused with FILE:LINE:COL and changes nothing",
          "[e2e][year-boundary]") {
    Station st;
    const long long events = event_count(st.db);
    const std::string both = st.dir.file("both.yaml");
    write_text(
        both,
        "years:\n  2027:\n    holidays:\n      - {date: 2027-01-01, name: 元旦}\n      - {date: 2027-02-06, "
        "name: 春节}\n    workdays:\n      - {date: 2027-02-06, name: 春节}\n");
    auto r = st.super("2026-12-16", {"calendar", "load", both});
    CHECK(r.exit_code == 3);
    CHECK(one_line(r.err));
    CHECK(has(r.err, both + ":7:"));
    const std::string outside = st.dir.file("outside.yaml");
    write_text(outside, "years:\n  2027:\n    holidays:\n      - {date: 2028-01-01, name: 元旦}\n");
    r = st.super("2026-12-16", {"calendar", "load", outside});
    CHECK(r.exit_code == 3);
    CHECK(has(r.err, outside + ":4:"));
    CHECK(event_count(st.db) == events);
    r = st.coord("2026-12-16", {"--json", "calendar", "info", "2027-01-04"});
    CHECK(r.exit_code == 3);
}

TEST_CASE("from 60 days before the year ends, the commands warn on stderr with both ways out",
          "[e2e][year-boundary]") {
    Station st;
    auto warned = [](const RunResult& r) {
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(one_line(r.err));
        CHECK(has(r.err, "2027"));
        CHECK(has(r.err, "calendar load"));
        CHECK(has(r.err, "calendar provisional 2027"));
    };
    auto r = st.coord("2026-10-30", {"case", "open", "--category", "road", "--address", "海福巷1号",
                                     "--summary", "路灯不亮", "--at", "2026-10-30T09:00"});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    warned(st.coord("2026-11-05", {"case", "open", "--category", "road", "--address", "海福巷2号",
                                   "--summary", "路灯不亮", "--at", "2026-11-05T09:00"}));
    warned(st.coord("2026-11-05", {"audit", "overdue"}));
    warned(st.coord("2026-11-05", {"audit", "due-soon"}));
    warned(st.coord("2026-11-05", {"report", "annual", "--year", "2026"}));
    // With 2027 provisional, the warning says the notice is still to be loaded.
    REQUIRE(st.super("2026-11-05", {"calendar", "provisional", "2027"}).exit_code == 0);
    r = st.coord("2026-11-06", {"audit", "overdue"});
    CHECK(r.exit_code == 0);
    CHECK(one_line(r.err));
    CHECK(has(r.err, "暂定"));
    CHECK(has(r.err, "calendar load"));
}

TEST_CASE("provisional deadlines are marked in the audit, the export and the reports",
          "[e2e][year-boundary]") {
    Station st;
    REQUIRE(st.super("2026-12-01", {"calendar", "provisional", "2027"}).exit_code == 0);
    const std::string id = st.open("2026-12-15T09:00", "海福巷3号");
    auto r = st.coord("2027-01-20", {"audit", "overdue"});
    REQUIRE(r.exit_code == 0);
    CHECK(has(r.out, "2027-01-13（暂定）"));
    r = st.coord("2027-01-20", {"--json", "audit", "overdue"});
    CHECK(json::parse(r.out)[0]["deadline_provisional"] == true);
    r = st.coord("2026-12-20", {"export"});
    REQUIRE(r.exit_code == 0);
    // SPEC Part 2: the export is the Chinese ledger; a provisional deadline says so in 办理期限.
    CHECK(has(r.out, "办理期限"));
    CHECK(has(r.out, ",2027-01-13（暂定）,"));
    st.act("2027-01-10",
           {"case", "do", id, "dispatch", "--department", "市政部门", "--at", "2026-12-15T10:00"});
    st.act("2027-01-10",
           {"case", "do", id, "resolve", "--set", "root_cause=路基沉降", "--at", "2027-01-10T10:00"});
    REQUIRE(
        st.super("2027-01-10", {"case", "do", id, "mark-typical", "--at", "2027-01-10T11:00"}).exit_code ==
        0);
    r = st.coord("2027-01-10", {"report", "typical", id});
    REQUIRE(r.exit_code == 0);
    CHECK(has(r.out, "暂定"));
    r = st.coord("2027-01-10", {"--json", "report", "annual", "--year", "2026"});
    REQUIRE(r.exit_code == 0);
    CHECK(json::parse(r.out)["provisional_deadlines"] == 1);
    r = st.coord("2027-01-10", {"report", "annual", "--year", "2026"});
    CHECK(has(r.out, "暂定日历"));
}
