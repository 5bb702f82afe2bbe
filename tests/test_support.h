// Helpers for the tests: temporary folders that clean up after themselves, and running the built
// `minsheng` program with its stdout, stderr and exit code captured.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

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

// Runs the built program with these arguments (no shell), with MINSHENG_* variables cleared first and
// `env` (NAME=VALUE) added.
RunResult run_minsheng(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// A database made by `init` in `dir` with supervisor 督办甲 and coordinator 王协调; returns its path.
std::string fresh_station(const TempDir& dir);

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

}  // namespace minsheng::test
