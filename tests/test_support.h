// Helpers for the tests: temporary folders that clean up after themselves, running programs (the built
// `minsheng` above all) with their stdout, stderr and exit code captured, and the small checks and station
// set-ups that several test files share.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/error.h"

namespace minsheng::test {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

struct RunResult {
    int exit_code = -1;  // 128 + signal when killed by a signal
    std::string out;
    std::string err;
};

// Starts the program at `path` (a full path; no shell) with these arguments, stdin from /dev/null and
// stdout and stderr written to the files `out_path` and `err_path`. Its environment is this process's, less
// the variables whose names start with `drop_prefix` (none when it is empty), with `env` (NAME=VALUE) added.
// Returns its pid, or -1 when it cannot be started.
pid_t start_program(const std::string& path, const std::vector<std::string>& args,
                    const std::string& out_path, const std::string& err_path,
                    const std::vector<std::string>& env = {}, const std::string& drop_prefix = "");

// A waitpid() status as an exit code: 128 + N when killed by signal N.
int exit_code_of(int wait_status);

// Runs the program at `path` as start_program does, waits for it and returns its exit code and output;
// throws std::runtime_error when it cannot be started.
RunResult run_program(const std::string& path, const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {}, const std::string& drop_prefix = "");

// The reference date of a test that gives none (no --today, no MINSHENG_TODAY): a fixed day inside the
// shipped calendar, so that no test depends on the day the suite runs.
inline constexpr const char* kTestToday = "2026-06-30";

// Runs the built program with these arguments (no shell), with MINSHENG_* variables cleared first and
// `env` (NAME=VALUE) added; MINSHENG_TODAY=kTestToday unless the arguments or `env` give a date.
RunResult run_minsheng(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// Runs `init` on `db` with supervisor 督办甲 and adds coordinator 王协调; returns `db`.
std::string init_station(const std::string& db);

// A database made by init_station in `dir`; returns its path.
std::string fresh_station(const TempDir& dir);

// The JSON a command printed; REQUIREs that it succeeded.
nlohmann::json ok_json(const RunResult& r);

// `audit verify --json` on `db`; REQUIREs that the command succeeded.
nlohmann::json audit_verify_json(const std::string& db);

// How many events `audit verify` counts in `db`.
long long event_count(const std::string& db);

// SPEC's error output: exactly one line, ending in a newline.
bool one_line(const std::string& err);

// Runs SQL on the database file behind the program's back; REQUIREs that it succeeds.
void sql_exec(const std::string& db, const std::string& sql);

// SQL that takes a current station back to schema `version` (8 or later), for the tests of older stations'
// migrations: undoes each later migration, newest first, and sets user_version. A new migration adds its
// undo in test_support.cpp.
std::string back_to_schema(int version);
// The newest migration back_to_schema can undo: the tests hold it to the program's schema_version().
int newest_undone_migration();

// The minsheng::Error that `f` throws; fails the test when it throws none.
Error error_of(const std::function<void()>& f);

// The whole file; empty when it cannot be read.
std::string read_text(const std::string& path);
// The whole file; REQUIREs that it can be opened.
std::string read_existing(const std::string& path);
void write_text(const std::string& path, const std::string& text);

}  // namespace minsheng::test
