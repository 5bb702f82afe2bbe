// Fault injection: damaged or foreign database files — truncated, another program's SQLite database, a newer
// schema, junk bytes, an empty file, a page overwritten in the middle. Each is refused with exit 1 and one
// line naming the problem, and the file is left byte-for-byte as it was (same bytes, same modification time).

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "prelude.h"

namespace fs = std::filesystem;

namespace {

const std::string kCoordinator = "王协调";

// A station with a few cases and actions, checkpointed into its main file (no -wal left beside it).
std::string real_station(const TempDir& dir) {
    const std::string db = fresh_station(dir);
#ifdef MINSHENG_SANITIZE_BUILD
    const int cases = 12;
#else
    const int cases = 40;
#endif
    for (int i = 0; i < cases; ++i) {
        const RunResult r =
            run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "open", "--category",
                          i % 2 ? "road" : "drainage", "--address", "损坏路" + std::to_string(i) + "号",
                          "--summary", "下水道堵塞，污水漫到人行道", "--at", "2024-03-04T09:00"});
        REQUIRE(r.exit_code == 0);
        const std::string id = json::parse(r.out).at("id");
        REQUIRE(run_minsheng({"--db", db, "--as", kCoordinator, "case", "do", id, "dispatch", "--department",
                              "街道城管科", "--at", "2024-03-05T09:00"})
                    .exit_code == 0);
    }
    return db;
}

struct Snapshot {
    std::string bytes;
    struct timespec mtime {};
    std::vector<std::string> siblings;  // every file in the folder
};

Snapshot snapshot(const std::string& path) {
    Snapshot s;
    s.bytes = read_text(path);
    struct stat st {};
    ::stat(path.c_str(), &st);
    s.mtime = st.st_mtim;
    for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
        s.siblings.push_back(e.path().filename().string());
    std::sort(s.siblings.begin(), s.siblings.end());
    return s;
}

void check_untouched(const std::string& path, const Snapshot& before) {
    const Snapshot after = snapshot(path);
    CHECK(after.bytes.size() == before.bytes.size());
    CHECK((after.bytes == before.bytes));
    CHECK(after.mtime.tv_sec == before.mtime.tv_sec);
    CHECK(after.mtime.tv_nsec == before.mtime.tv_nsec);
    CHECK(after.siblings == before.siblings);  // no -wal, -shm or -journal left behind
}

// Reads, writes and the integrity check: every one refused the same clear way.
std::vector<std::vector<std::string>> commands(const std::string& db) {
    return {
        {"--db", db, "--as", kCoordinator, "case", "list"},
        {"--db", db, "--as", kCoordinator, "case", "show", "2024-0001"},
        {"--db", db, "--as", kCoordinator, "audit", "verify"},
        {"--db", db, "--as", kCoordinator, "case", "open", "--category", "drainage", "--address", "新址",
         "--summary", "新案件"},
        {"--db", db, "--as", kCoordinator, "case", "do", "2024-0001", "note", "--note", "写入"},
        {"--db", db, "--as", kCoordinator, "export", "--format", "json"},
        {"--db", db, "--as", "督办甲", "staff", "add", "新同事", "--role", "coordinator"},
        {"--db", db, "--as", "督办甲", "init"},
    };
}

// `words`: what the message must mention (any one of them).
void check_refused(const std::string& db, const std::vector<std::string>& words) {
    const Snapshot before = snapshot(db);
    for (const auto& args : commands(db)) {
        const RunResult r = run_minsheng(args);
        CAPTURE(args[4], args.size() > 5 ? args[5] : "", r.exit_code, r.err);
        const bool is_init = args.back() == "init";
        CHECK(r.exit_code == (is_init ? 3 : 1));  // init refuses any existing file (SPEC: exit 3)
        CHECK(one_line(r.err));
        CHECK(r.out.empty());
        if (!is_init) {
            bool named = false;
            for (const auto& w : words)
                named = named || r.err.find(w) != std::string::npos;
            CHECK(named);
            CHECK(r.err.find(db) != std::string::npos);  // names the file
        }
        check_untouched(db, before);
    }
}

}  // namespace

TEST_CASE("a truncated database is refused and left untouched", "[faults][damaged]") {
    TempDir dir;
    const std::string db = real_station(dir);
    const std::string original = read_text(db);
    REQUIRE(original.size() > 8 * 4096);
    for (const double part : {0.5, 0.1, 0.9}) {
        CAPTURE(part);
        TempDir cut_dir;
        const std::string cut = cut_dir.file("truncated.db");
        write_text(cut, original.substr(0, static_cast<size_t>(static_cast<double>(original.size()) * part)));
        check_refused(cut, {"malformed", "damaged", "corrupt", "truncated"});
    }
}

TEST_CASE("another program's SQLite database is refused and left untouched", "[faults][damaged]") {
    TempDir dir;
    const std::string db = dir.file("other.db");
    sql_exec(db,
             "CREATE TABLE cases (id TEXT, note TEXT); INSERT INTO cases VALUES ('2024-0001', 'not ours');"
             "CREATE TABLE events (seq INTEGER);");
    check_refused(db, {"不是 minsheng 数据库"});
    // Also in WAL mode with its own application id.
    const std::string wal = dir.file("other-wal.db");
    sql_exec(wal, "PRAGMA journal_mode = WAL; PRAGMA application_id = 1234; CREATE TABLE t (x);");
    check_refused(wal, {"不是 minsheng 数据库"});
}

TEST_CASE("a database of a newer schema is refused and left untouched", "[faults][damaged]") {
    TempDir dir;
    const std::string db = real_station(dir);
    sql_exec(db, "PRAGMA user_version = 99");
    check_refused(db, {"结构版本为 99"});
}

TEST_CASE("files that are no database at all are refused and left untouched", "[faults][damaged]") {
    TempDir dir;
    const std::string junk = dir.file("junk.db");
    std::mt19937 rng(3);
    std::string bytes(20000, '\0');
    for (auto& c : bytes)
        c = static_cast<char>(rng());
    write_text(junk, bytes);
    check_refused(junk, {"不是 minsheng 数据库", "not a database"});

    const std::string text = dir.file("ledger.db");
    write_text(text, "received_at,category,address,summary\n2024-03-04,drainage,海福巷3号,堵塞\n");
    check_refused(text, {"不是 minsheng 数据库", "not a database"});

    const std::string empty = dir.file("empty.db");
    write_text(empty, "");
    check_refused(empty, {"不是 minsheng 数据库", "empty"});
}

TEST_CASE("a page overwritten in the middle of the file is reported, never called intact",
          "[faults][damaged]") {
    TempDir dir;
    const std::string db = real_station(dir);
    // Find the pages of a few tables and indexes SQLite's dbstat table knows about.
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    std::vector<std::pair<std::string, long long>> pages;
    if (sqlite3_prepare_v2(h,
                           "SELECT name, min(pageno) FROM dbstat WHERE name IN ('workflows', 'staff', "
                           "'cases_by_received', 'events', 'cases', 'calendar_days') GROUP BY name",
                           -1, &st, nullptr) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            pages.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                               sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    if (pages.empty()) {
        WARN("skipped: this SQLite has no dbstat table to find the pages with");
        return;
    }
    const std::string original = read_text(db);
    for (const auto& [name, page] : pages) {
        CAPTURE(name, page);
        TempDir copy_dir;
        const std::string copy = copy_dir.file("damaged.db");
        std::string bytes = original;
        std::mt19937 rng(static_cast<unsigned>(page));
        for (size_t i = static_cast<size_t>(page - 1) * 4096 + 8; i < static_cast<size_t>(page) * 4096; ++i)
            bytes[i] = static_cast<char>(rng());
        write_text(copy, bytes);
        const RunResult v = run_minsheng({"--db", copy, "audit", "verify"});
        CAPTURE(v.exit_code, v.out, v.err);
        CHECK(v.exit_code == 1);
        CHECK(one_line(v.err));
        CHECK(v.out.find("intact") == std::string::npos);
    }
}
