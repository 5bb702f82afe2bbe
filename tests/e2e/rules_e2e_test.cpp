// Issue 14 through the command line: rules that hold. No bypass of a guard through --set, only visits count
// as visits, no --at in the future, --out writes only a regular file, CSV cells never become formulas,
// a damaged schema is named, and names are checked wherever they come from.
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prelude.h"

namespace fs = std::filesystem;

namespace {

const std::string kSupervisor = "督办甲";
const std::string kCoordinator = "王协调";

struct Station {
    TempDir dir;
    std::string db = fresh_station(dir);

    RunResult as(const std::string& actor, std::vector<std::string> args,
                 const std::string& today = "2023-08-20") {
        std::vector<std::string> all = {"--db", db, "--as", actor};
        if (!today.empty()) all.insert(all.end(), {"--today", today});
        all.insert(all.end(), args.begin(), args.end());
        // No date: the wall clock's (an empty MINSHENG_TODAY keeps run_minsheng's fixed test day out).
        return today.empty() ? run_minsheng(all, {"MINSHENG_TODAY="}) : run_minsheng(all);
    }
    RunResult ok(const std::string& actor, std::vector<std::string> args,
                 const std::string& today = "2023-08-20") {
        RunResult r = as(actor, std::move(args), today);
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        return r;
    }
    std::string open(const std::string& category, const std::string& address, const std::string& at,
                     const std::string& reporter = "张桂芳") {
        const json j =
            ok_json(as(kCoordinator,
                       {"--json", "case", "open", "--category", category, "--address", address, "--summary",
                        "下水道堵塞", "--reporter", reporter, "--phone", "13851234567", "--at", at}));
        return j.at("id").get<std::string>();
    }
    json show(const std::string& id) {
        return ok_json(run_minsheng({"--db", db, "--today", "2023-08-20", "--json", "case", "show", id}));
    }
};

// A refused command: the exit code, one line on stderr, nothing on stdout, the log unchanged.
void check_refused(Station& st, const RunResult& r, int code, long long events_before) {
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == code);
    CHECK(one_line(r.err));
    CHECK(r.out.empty());
    CHECK(event_count(st.db) == events_before);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// 1. Guards bypassed through --set.

TEST_CASE("a 低保 case with hukou elsewhere cannot approve its own exception through --set", "[e2e][set]") {
    Station st;
    const std::string id = st.open("dibao", "海福巷71号", "2023-08-01T09:00");
    st.ok(kCoordinator, {"case", "do", id, "dispatch", "--department", "社区民政", "--set",
                         "hukou_elsewhere=yes", "--at", "2023-08-01T10:00"});
    const long long before = event_count(st.db);
    for (const auto& actor : {kCoordinator, kSupervisor}) {
        CAPTURE(actor);
        const RunResult r = st.as(actor, {"case", "do", id, "resolve", "--set", "root_cause=人户分离",
                                          "--set", "exception_approved=yes", "--at", "2023-08-15T10:00"});
        check_refused(st, r, 3, before);
        CHECK(r.err.find("exception_approved") != std::string::npos);
        CHECK(r.err.find("approve-exception") != std::string::npos);
    }
    // On any other action as well: a note or a dispatch cannot record the approval either.
    for (const char* action : {"note", "dispatch", "coordinate"}) {
        CAPTURE(action);
        const RunResult r =
            st.as(kSupervisor, {"case", "do", id, action, "--department", "社区民政", "--note", "x", "--set",
                                "exception_approved=yes", "--at", "2023-08-15T10:00"});
        check_refused(st, r, 3, before);
        CHECK(r.err.find("approve-exception") != std::string::npos);
    }
    CHECK(st.show(id)["fields"].count("exception_approved") == 0);
    // The real approval still works, and then resolve does.
    st.ok(kSupervisor,
          {"case", "do", id, "approve-exception", "--note", "特事特办", "--at", "2023-08-15T10:00"});
    st.ok(kCoordinator,
          {"case", "do", id, "resolve", "--set", "root_cause=人户分离", "--at", "2023-08-15T11:00"});
}

TEST_CASE("a counter given with --set is refused, so a repeated or reopened case still needs its root cause",
          "[e2e][set]") {
    Station st;
    const std::string id = st.open("drainage", "海福巷3号", "2023-06-05T09:00");
    st.open("drainage", "海福巷3号", "2023-06-06T09:00", "李秀英");  // a repeat report
    st.ok(kCoordinator,
          {"case", "do", id, "dispatch", "--department", "街道城管科", "--at", "2023-06-06T10:00"});
    const long long before = event_count(st.db);
    for (const char* counter : {"repeat_count=0", "reopen_count=0", "escalation_level=0", "departments=0"}) {
        CAPTURE(counter);
        const RunResult r =
            st.as(kCoordinator, {"case", "do", id, "resolve", "--set", counter, "--at", "2023-06-07T10:00"});
        check_refused(st, r, 3, before);
        const std::string name = std::string(counter).substr(0, std::string(counter).find('='));
        CHECK(r.err.find(name) != std::string::npos);
    }
    // Nor can the counter be planted by another action first.
    check_refused(st,
                  st.as(kCoordinator, {"case", "do", id, "note", "--note", "x", "--set", "repeat_count=0",
                                       "--at", "2023-06-07T10:00"}),
                  3, before);
    const RunResult r = st.as(kCoordinator, {"case", "do", id, "resolve", "--at", "2023-06-07T10:00"});
    check_refused(st, r, 3, before);
    CHECK(r.err.find("root_cause") != std::string::npos);
    st.ok(kCoordinator,
          {"case", "do", id, "resolve", "--set", "root_cause=主管道淤堵", "--at", "2023-06-07T10:00"});
}

TEST_CASE("a field the action does not declare is refused with --set and declared ones are taken",
          "[e2e][set]") {
    Station st;
    const std::string id = st.open("drainage", "海福巷3号", "2023-06-05T09:00");
    const long long before = event_count(st.db);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"note", "--note", "x", "--set", "satisfied=yes"},
             {"dispatch", "--department", "街道城管科", "--set", "root_cause=x"},
             {"note", "--note", "x", "--set", "days=5"},
             {"note", "--note", "x", "--set", "hukou_elsewhere=yes"}}) {
        std::vector<std::string> all = {"case", "do", id};
        all.insert(all.end(), args.begin(), args.end());
        all.insert(all.end(), {"--at", "2023-06-05T10:00"});
        CAPTURE(args);
        const RunResult r = st.as(kCoordinator, all);
        check_refused(st, r, 3, before);
        CHECK(r.err.find("--set") != std::string::npos);
    }
    st.ok(kCoordinator, {"case", "do", id, "note", "--note", "无物业", "--set", "no_property=yes", "--set",
                         "elderly=yes", "--at", "2023-06-05T10:00"});
    CHECK(st.show(id)["fields"]["no_property"] == "yes");
}

// ---------------------------------------------------------------------------------------------------------
// 2. Only visits count as visits.

TEST_CASE("only visit events count as visits in the annual report", "[e2e][report]") {
    Station st;
    const std::string id = st.open("drainage", "海福巷3号", "2023-06-05T09:00");
    st.ok(kCoordinator,
          {"case", "do", id, "dispatch", "--department", "街道城管科", "--at", "2023-06-05T10:00"});
    // Planted behind the program's back the way an older build let it through: note events carrying
    // satisfied=yes. They are no visits.
    for (int i = 0; i < 5; ++i)
        st.ok(kCoordinator, {"case", "do", id, "note", "--note", "电话联系", "--at", "2023-06-06T10:00"});
    sql_exec(st.db,
             "UPDATE events SET data = json_set(data, '$.set', json('{\"satisfied\":\"yes\"}')) "
             "WHERE action = 'note'");
    st.ok(kCoordinator, {"case", "do", id, "resolve", "--at", "2023-06-07T10:00"});
    st.ok(kCoordinator, {"case", "do", id, "visit", "--set", "satisfied=no", "--at", "2023-06-08T10:00"});
    const json a = ok_json(st.as(kSupervisor, {"report", "annual", "--year", "2023", "--format", "json"}));
    CHECK(a["visits"] == 1);
    CHECK(a["satisfied"] == 0);
}

// ---------------------------------------------------------------------------------------------------------
// 3. --at is bounded.

TEST_CASE("an --at later than now or than the end of --today is refused with exit 3", "[e2e][at]") {
    Station st;
    const std::string id = st.open("drainage", "海福巷3号", "2023-08-01T09:00");
    const long long before = event_count(st.db);
    SECTION("case open") {
        for (const char* at : {"2023-08-21", "2023-08-21T00:00", "2024-01-01T09:00"}) {
            CAPTURE(at);
            const RunResult r = st.as(kCoordinator, {"case", "open", "--category", "drainage", "--address",
                                                     "海福巷5号", "--summary", "堵塞", "--at", at});
            check_refused(st, r, 3, before);
            // And as a repeat report of the open case.
            check_refused(st,
                          st.as(kCoordinator, {"case", "open", "--category", "drainage", "--address",
                                               "海福巷3号", "--summary", "又堵了", "--at", at}),
                          3, before);
        }
        // The end of --today is still today.
        st.ok(kCoordinator, {"case", "open", "--category", "drainage", "--address", "海福巷5号", "--summary",
                             "堵塞", "--at", "2023-08-20T23:59:59"});
    }
    SECTION("case do") {
        const RunResult r =
            st.as(kCoordinator, {"case", "do", id, "note", "--note", "x", "--at", "2023-08-21T08:00"});
        check_refused(st, r, 3, before);
        st.ok(kCoordinator, {"case", "do", id, "note", "--note", "x", "--at", "2023-08-20T22:00"});
    }
    SECTION("without --today, the wall clock bounds it") {
        const RunResult r =
            st.as(kCoordinator, {"case", "do", id, "note", "--note", "x", "--at", "2999-01-01T08:00"}, "");
        check_refused(st, r, 3, before);
    }
    SECTION("import rows") {
        const std::string csv = st.dir.file("ledger.csv");
        write_text(csv,
                   "received_at,category,address,summary\n2023-08-19 09:00,drainage,海福巷7号,堵塞\n"
                   "2023-08-22 09:00,drainage,海福巷8号,堵塞\n");
        const RunResult r = st.as(kCoordinator, {"import", csv});
        CHECK(r.exit_code == 3);
        CHECK(r.err.find(":3:") != std::string::npos);
        CHECK(event_count(st.db) == before);
    }
}

TEST_CASE("an extension is judged on the day it is recorded, whatever its --at", "[e2e][at]") {
    Station st;
    // Received 2023-08-01: the deadline is 20 working days later, 2023-08-29.
    const std::string id = st.open("drainage", "海福巷3号", "2023-08-01T09:00");
    st.ok(kCoordinator,
          {"case", "do", id, "dispatch", "--department", "街道城管科", "--at", "2023-08-01T10:00"});
    const std::string deadline = st.show(id)["deadline"];
    REQUIRE(deadline == "2023-08-29");
    const long long before = event_count(st.db);
    // Recorded on 2023-09-05, after the deadline, backdated to before it: refused.
    const RunResult r = st.as(
        kSupervisor,
        {"case", "do", id, "extend", "--set", "days=5", "--note", "等待材料", "--at", "2023-08-20T10:00"},
        "2023-09-05");
    check_refused(st, r, 3, before);
    // Recorded before the deadline: granted.
    st.ok(kSupervisor,
          {"case", "do", id, "extend", "--set", "days=5", "--note", "等待材料", "--at", "2023-08-20T10:00"},
          "2023-08-28");
}

TEST_CASE("case history shows when a backdated event was recorded (补录)", "[e2e][at]") {
    Station st;
    // Recorded today (the wall clock), years after its --at.
    const std::string id = st.open("drainage", "海福巷3号", "2023-08-01T09:00");
    const RunResult h = st.ok(kCoordinator, {"case", "history", id});
    CHECK(h.out.find("补录于") != std::string::npos);
    const RunResult s = st.ok(kCoordinator, {"case", "show", id});
    CHECK(s.out.find("补录于") != std::string::npos);
    const json j = ok_json(st.as(kCoordinator, {"--json", "case", "history", id}));
    CHECK(j.at(0).contains("recorded_at"));
    // An event recorded within a day of its time shows one time only.
    const RunResult o =
        st.ok(kCoordinator,
              {"case", "open", "--category", "drainage", "--address", "海福巷9号", "--summary", "堵塞"}, "");
    const std::string now_id = o.out.substr(0, o.out.find_first_of(" \n"));
    CHECK(st.ok(kCoordinator, {"case", "history", now_id}, "").out.find("补录") == std::string::npos);
}

// ---------------------------------------------------------------------------------------------------------
// 4. --out writes a regular file and nothing else.

namespace {

// A station with one case, so the annual report has something in it.
struct ReportStation : Station {
    ReportStation() { open("drainage", "海福巷3号", "2023-06-05T09:00"); }
    RunResult report_to(const std::string& out) {
        return as(kSupervisor, {"report", "annual", "--year", "2023", "--format", "md", "--out", out});
    }
};

// The names in a folder, for "nothing left behind".
std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("an --out PATH that is a symbolic link, FIFO, socket, device or folder is refused with exit 2",
          "[e2e][out]") {
    ReportStation st;
    const fs::path dir = st.dir.path() / "out";
    fs::create_directory(dir);
    const std::string victim = st.dir.file("victim.txt");
    write_text(victim, "keep me");

    SECTION("a symbolic link to a file") {
        fs::create_symlink(victim, dir / "r.md");
        const RunResult r = st.report_to((dir / "r.md").string());
        CHECK(r.exit_code == 2);
        CHECK(one_line(r.err));
        CHECK(fs::is_symlink(dir / "r.md"));
        CHECK(read_text(victim) == "keep me");
    }
    SECTION("a dangling symbolic link") {
        fs::create_symlink(st.dir.file("nowhere.txt"), dir / "r.md");
        CHECK(st.report_to((dir / "r.md").string()).exit_code == 2);
        CHECK_FALSE(fs::exists(st.dir.file("nowhere.txt")));
    }
    SECTION("a FIFO") {
        REQUIRE(::mkfifo((dir / "r.md").c_str(), 0600) == 0);
        const RunResult r = st.report_to((dir / "r.md").string());
        CHECK(r.exit_code == 2);
        CHECK(one_line(r.err));
        CHECK(fs::is_fifo(dir / "r.md"));
    }
    SECTION("a socket") {
        const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
        REQUIRE(s >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const std::string p = (dir / "r.md").string();
        REQUIRE(p.size() < sizeof addr.sun_path);
        std::copy(p.begin(), p.end(), addr.sun_path);
        REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        CHECK(st.report_to(p).exit_code == 2);
        CHECK(fs::is_socket(dir / "r.md"));
        ::close(s);
    }
    SECTION("a device") {
        for (const char* dev : {"/dev/null", "/dev/full"}) {
            CAPTURE(dev);
            const RunResult r = st.report_to(dev);
            CHECK(r.exit_code == 2);
            CHECK(one_line(r.err));
            CHECK(fs::is_character_file(dev));
        }
    }
    SECTION("a folder") {
        fs::create_directory(dir / "r.md");
        const RunResult r = st.report_to((dir / "r.md").string());
        CHECK(r.exit_code == 2);
        CHECK(one_line(r.err));
        CHECK(fs::is_directory(dir / "r.md"));
    }
    // Nothing left behind in the folder but what was there.
    for (const auto& name : names_in(dir))
        CHECK(name == "r.md");
}

TEST_CASE("an --out never follows a link planted at a temporary name and replaces a regular file",
          "[e2e][out]") {
    ReportStation st;
    const std::string victim = st.dir.file("victim.txt");
    write_text(victim, "keep me");
    const std::string out = st.dir.file("r.md");
    fs::create_symlink(victim, out + ".tmp");  // the old fixed temporary name
    REQUIRE(st.report_to(out).exit_code == 0);
    CHECK(read_text(victim) == "keep me");
    CHECK(fs::is_regular_file(fs::symlink_status(out)));
    CHECK(read_text(out).find("2023") != std::string::npos);
    // Again over the regular file it wrote: replaced.
    write_text(out, "old");
    REQUIRE(st.report_to(out).exit_code == 0);
    CHECK(read_text(out) != "old");
    for (const auto& name : names_in(st.dir.path()))
        CHECK(name.find(".r.md.") == std::string::npos);  // no temporary file left
}

TEST_CASE("an --out on a full disk fails with exit 1 and leaves no temporary file", "[e2e][out]") {
    ReportStation st;
    if (::geteuid() != 0) {
        WARN("skipped: not running as root, so no small file system can be mounted");
        return;
    }
    TempDir disk;
    if (::mount("tmpfs", disk.path().c_str(), "tmpfs", 0, "size=64k,mode=0755") != 0) {
        WARN("skipped: mount -t tmpfs failed: " << std::strerror(errno));
        return;
    }
    struct Unmount {
        const fs::path& p;
        ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
    } unmount{disk.path()};
    // Fill it up.
    {
        FILE* f = std::fopen((disk.path() / "filler").c_str(), "wb");
        REQUIRE(f);
        const std::string block(4096, 'x');
        while (std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
        }
        std::fclose(f);
    }
    const std::string out = (disk.path() / "r.md").string();
    const RunResult r = st.report_to(out);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
    CHECK(names_in(disk.path()) == std::vector<std::string>{"filler"});
}

// ---------------------------------------------------------------------------------------------------------
// 5. No spreadsheet formulas in any CSV, and import takes the guard off again.

TEST_CASE("every CSV guards text cells a spreadsheet would run, and an export imports back the same text",
          "[e2e][csv]") {
    Station st;
    const std::vector<std::pair<std::string, std::string>> cells = {
        {"=HYPERLINK(\"http://x\",\"点我\")", "=1+1"},
        {"+86 地址", "+SUM(A1)"},
        {"-巷3号", "-2+3"},
        {"@巷", "@SUM(1)"},
        {"'=巷", "\t制表符开头"},
        {"普通地址", "'普通"}};
    std::vector<std::string> ids;
    int n = 0;
    for (const auto& [address, summary] : cells) {
        const json j = ok_json(
            st.as(kCoordinator, {"--json", "case", "open", "--category", "drainage", "--address", address,
                                 "--summary", summary, "--reporter", "=张三", "--phone", "13851234567",
                                 "--at", "2023-06-0" + std::to_string(++n) + "T09:00"}));
        ids.push_back(j.at("id"));
    }
    const RunResult exp = st.ok(kSupervisor, {"export", "--format", "csv"});
    for (const char* bad : {"\n=", ",=", "\n+", ",+", ",-巷", ",@", ",\"=", ",\"\t", ",\"+"}) {
        CAPTURE(bad);
        CHECK(exp.out.find(bad) == std::string::npos);
    }
    CHECK(exp.out.find(",'=1+1,") != std::string::npos);
    CHECK(exp.out.find(",'=张三,") != std::string::npos);
    CHECK(exp.out.find(",''=巷,") != std::string::npos);
    const RunResult audit = st.ok(kSupervisor, {"audit", "overdue", "--format", "csv"});
    CHECK(audit.out.find(",=") == std::string::npos);
    CHECK(audit.out.find("\"'=HYPERLINK") != std::string::npos);
    CHECK(audit.out.find(",-") == std::string::npos);

    // Round trip into a fresh station.
    const std::string csv = st.dir.file("export.csv");
    write_text(csv, exp.out);
    TempDir other;
    const std::string db2 = fresh_station(other);
    const RunResult imp =
        run_minsheng({"--db", db2, "--as", kCoordinator, "--today", "2023-08-20", "import", csv});
    INFO(imp.err);
    REQUIRE(imp.exit_code == 0);
    for (size_t i = 0; i < ids.size(); ++i) {
        CAPTURE(i);
        const json a = st.show(ids[i]);
        const json b =
            ok_json(run_minsheng({"--db", db2, "--today", "2023-08-20", "--json", "case", "show", ids[i]}));
        CHECK(b["address"] == a["address"]);
        CHECK(b["summary"] == a["summary"]);
        CHECK(b["received_at"] == a["received_at"]);
    }
}

// ---------------------------------------------------------------------------------------------------------
// 8. A damaged schema is named.

namespace {

// Everything on disk that makes up the database.
std::string fingerprint(const std::string& db) {
    std::string fp = read_text(db);
    for (const char* suffix : {"-wal", "-journal"})
        if (fs::exists(db + suffix)) fp += std::string("|") + suffix + ":" + read_text(db + suffix);
    return fp;
}

}  // namespace

TEST_CASE("audit verify checks the schema the migrations create", "[e2e][schema]") {
    Station st;
    st.open("drainage", "海福巷3号", "2023-06-05T09:00");
    REQUIRE(st.ok(kSupervisor, {"audit", "verify"}).exit_code == 0);
    const std::vector<std::pair<std::string, std::string>> damage = {
        {"DROP INDEX cases_running_by_deadline", "cases_running_by_deadline"},
        {"DROP INDEX events_by_case", "events_by_case"},
        {"CREATE INDEX extra ON cases (phase)", "extra"},
        {"CREATE TRIGGER sneaky AFTER INSERT ON events BEGIN DELETE FROM cases; END", "sneaky"},
        {"DROP TABLE case_tasks", "case_tasks"},
        {"DROP TABLE case_reporters", "case_reporters"},
    };
    for (const auto& [sql, name] : damage) {
        CAPTURE(sql);
        Station fresh;
        fresh.open("drainage", "海福巷3号", "2023-06-05T09:00");
        sql_exec(fresh.db, sql);
        const RunResult r = fresh.as(kSupervisor, {"audit", "verify"});
        CHECK(r.exit_code != 0);
        CHECK(one_line(r.err));
        CHECK(r.err.find(name) != std::string::npos);
    }
}

TEST_CASE("a schema that does not match its version is one clear line with exit 1 and the file untouched",
          "[e2e][schema]") {
    for (const char* sql :
         {"PRAGMA user_version = 0", "PRAGMA user_version = 1", "PRAGMA user_version = 2"}) {
        CAPTURE(sql);
        Station st;
        st.open("drainage", "海福巷3号", "2023-06-05T09:00");
        sql_exec(st.db, sql);
        const std::string before = fingerprint(st.db);
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"case", "list"},
                 {"audit", "verify"},
                 {"case", "open", "--category", "drainage", "--address", "海福巷5号", "--summary", "堵塞"}}) {
            CAPTURE(args);
            const RunResult r = st.as(kCoordinator, args);
            CHECK(r.exit_code == 1);
            CHECK(one_line(r.err));
            CHECK(r.err.find("已存在") == std::string::npos);
            CHECK(r.err.find("不符") != std::string::npos);
            CHECK(fingerprint(st.db) == before);
        }
    }
    SECTION("a version newer than this build") {
        Station st;
        sql_exec(st.db, "PRAGMA user_version = 99");
        const std::string before = fingerprint(st.db);
        const RunResult r = st.as(kCoordinator, {"case", "list"});
        CHECK(r.exit_code == 1);
        CHECK(one_line(r.err));
        CHECK(fingerprint(st.db) == before);
    }
}

// ---------------------------------------------------------------------------------------------------------
// 9. Names: checked wherever they come from, NFC, no invisible characters, no look-alikes.

TEST_CASE("MINSHENG_ACTOR is checked like the command line", "[e2e][names]") {
    Station st;
    const long long registered = event_count(st.db);  // 王协调's registration: nothing else written since
    for (const char* actor : {"\x1b[31m王协调", "王协调\x07", "王\x7f协调", "\xff\xfe", "王\u200B协调"}) {
        CAPTURE(actor);
        const RunResult r =
            run_minsheng({"--db", st.db, "--today", "2023-08-20", "case", "open", "--category", "drainage",
                          "--address", "海福巷3号", "--summary", "堵塞"},
                         {std::string("MINSHENG_ACTOR=") + actor});
        CHECK(r.exit_code == 2);
        CHECK(one_line(r.err));
        CHECK(r.err.find('\x1b') == std::string::npos);
        CHECK(r.err.find('\x07') == std::string::npos);
        CHECK(r.err.find("MINSHENG_ACTOR") != std::string::npos);
        CHECK(event_count(st.db) == registered);
    }
    for (const char* var : {"MINSHENG_TODAY=\x1b[2J2023-08-20", "MINSHENG_DB=x\x1b[2J.db"}) {
        CAPTURE(var);
        const RunResult r = run_minsheng({"--as", kCoordinator, "case", "list"}, {var});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find('\x1b') == std::string::npos);
    }
    // A registered name from the environment still works.
    const RunResult ok = run_minsheng({"--db", st.db, "--today", "2023-08-20", "case", "open", "--category",
                                       "drainage", "--address", "海福巷3号", "--summary", "堵塞"},
                                      {"MINSHENG_ACTOR=王协调"});
    CHECK(ok.exit_code == 0);
}

TEST_CASE("staff names with invisible characters are refused and look-alikes of a registered name too",
          "[e2e][names]") {
    Station st;
    SECTION("format and control characters: exit 2") {
        for (const char* name : {"王\u200B五", "王五\u200D", "\u2060王五", "王\uFEFF五", "王\u202E五",
                                 "王\u00AD五", "王\u2028五", "王\uE000五"}) {
            CAPTURE(name);
            const RunResult r = st.as(kSupervisor, {"staff", "add", name, "--role", "coordinator"});
            CHECK(r.exit_code == 2);
            CHECK(one_line(r.err));
        }
        // Nobody was added: 王五 itself is still free.
        st.ok(kSupervisor, {"staff", "add", "王五", "--role", "coordinator"});
    }
    SECTION("look-alikes of a registered name: exit 3") {
        for (const char* name : {"王 协调", "王　协调", "王协调", " 王协调 "}) {
            CAPTURE(name);
            const RunResult r = st.as(kSupervisor, {"staff", "add", name, "--role", "coordinator"});
            CHECK(r.exit_code == 3);
            CHECK(one_line(r.err));
            CHECK(r.err.find("王协调") != std::string::npos);
        }
        st.ok(kSupervisor, {"staff", "add", "李\u2F45", "--role", "coordinator"});  // ⽅, a Kangxi radical
        const RunResult r = st.as(kSupervisor, {"staff", "add", "李方", "--role", "coordinator"});
        CHECK(r.exit_code == 3);
        st.ok(kSupervisor, {"staff", "add", "\uFF37ang", "--role", "coordinator"});  // Ｗang
        CHECK(st.as(kSupervisor, {"staff", "add", "Wang", "--role", "coordinator"}).exit_code == 3);
    }
    SECTION("names are kept in NFC, so either spelling acts as the same person") {
        st.ok(kSupervisor, {"staff", "add", "Jose\u0301", "--role", "coordinator"});  // decomposed é
        CHECK(st.as(kSupervisor, {"staff", "add", "Jos\u00E9", "--role", "coordinator"}).exit_code == 3);
        for (const char* actor : {"Jos\u00E9", "Jose\u0301"}) {
            CAPTURE(actor);
            st.ok(actor, {"case", "open", "--category", "drainage", "--address", "海福巷3号", "--summary",
                          "堵塞", "--at", "2023-08-01T09:00"});
        }
    }
}
