// What the server tests share: a running `minsheng serve` on a free port over a station in a temporary
// folder, and a browser-like client that keeps the session cookie and sends the CSRF token.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "prelude.h"

namespace server_test {

inline int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

// Runs the program with `input` as its standard input (a file), for `staff passwd --password-stdin`.
inline RunResult run_with_stdin(const std::vector<std::string>& args, const std::string& input,
                                const TempDir& dir) {
    const std::string in = dir.file("stdin.txt"), out = dir.file("out.txt"), err = dir.file("err.txt");
    write_text(in, input);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int fd = ::open(in.c_str(), O_RDONLY);
        ::dup2(fd, 0);
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<std::string> all = {MINSHENG_BIN};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : all)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::unsetenv("MINSHENG_DB");
        ::unsetenv("MINSHENG_ACTOR");
        ::setenv("MINSHENG_TODAY", kTestToday, 1);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {exit_code_of(status), read_text(out), read_text(err)};
}

// A running `minsheng serve` on a free port; stopped with SIGTERM on destruction (or by stop()).
class Server {
public:
    Server(const TempDir& dir, const std::string& db, const std::vector<std::string>& extra = {},
           const std::string& today = kTestToday)
        : log_(dir.file("serve.log")), port_(free_port()) {
        std::vector<std::string> args = {
            "--db", db, "--today", today, "serve", "--listen", "127.0.0.1:" + std::to_string(port_)};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = start_program(MINSHENG_BIN, args, dir.file("serve.out"), log_, {}, "MINSHENG_");
        REQUIRE(pid_ > 0);
        for (int i = 0; i < 200; ++i) {
            httplib::Client c("127.0.0.1", port_);
            if (c.Get("/api/me")) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL("minsheng serve did not start: " << read_text(log_));
    }
    ~Server() {
        if (pid_ > 0) stop();
    }
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return exit_code_of(status);
    }
    int port() const { return port_; }
    std::string log() const { return read_text(log_); }

private:
    std::string log_;
    int port_;
    pid_t pid_ = -1;
};

// A browser-like client: keeps the session cookie and sends the CSRF token on writes once signed in.
struct Browser {
    explicit Browser(int port) : c("127.0.0.1", port) {}
    httplib::Client c;
    std::string cookie, csrf;

    httplib::Headers headers(bool with_csrf = true) const {
        httplib::Headers h;
        if (!cookie.empty()) h.emplace("Cookie", cookie);
        if (with_csrf && !csrf.empty()) h.emplace("X-CSRF-Token", csrf);
        return h;
    }
    httplib::Result sign_in(const std::string& name, const std::string& password) {
        auto r =
            c.Post("/api/session", json{{"name", name}, {"password", password}}.dump(), "application/json");
        if (r && r->status == 200) {
            const std::string set = r->get_header_value("Set-Cookie");
            cookie = set.substr(0, set.find(';'));
            csrf = json::parse(r->body)["csrf_token"];
        }
        return r;
    }
    httplib::Result get(const std::string& path) { return c.Get(path.c_str(), headers()); }
    httplib::Result post(const std::string& path, const json& body, bool with_csrf = true) {
        return c.Post(path.c_str(), headers(with_csrf), body.dump(), "application/json");
    }
};

inline json body(const httplib::Result& r) {
    REQUIRE(r);
    return json::parse(r->body);
}

// A drainage report at `address` as POST /api/cases takes it.
inline json report_of(const std::string& address, const std::string& reporter, const std::string& phone,
                      const std::string& at) {
    return {{"category", "排水"},
            {"address", address},
            {"summary", "下水道堵塞"},
            {"reporter", reporter},
            {"phone", phone},
            {"channel", "来电"},
            {"at", at}};
}

// Opens a case through the API (201) and gives its id.
inline std::string open_case(Browser& b, const json& report) {
    auto r = b.post("/api/cases", report);
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 201);
    return body(r)["id"];
}

struct SignedStation {
    TempDir dir;
    std::string db = fresh_station(dir);  // 督办甲 (supervisor), 王协调 (coordinator)
    SignedStation() {
        REQUIRE(
            run_with_stdin({"--db", db, "--as", "督办甲", "staff", "passwd", "督办甲", "--password-stdin"},
                           "督办的密码1234\n", dir)
                .exit_code == 0);
        REQUIRE(
            run_with_stdin({"--db", db, "--as", "督办甲", "staff", "passwd", "王协调", "--password-stdin"},
                           "协调员密码5678\n", dir)
                .exit_code == 0);
    }
};

}  // namespace server_test

using namespace server_test;
