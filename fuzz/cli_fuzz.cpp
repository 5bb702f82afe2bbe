// libFuzzer target for the command line: `minsheng::cli::run` over argument lists made from the input,
// against a small real station (restored before every run, so runs do not depend on each other), a missing
// database, or the input's own bytes taken as a database file. Whatever the arguments, the contract of
// SPEC.md holds: an exit code 0-5, exactly one line on stderr when it fails (warnings only when it succeeds),
// never an "internal error", and the station still verifies afterwards.
//
// Input: byte 0 chooses the setting (bits 0-1 the database, 2-3 the actor, 4 --today, 5 --json); the rest up
// to the first "\0\0" is the argument list, split on NUL or newline; what follows "\0\0", if anything,
// becomes the file `in.csv` that arguments may name (an import ledger, a workflow or calendar YAML, a report
// target).
//
// Everything runs inside a scratch folder; arguments containing '/' are dropped, so no path leaves it.
// Set MINSHENG_FUZZ_KNOWN to a '|'-separated list of message fragments to tolerate bugs already reported
// while fuzzing on for others.
//
// The checking is in minsheng::fuzz::CliSandbox so the Catch2 regression test (tests/faults) runs the very
// same code over the kept inputs; define MINSHENG_FUZZ_NO_ENTRY to leave out libFuzzer's entry points.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "usecases/station.h"

namespace minsheng::fuzz {

class CliSandbox {
public:
    // Makes `dir` (which must exist and be empty) the scratch folder and builds the station in it.
    explicit CliSandbox(std::string dir) : dir_(std::move(dir)) {
        for (const char* v : {"MINSHENG_DB", "MINSHENG_ACTOR"})
            ::unsetenv(v);
        // A fixed reference date (unless the input gives --today): what an input does must not depend on
        // the day the fuzzer or the regression test runs.
        ::setenv("MINSHENG_TODAY", "2026-06-30", 1);
        const Cwd here(dir_);
        auto must = [](std::vector<std::string> args) {
            std::ostringstream out, err;
            if (invoke(args, out, err) != 0) {
                std::fprintf(stderr, "cli_fuzz: setting up the station failed: %s\n", err.str().c_str());
                std::abort();
            }
        };
        must({"--db", "station.db", "--as", "督办甲", "init"});
        must({"--db", "station.db", "--as", "督办甲", "staff", "add", "王协调", "--role", "coordinator"});
        const char* at = "2024-03-04T09:00";
        must({"--db", "station.db", "--as", "王协调", "case", "open", "--category", "drainage", "--address",
              "海福巷3号", "--summary", "下水道堵塞", "--reporter", "宋长松", "--phone", "13812341234",
              "--at", at});
        must({"--db", "station.db", "--as", "王协调", "case", "open", "--category", "road", "--address",
              "幸福路1号", "--summary", "路面坑洼", "--at", at});
        must({"--db", "station.db", "--as", "王协调", "case", "open", "--category", "dibao", "--address",
              "和平里2号", "--summary", "低保申请", "--at", at});
        must({"--db", "station.db", "--as", "王协调", "case", "do", "2024-0001", "dispatch", "--department",
              "街道城管科", "--at", "2024-03-05T09:00"});
        must({"--db", "station.db", "--as", "王协调", "case", "do", "2024-0001", "resolve", "--set",
              "root_cause=管道老化", "--at", "2024-03-06T09:00"});
        pristine_ = read("station.db");
        keep_ = {"station.db", "in.csv"};
    }

    // Runs one input; returns "" when the contract held, else what broke.
    std::string one(const std::uint8_t* data, std::size_t size) {
        if (size == 0) return "";
        const Cwd here(dir_);
        const std::uint8_t mode = data[0];
        std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
        std::string file;
        const auto split = rest.find(std::string("\0\0", 2));
        if (split != std::string::npos) {
            file = rest.substr(split + 2);
            rest.resize(split);
        }
        std::vector<std::string> tokens;
        std::string cur;
        for (char c : rest + '\n') {
            if (c == '\0' || c == '\n') {
                if (cur.find('/') == std::string::npos && tokens.size() < 48) tokens.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        // A clean scratch folder: the pristine station, the input's file, nothing else.
        clean();
        write("station.db", pristine_);
        write("in.csv", file);

        static const char* dbs[] = {"station.db", "absent.db", "station.db", "in.csv"};
        std::vector<std::string> args = {"--db", dbs[mode & 3]};
        if (mode & 4)
            args.insert(args.end(), {"--as", "督办甲"});
        else if (mode & 8)
            args.insert(args.end(), {"--as", "王协调"});
        if (mode & 16) args.insert(args.end(), {"--today", "2024-03-05"});
        if (mode & 32) args.push_back("--json");
        args.insert(args.end(), tokens.begin(), tokens.end());

        std::ostringstream out, err;
        const int rc = invoke(args, out, err);
        const std::string e = err.str();
        std::string problem;
        const bool workflow_check = has(tokens, "workflow") && has(tokens, "check");
        if (rc < 0 || rc > 5) {
            problem = "exit code " + std::to_string(rc) + " is not one of SPEC's 0-5";
        } else if (starts_a_line(e, "minsheng: 内部错误") || starts_a_line(e, "minsheng: internal error")) {
            // At the start of a line: the words may be part of the input a refusal quotes back.
            problem = "an internal error reached the user";
        } else if (rc != 0 && !(workflow_check && rc == 3)) {
            // A refused import lists every bad row (SPEC: at most 20, then how many more), one line each;
            // every other failure is exactly one line.
            const bool import_rows = has(tokens, "import") && rc == 3;
            const auto lines = std::count(e.begin(), e.end(), '\n');
            if (e.empty() || e.back() != '\n' || lines < 1 || lines > (import_rows ? 21 : 1))
                problem = import_rows ? "a refused import must print 1-21 lines on stderr"
                                      : "a failure must print exactly one line on stderr";
            // People read Chinese (SPEC Part 2): every line of a refusal says it in Chinese.
            std::istringstream lines_in(e);
            std::string line;
            while (problem.empty() && std::getline(lines_in, line))
                if (std::none_of(line.begin(), line.end(),
                                 [](char ch) { return static_cast<unsigned char>(ch) >= 0xE3; }))
                    problem = "a refusal is not in Chinese: " + line;
        } else if (rc == 0 && !workflow_check) {
            std::istringstream lines(e);
            std::string line;
            while (std::getline(lines, line))
                if (line.rfind("minsheng: 提醒：", 0) != 0)
                    problem = "a success printed a non-warning on stderr";
        }
        if (problem.empty() && (mode & 3) != 1 && (mode & 3) != 3) {
            // The station must still be whole, whatever the command did to it.
            try {
                Station st("station.db");
                const VerifyResult v = st.verify();
                if (!v.ok) problem = "the station no longer verifies: " + v.problem;
            } catch (const std::exception& x) {
                problem = std::string("the station can no longer be opened: ") + x.what();
            }
        }
        if (!problem.empty() && known(e)) problem.clear();
        if (problem.empty()) return "";
        std::string shown;
        for (const auto& a : args)
            shown += "[" + a + "] ";
        return problem + "\n  args: " + shown + "\n  exit: " + std::to_string(rc) + "\n  stderr: " + e;
    }

private:
    // Changes into a folder for the lifetime of the object.
    struct Cwd {
        std::string old;
        explicit Cwd(const std::string& to) {
            char buf[4096];
            if (::getcwd(buf, sizeof buf)) old = buf;
            if (::chdir(to.c_str()) != 0) {
                std::perror("cli_fuzz: chdir");
                std::abort();
            }
        }
        ~Cwd() {
            if (!old.empty() && ::chdir(old.c_str()) != 0) std::perror("cli_fuzz: chdir back");
        }
        Cwd(const Cwd&) = delete;
        Cwd& operator=(const Cwd&) = delete;
    };

    static int invoke(std::vector<std::string> args, std::ostream& out, std::ostream& err) {
        args.insert(args.begin(), "minsheng");
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        return cli::run(static_cast<int>(args.size()), argv.data(), out, err,
                        cli::Parts{&cli::full_program(), nullptr});
    }

    // Whether a line of `text` starts with `prefix`.
    static bool starts_a_line(const std::string& text, const std::string& prefix) {
        for (std::size_t at = 0; at < text.size();) {
            if (text.compare(at, prefix.size(), prefix) == 0) return true;
            const std::size_t nl = text.find('\n', at);
            if (nl == std::string::npos) break;
            at = nl + 1;
        }
        return false;
    }

    static bool has(const std::vector<std::string>& v, const char* s) {
        for (const auto& x : v)
            if (x == s) return true;
        return false;
    }

    static bool known(const std::string& err) {
        const char* k = std::getenv("MINSHENG_FUZZ_KNOWN");
        if (!k || !*k) return false;
        std::string list = k;
        std::size_t start = 0;
        while (start <= list.size()) {
            const std::size_t bar = list.find('|', start);
            const std::string frag =
                list.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
            if (!frag.empty() && err.find(frag) != std::string::npos) return true;
            if (bar == std::string::npos) break;
            start = bar + 1;
        }
        return false;
    }

    static std::string read(const std::string& name) {
        std::ifstream in(name, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    static void write(const std::string& name, const std::string& text) {
        std::ofstream out(name, std::ios::binary | std::ios::trunc);
        out << text;
    }
    // Removes whatever the last run left (new databases, reports, -wal and -shm files, folders it made).
    void clean() {
        DIR* d = ::opendir(".");
        if (!d) return;
        std::vector<std::string> gone;
        while (dirent* e = ::readdir(d)) {
            const std::string n = e->d_name;
            if (n == "." || n == "..") continue;
            bool keep = false;
            for (const auto& k : keep_)
                keep = keep || n == k;
            if (!keep) gone.push_back(n);
        }
        ::closedir(d);
        for (const auto& n : gone)
            if (std::remove(n.c_str()) != 0) {
                ::chmod(n.c_str(), 0700);
                std::remove(n.c_str());
            }
    }

    std::string dir_;
    std::string pristine_;
    std::vector<std::string> keep_;
};

}  // namespace minsheng::fuzz

#ifndef MINSHENG_FUZZ_NO_ENTRY
namespace {
minsheng::fuzz::CliSandbox* sandbox = nullptr;
std::string sandbox_dir;
void remove_sandbox() {
    std::error_code ec;
    std::filesystem::remove_all(sandbox_dir, ec);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // A RAM-backed folder when there is one: every run rewrites the station.
    const char* base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(base) + "/minsheng-cli-fuzz-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        std::perror("cli_fuzz: mkdtemp");
        std::abort();
    }
    sandbox_dir = tmpl;
    std::atexit(remove_sandbox);
    sandbox = new minsheng::fuzz::CliSandbox(tmpl);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string problem = sandbox->one(data, size);
    if (!problem.empty()) {
        std::fprintf(stderr, "cli_fuzz: %s\n", problem.c_str());
        std::abort();
    }
    return 0;
}
#endif
