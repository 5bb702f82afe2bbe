// Test helpers (see test_support.h). Runs programs with posix_spawn so no shell ever parses arguments.
#include "test_support.h"

#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace minsheng::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    for (;;) {
        path_ = fs::temp_directory_path() / ("minsheng-test-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(counter++) + "-" + std::to_string(rd() % 100000));
        if (fs::create_directory(path_)) break;
    }
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string read_existing(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

namespace {

// Pointers to the strings, then a null pointer: an argv or envp for exec.
std::vector<char*> null_terminated(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

pid_t start_program(const std::string& path, const std::vector<std::string>& args,
                    const std::string& out_path, const std::string& err_path,
                    const std::vector<std::string>& env, const std::string& drop_prefix) {
    std::vector<std::string> argv_s = {path};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    const std::vector<char*> argv = null_terminated(argv_s);

    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
        std::string v = *e;
        if (!drop_prefix.empty() && v.rfind(drop_prefix, 0) == 0) continue;
        env_s.push_back(v);
    }
    env_s.insert(env_s.end(), env.begin(), env.end());
    const std::vector<char*> envp = null_terminated(env_s);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

int exit_code_of(int wait_status) {
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

RunResult run_program(const std::string& path, const std::vector<std::string>& args,
                      const std::vector<std::string>& env, const std::string& drop_prefix) {
    TempDir io;
    const std::string out_path = io.file("out"), err_path = io.file("err");
    const pid_t pid = start_program(path, args, out_path, err_path, env, drop_prefix);
    if (pid < 0) throw std::runtime_error("cannot start " + path);
    int status = 0;
    waitpid(pid, &status, 0);
    RunResult r;
    r.exit_code = exit_code_of(status);
    r.out = read_text(out_path);
    r.err = read_text(err_path);
    return r;
}

RunResult run_minsheng(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    // The suite must not depend on the day it runs: without a reference date of its own, a test runs on
    // kTestToday (inside the shipped calendar, far from its end), not on the wall clock's date, which from
    // each November would add the year-boundary warning and from each January meet an uncovered year.
    const bool dated = std::find(args.begin(), args.end(), "--today") != args.end() ||
                       std::any_of(env.begin(), env.end(),
                                   [](const std::string& e) { return e.rfind("MINSHENG_TODAY=", 0) == 0; });
    if (dated) return run_program(MINSHENG_BIN, args, env, "MINSHENG_");
    std::vector<std::string> with_today = env;
    with_today.push_back(std::string("MINSHENG_TODAY=") + kTestToday);
    return run_program(MINSHENG_BIN, args, with_today, "MINSHENG_");
}

std::string init_station(const std::string& db) {
    auto r = run_minsheng({"--db", db, "--as", "督办甲", "init"});
    if (r.exit_code != 0) throw std::runtime_error("init failed: " + r.err);
    r = run_minsheng({"--db", db, "--as", "督办甲", "staff", "add", "王协调", "--role", "coordinator"});
    if (r.exit_code != 0) throw std::runtime_error("staff add failed: " + r.err);
    return db;
}

std::string fresh_station(const TempDir& dir) {
    return init_station(dir.file("station.db"));
}

nlohmann::json ok_json(const RunResult& r) {
    INFO("exit " << r.exit_code << " stderr: " << r.err << " stdout: " << r.out);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
}

nlohmann::json audit_verify_json(const std::string& db) {
    return ok_json(run_minsheng({"--db", db, "--json", "audit", "verify"}));
}

long long event_count(const std::string& db) {
    return audit_verify_json(db).at("events").get<long long>();
}

bool one_line(const std::string& err) {
    return !err.empty() && err.back() == '\n' && std::count(err.begin(), err.end(), '\n') == 1;
}

void sql_exec(const std::string& db, const std::string& sql) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql << ": " << (err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(h);
    REQUIRE(rc == SQLITE_OK);
}

namespace {

// Each migration's undo, by its number.
const std::map<int, std::string>& migration_undos() {
    static const std::map<int, std::string> undo = {
        // 12: case_actors as migration 6 made it; the typical flag's index.
        {12,
         "DROP INDEX cases_by_typical; DROP INDEX case_actors_by_actor; "
         "CREATE TABLE old_actors AS SELECT actor, case_id FROM case_actors; DROP TABLE case_actors; "
         "CREATE TABLE case_actors ( actor TEXT NOT NULL, case_id TEXT NOT NULL, "
         "PRIMARY KEY (actor, case_id)) WITHOUT ROWID; "
         "INSERT INTO case_actors SELECT actor, case_id FROM old_actors; DROP TABLE old_actors; "},
        // 11: the compiled workflows' column.
        {11, "ALTER TABLE workflows DROP COLUMN compiled; "},
        // 10: the index of unknown deadlines and the visit tally's columns.
        {10,
         "DROP INDEX cases_deadline_unknown; ALTER TABLE cases DROP COLUMN visits; ALTER TABLE cases DROP "
         "COLUMN satisfied; "},
        // 9: the category and phase filters' indexes.
        {9, "DROP INDEX cases_by_category; DROP INDEX cases_by_phase; "},
    };
    return undo;
}

}  // namespace

std::string back_to_schema(int version) {
    REQUIRE(version >= 8);
    std::string sql;
    for (auto it = migration_undos().rbegin(); it != migration_undos().rend() && it->first > version; ++it)
        sql += it->second;
    return sql + "PRAGMA user_version = " + std::to_string(version) + ";";
}

int newest_undone_migration() {
    return migration_undos().rbegin()->first;
}

Error error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("expected a minsheng::Error");
    throw std::logic_error("unreachable");
}

}  // namespace minsheng::test
