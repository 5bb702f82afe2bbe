// The server itself: listening, limits and timeouts, security headers, the embedded workspace, the access
// log, and a clean stop on SIGINT/SIGTERM. The API's routes are in api.cpp.
#include "server/serve.h"

#include <httplib.h>
#include <malloc.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>

#include "engine/error.h"
#include "server/api.h"
#include "server/assets.h"
#include "usecases/station.h"

namespace minsheng::server {

namespace {

// A station's requests are small; an imported ledger is the largest body (8 MiB is ~50,000 rows).
constexpr std::size_t kMaxBody = 8u * 1024u * 1024u;
constexpr std::size_t kWorkers = 64;
constexpr int kListenBacklog = 128;

thread_local std::chrono::steady_clock::time_point request_start;

std::string content_type(const std::string& path) {
    auto ends = [&](const char* ext) {
        const std::string e = ext;
        return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    if (ends(".woff")) return "font/woff";
    if (ends(".ttf")) return "font/ttf";
    return "application/octet-stream";
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

void parse_listen(const std::string& text, ServeOptions& o) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw usage_error("--listen 应为 地址:端口，例如 127.0.0.1:8311");
    std::string host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    int p = 0;
    try {
        size_t used = 0;
        p = std::stoi(port, &used);
        if (used != port.size()) p = 0;
    } catch (const std::exception&) {
        p = 0;
    }
    if (p < 1 || p > 65535) throw usage_error("--listen 的端口应为 1 到 65535：" + text);
    o.host = host.empty() ? "127.0.0.1" : host;
    o.port = p;
}

int serve(const ServeOptions& o) {
    // glibc gives threads their own malloc arenas (up to 8 per core), each keeping the memory its threads
    // freed: with a worker per connection the server's resident memory grew with the arenas, not with the
    // work. Two arenas serve two cores; requests hold the allocator only briefly.
    mallopt(M_ARENA_MAX, 2);
    // Opened once up front: a missing or foreign database is the command's error, not every request's.
    { Station check(o.db_path); }

    // SIGINT and SIGTERM are taken by one thread with sigwait (blocked in every thread, which inherit the
    // mask), which then stops the server: the listener closes, requests in flight finish.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    httplib::Server svr;
    // A worker thread per keep-alive connection (cpp-httplib's model): enough for a station's staff all
    // signed in at once. Threads are cheap; the database connections they share are few (api.cpp).
    svr.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
    svr.set_payload_max_length(kMaxBody);
    svr.set_read_timeout(10, 0);
    svr.set_write_timeout(10, 0);
    svr.set_keep_alive_timeout(5);
    svr.set_keep_alive_max_count(100);
    // An answer's headers and body leave at once, not the body after the client's delayed ACK (Nagle).
    svr.set_tcp_nodelay(true);

    std::ostream& log = o.log ? *o.log : std::cerr;
    std::mutex log_mutex;

    svr.set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
        request_start = std::chrono::steady_clock::now();
        reset_request_user();
        // No inline script anywhere; the page may not be framed; types are what the server says.
        res.set_header("Content-Security-Policy",
                       "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
                       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("X-Frame-Options", "DENY");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("Cache-Control", "no-store");
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // One line per request: time, client, signed-in name, method, path (no query string: it may hold a
    // resident's phone number), status, milliseconds. Never a body, cookie or token.
    svr.set_logger([&](const httplib::Request& req, const httplib::Response& res) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - request_start)
                            .count();
        const std::string& user = request_user();
        std::lock_guard<std::mutex> lock(log_mutex);
        log << utc_now() << ' ' << req.remote_addr << ' ' << (user.empty() ? "-" : user) << ' ' << req.method
            << ' ' << req.path << ' ' << res.status << ' ' << ms << "ms\n"
            << std::flush;
    });

    install_workspace_api(svr, o);
    install_api(svr, o);

    // The workspace: only the embedded files, looked up by exact path (no file system, no traversal).
    svr.Get(R"(/.*)", [](const httplib::Request& req, httplib::Response& res) {
        const std::string path = req.path == "/" ? "/index.html" : req.path;
        for (const auto& a : web_assets()) {
            if (a.path == path) {
                // Through a provider of known length, which cpp-httplib sends as it is: its own compression
                // would run Brotli at the highest quality on every request (9 s for the 1 MB script on
                // this machine). The files are sent once per browser and then cached.
                const std::string_view bytes = a.bytes;
                res.set_content_provider(bytes.size(), content_type(path).c_str(),
                                         [bytes](size_t offset, size_t length, httplib::DataSink& sink) {
                                             sink.write(bytes.data() + offset, length);
                                             return true;
                                         });
                // Built files carry a content hash in their names: they may be cached for good.
                if (path.rfind("/assets/", 0) == 0)
                    res.set_header("Cache-Control", "public, max-age=31536000, immutable");
                return;
            }
        }
        res.status = 404;
        res.set_content("未找到：" + req.path, "text/plain; charset=utf-8");
    });

    svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(R"({"error":"服务器内部错误"})", "application/json; charset=utf-8");
    });

    // Debian's cpp-httplib (0.11) listens with a backlog of 5, fixed when it was compiled: fifty clients
    // connecting at once overflowed it, and a connection the kernel held back longer than the keep-alive wait
    // was closed unanswered (measured: 30 of 50 sign-ins failed). The listening socket, seen here as it is
    // made, listens again with a queue for a station's staff.
    int listener = -1;
    svr.set_socket_options([&listener](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        listener = sock;
    });
    if (!svr.bind_to_port(o.host.c_str(), o.port))
        throw usage_error("无法监听 " + o.host + ":" + std::to_string(o.port) + "：端口已被占用或地址无效");
    if (listener >= 0) ::listen(listener, kListenBacklog);

    std::thread stopper([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        svr.stop();
    });
    {
        std::lock_guard<std::mutex> lock(log_mutex);
        log << "minsheng: 工作台已启动：http://"
            << (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) << ":" << o.port
            << "/（Ctrl+C 停止）\n"
            << std::flush;
    }
    svr.listen_after_bind();
    // Stopped by a signal (the stopper returned), or the listener failed: wake the stopper then.
    if (stopper.joinable()) {
        pthread_kill(stopper.native_handle(), SIGTERM);
        stopper.join();
    }
    log << "minsheng: 工作台已停止\n" << std::flush;
    return 0;
}

}  // namespace minsheng::server
