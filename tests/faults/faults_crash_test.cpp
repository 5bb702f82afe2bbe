// Fault injection: `minsheng` killed with SIGKILL at random moments — in the middle of a 5,000-row `import`,
// of single actions, and of `init` — many times over. Afterwards the file passes SQLite's integrity check,
// `audit verify` passes, and each write is there entirely or not at all (SPEC.md "Storage": one transaction
// per write).

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "prelude.h"

namespace fs = std::filesystem;

namespace {

#ifdef MINSHENG_SANITIZE_BUILD
constexpr int kImportRows = 1000;
constexpr int kImportKills = 12;
constexpr int kActionKills = 12;
constexpr int kInitKills = 15;
#else
constexpr int kImportRows = 5000;
constexpr int kImportKills = 30;
constexpr int kActionKills = 30;
constexpr int kInitKills = 30;
#endif

const std::string kCoordinator = "王协调";

// Starts the program (no shell, output discarded, MINSHENG_* cleared), returns its pid.
pid_t spawn(const std::vector<std::string>& args) {
    const pid_t pid = start_program(MINSHENG_BIN, args, "/dev/null", "/dev/null", {}, "MINSHENG_");
    REQUIRE(pid > 0);
    return pid;
}

struct Outcome {
    bool killed = false;  // false: it had already finished
    int exit_code = -1;
};

// Runs the program and kills it with SIGKILL `delay` after the start (unless it finished first).
Outcome run_and_kill(const std::vector<std::string>& args, std::chrono::microseconds delay) {
    const pid_t pid = spawn(args);
    std::this_thread::sleep_for(delay);
    Outcome o;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
        o.exit_code = exit_code_of(status);
        return o;
    }
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    o.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    if (!o.killed) o.exit_code = exit_code_of(status);
    return o;
}

// How long a command takes when left alone.
std::chrono::microseconds timed(const std::vector<std::string>& args) {
    const auto t0 = std::chrono::steady_clock::now();
    const RunResult r = run_minsheng(args);
    const auto t1 = std::chrono::steady_clock::now();
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0);
}

// SQLite's own check of the file, through the C API (read-only, so the check changes nothing).
std::string integrity(const std::string& path) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        out = std::string("cannot open: ") + sqlite3_errmsg(db);
        sqlite3_close(db);
        return out;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            out += std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) + ";";
    } else {
        out = std::string("cannot check: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

struct Counts {
    long long events = -1, cases = -1;
};

Counts verified_counts(const std::string& db) {
    const json j = audit_verify_json(db);
    REQUIRE(j.at("ok") == true);
    return {j.at("events").get<long long>(), j.at("cases").get<long long>()};
}

std::string ledger(int rows, int batch) {
    std::string csv = "received_at,category,address,summary,reporter,phone,channel\n";
    csv.reserve(static_cast<size_t>(rows) * 120);
    for (int i = 0; i < rows; ++i)
        csv += "2024/3/" + std::to_string(4 + i % 3) + " 9:" + std::to_string(10 + i % 50) + "," +
               (i % 3 == 0   ? "drainage"
                : i % 3 == 1 ? "road"
                             : "sanitation") +
               ",第" + std::to_string(batch) + "批幸福路" + std::to_string(i) +
               "号,\"井盖破损，\"\"急\"\"\",张某" + std::to_string(i) + ",13800138000,网格员\n";
    return csv;
}

}  // namespace

TEST_CASE("an import killed at random moments is there entirely or not at all", "[faults][crash]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    REQUIRE(run_minsheng({"--db", db, "--as", kCoordinator, "case", "open", "--category", "road", "--address",
                          "既有路1号", "--summary", "导入前已有的案件", "--at", "2024-03-04T09:00"})
                .exit_code == 0);
    // The station as it was before any import: restored after each import that landed, so every round checks
    // (and `audit verify` replays) a station of the same size.
    const std::string base = dir.file("base.db");
    fs::copy_file(db, base);
    auto restore = [&] {
        for (const char* suffix : {"-wal", "-shm"})
            fs::remove(db + suffix);
        fs::copy_file(base, db, fs::copy_options::overwrite_existing);
    };
    const Counts before = verified_counts(db);
    // Calibrate on a copy: how long one import of this size takes here, so the kills spread over all of it.
    const std::string calibrate = dir.file("calibrate.db");
    fs::copy_file(base, calibrate);
    const std::string warmup = dir.file("warmup.csv");
    minsheng::test::write_text(warmup, ledger(kImportRows, 0));
    const auto duration = timed({"--db", calibrate, "--as", kCoordinator, "import", warmup});

    std::mt19937 rng(20240305);
    std::uniform_int_distribution<long long> delay(0, duration.count() * 6 / 5);
    int killed_midway = 0, completed = 0, killed_after = 0;
    for (int it = 1; it <= kImportKills; ++it) {
        const std::string csv = dir.file("ledger.csv");
        minsheng::test::write_text(csv, ledger(kImportRows, it));
        const auto d = std::chrono::microseconds(delay(rng));
        const Outcome o = run_and_kill({"--db", db, "--as", kCoordinator, "import", csv}, d);
        CAPTURE(it, d.count(), o.killed, o.exit_code);
        if (!o.killed) CHECK(o.exit_code == 0);
        CHECK(integrity(db) == "ok;");
        const Counts after = verified_counts(db);
        // All or nothing: the file's cases (and one event each) are either all there or none are.
        CHECK((after.cases == before.cases || after.cases == before.cases + kImportRows));
        CHECK(after.events - before.events == after.cases - before.cases);
        if (after.cases == before.cases) {
            ++killed_midway;
            continue;  // nothing landed: go on with the file exactly as the kill left it (-wal and all)
        }
        ++(o.killed ? killed_after : completed);
        restore();
    }
    WARN("import kills: " << kImportKills << " runs of " << kImportRows << " rows (an import takes "
                          << duration.count() / 1000 << " ms): " << killed_midway << " killed before commit, "
                          << killed_after << " killed after commit, " << completed << " finished");
    // The kills must really have landed inside imports for the test to mean anything.
    CHECK(killed_midway > 0);

    // The station is still fully usable.
    const RunResult next = run_minsheng({"--db", db, "--as", kCoordinator, "case", "open", "--category",
                                         "drainage", "--address", "崩溃后1号", "--summary", "正常受理"});
    CHECK(next.exit_code == 0);
    CHECK(verified_counts(db).cases == before.cases + 1);
}

TEST_CASE("single actions killed at random moments leave each event whole or absent", "[faults][crash]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id =
        json::parse(run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "open", "--category",
                                  "drainage", "--address", "单动作巷1号", "--summary", "下水道堵塞", "--at",
                                  "2024-03-04T09:00"})
                        .out)
            .at("id");
    const auto duration = timed({"--db", db, "--as", kCoordinator, "case", "do", id, "note", "--note", "校准",
                                 "--at", "2024-03-05T09:00"});
    Counts before = verified_counts(db);
    std::mt19937 rng(7);
    std::uniform_int_distribution<long long> delay(0, duration.count() * 3 / 2);
    int landed = 0, absent = 0;
    for (int it = 0; it < kActionKills; ++it) {
        std::vector<std::string> args;
        switch (it % 3) {
            case 0:
                args = {"--db",   db,
                        "--as",   kCoordinator,
                        "case",   "do",
                        id,       "note",
                        "--note", "第" + std::to_string(it),
                        "--at",   "2024-03-05T09:00"};
                break;
            case 1:
                args = {"--db",
                        db,
                        "--as",
                        kCoordinator,
                        "case",
                        "do",
                        id,
                        "dispatch",
                        "--department",
                        "部门" + std::to_string(it),
                        "--at",
                        "2024-03-05T09:00"};
                break;
            default:
                args = {"--db",       db,
                        "--as",       kCoordinator,
                        "case",       "open",
                        "--category", "road",
                        "--address",  "单动作路" + std::to_string(it) + "号",
                        "--summary",  "坑洼",
                        "--at",       "2024-03-05T09:00"};
        }
        const auto d = std::chrono::microseconds(delay(rng));
        const Outcome o = run_and_kill(args, d);
        CAPTURE(it, d.count(), o.killed, o.exit_code);
        if (!o.killed) CHECK(o.exit_code == 0);
        CHECK(integrity(db) == "ok;");
        const Counts after = verified_counts(db);  // also checks the projection against the events
        CHECK((after.events == before.events || after.events == before.events + 1));
        (after.events == before.events ? absent : landed)++;
        before = after;
    }
    WARN("action kills: " << kActionKills << " runs: " << landed << " events written, " << absent
                          << " not written");
}

TEST_CASE("init killed at random moments leaves no file or a whole station, never a half one",
          "[faults][crash]") {
    TempDir dir;
    // Half the kills land anywhere in the run (from the spawn); the other half are aimed at the stretch from
    // the moment a file appears at the station's path to the end of init, the dangerous one when the file is
    // made in place. True once `path` exists; false when the process ended first (its wait status in
    // `status`).
    auto file_appears = [](const std::string& path, pid_t pid, int& status) {
        std::error_code ec;
        while (!fs::exists(path, ec)) {
            if (waitpid(pid, &status, WNOHANG) == pid) return false;
            std::this_thread::sleep_for(std::chrono::microseconds(20));
        }
        return true;
    };
    const auto duration = timed({"--db", dir.file("calibrate1.db"), "--as", "督办甲", "init"});
    const std::string calibrate = dir.file("calibrate2.db");
    const pid_t cpid = spawn({"--db", calibrate, "--as", "督办甲", "init"});
    int cstatus = 0;
    std::chrono::microseconds stretch(0);
    if (file_appears(calibrate, cpid, cstatus)) {
        const auto t0 = std::chrono::steady_clock::now();
        waitpid(cpid, &cstatus, 0);
        stretch =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    }
    REQUIRE(WIFEXITED(cstatus));
    REQUIRE(WEXITSTATUS(cstatus) == 0);
    std::mt19937 rng(11);
    std::uniform_int_distribution<long long> anywhere(0, duration.count() * 6 / 5);
    std::uniform_int_distribution<long long> aimed(0, std::max<long long>(stretch.count() * 6 / 5, 1000));
    int none = 0, whole = 0, half = 0;
    std::string first_half;
    for (int it = 0; it < kInitKills; ++it) {
        const std::string db = dir.file("init" + std::to_string(it) + ".db");
        const std::vector<std::string> args = {"--db", db, "--as", "督办甲", "init"};
        Outcome o;
        if (it % 2 == 0) {
            o = run_and_kill(args, std::chrono::microseconds(anywhere(rng)));
        } else {
            const pid_t pid = spawn(args);
            int status = 0;
            if (file_appears(db, pid, status)) {
                std::this_thread::sleep_for(std::chrono::microseconds(aimed(rng)));
                ::kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                o.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
            }
            if (!o.killed) o.exit_code = exit_code_of(status);
        }
        if (!o.killed) CHECK(o.exit_code == 0);
        std::error_code ec;
        if (!fs::exists(db, ec)) {
            ++none;
            continue;
        }
        // A file is there: it must be a whole station (its workflows and its supervisor), or `init` must be
        // able to run again. A half-made file that blocks `init` and is no station is a lost station.
        const RunResult wf = run_minsheng({"--db", db, "--json", "workflow", "list"});
        const RunResult staff =
            run_minsheng({"--db", db, "--as", "督办甲", "staff", "add", "王协调", "--role", "coordinator"});
        const bool is_whole = wf.exit_code == 0 && json::parse(wf.out).size() == 5 && staff.exit_code == 0;
        if (is_whole) {
            ++whole;
            CHECK(integrity(db) == "ok;");
            continue;
        }
        const RunResult again = run_minsheng({"--db", db, "--as", "督办甲", "init"});
        if (again.exit_code == 0) {
            ++whole;
            continue;
        }
        ++half;
        if (first_half.empty())
            first_half = "workflow list: exit " + std::to_string(wf.exit_code) + " " + wf.err +
                         wf.out.substr(0, 40) + " | staff add: exit " + std::to_string(staff.exit_code) +
                         " " + staff.err + " | init again: exit " + std::to_string(again.exit_code) + " " +
                         again.err;
    }
    // What killed runs left beside the stations (the temporary file of a half-built station, say).
    auto litter = [&] {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir.path())) {
            const std::string n = e.path().filename().string();
            if (n.size() < 3 || n.compare(n.size() - 3, 3, ".db") != 0) names.push_back(n);
        }
        return names;
    };
    const auto left = litter();
    WARN("init kills: " << kInitKills << " runs (init takes " << duration.count() / 1000
                        << " ms; a file is at the station's path for its last " << stretch.count() / 1000
                        << " ms): " << none << " left no file, " << whole << " left a whole station, " << half
                        << " left a half-made file; " << left.size()
                        << " temporary files left in the folder");
    // The next `init` at a path removes what killed ones left there (their processes are gone), whether it
    // then creates the station or refuses because one is already there.
    std::vector<std::string> paths = {dir.file("calibrate1.db"), calibrate};
    for (int it = 0; it < kInitKills; ++it)
        paths.push_back(dir.file("init" + std::to_string(it) + ".db"));
    for (const auto& db : paths) {
        const RunResult again = run_minsheng({"--db", db, "--as", "督办甲", "init"});
        CHECK((again.exit_code == 0 || again.exit_code == 3));
    }
    const auto still = litter();
    INFO("still there: " << (still.empty() ? std::string() : still.front()));
    CHECK(still.empty());
    INFO("first half-made file: " << first_half);
    CHECK(half == 0);
}
