// The web server under load (issue 18 "Load"; bench/load.sh runs it, never a test): CLIENTS signed-in
// clients, each on its own keep-alive connection and session, for SECONDS or until each has made MAX
// requests, 90% reads and 10% writes. Each client paces itself at RATE requests a second (a person at a
// browser pauses between clicks; the pauses vary by ±50% so the clients do not move in step); RATE 0 sends
// the next request as soon as the last is answered (the server's saturation, not a station's day). Prints,
// per endpoint, the requests, errors (any unexpected status or a failed connection), p50 and p99 in
// milliseconds, and the totals.
//
// Who signs in: the first SUPERVISOR_CLIENTS clients as the supervisors in turn, the others as the
// coordinators in turn (a station's staff: mostly coordinators, one or two supervisors), all with PASSWORD.
// "My cases in 办理" differs most between them (a coordinator's own cases are a few hundred; the supervisor
// who imported the ledger has acted on every case), so its figures are kept per person for supervisors and
// together for coordinators.
//
// Usage: load_client HOST PORT PASSWORD SUPERVISORS COORDINATORS [CLIENTS=50] [SECONDS=60] [MAX=2000]
//                    [RATE=2] [SUPERVISOR_CLIENTS=4]
//   SUPERVISORS, COORDINATORS: names separated by commas (COORDINATORS may be empty).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Samples {
    std::vector<double> ms;
    long errors = 0;
};

std::mutex samples_mutex;
std::map<std::string, Samples> samples;  // by endpoint

void record(std::map<std::string, Samples>& mine, const std::string& endpoint, double ms, bool ok) {
    Samples& s = mine[endpoint];
    s.ms.push_back(ms);
    if (!ok) ++s.errors;
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

std::vector<std::string> split_names(const std::string& list) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from <= list.size()) {
        const std::size_t comma = std::min(list.find(',', from), list.size());
        if (comma > from) out.push_back(list.substr(from, comma - from));
        from = comma + 1;
    }
    return out;
}

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(
            stderr,
            "usage: load_client HOST PORT PASSWORD SUPERVISORS COORDINATORS [CLIENTS] [SECONDS] [MAX] "
            "[RATE] [SUPERVISOR_CLIENTS]\n");
        return 2;
    }
    const std::string host = argv[1], password = argv[3];
    const std::vector<std::string> supervisors = split_names(argv[4]), coordinators = split_names(argv[5]);
    const int port = std::stoi(argv[2]);
    const int clients = argc > 6 ? std::stoi(argv[6]) : 50;
    const int seconds = argc > 7 ? std::stoi(argv[7]) : 60;
    const long max_requests = argc > 8 ? std::stol(argv[8]) : 2000;
    const double rate = argc > 9 ? std::stod(argv[9]) : 2.0;
    const int supervisor_clients =
        coordinators.empty() ? clients : std::min(clients, argc > 10 ? std::stoi(argv[10]) : 4);
    if (supervisors.empty()) {
        std::fprintf(stderr, "load_client: no supervisor named\n");
        return 2;
    }
    const std::string name = supervisors.front();  // reads the cases to work on, and the table after
    // Client t signs in as this person, with this label on its "my cases" figures.
    auto person = [&](int t) {
        if (t < supervisor_clients) {
            const std::string& s = supervisors[static_cast<std::size_t>(t) % supervisors.size()];
            return std::make_pair(s, "督办 " + s);
        }
        return std::make_pair(
            coordinators[static_cast<std::size_t>(t - supervisor_clients) % coordinators.size()],
            std::string("协调员"));
    };

    // The cases the clients read and write: running ones, from the first pages of the list.
    std::vector<std::string> ids;
    std::vector<std::string> addresses;
    {
        httplib::Client c(host, port);
        auto in =
            c.Post("/api/session", json{{"name", name}, {"password", password}}.dump(), "application/json");
        if (!in || in->status != 200) {
            std::fprintf(stderr, "load_client: cannot sign in as %s\n", name.c_str());
            return 1;
        }
        const std::string set = in->get_header_value("Set-Cookie");
        httplib::Headers h = {{"Cookie", set.substr(0, set.find(';'))}};
        for (int offset = 0; offset < 2000; offset += 500) {
            auto r = c.Get("/api/cases?phase=coordination&limit=500&offset=" + std::to_string(offset), h);
            if (!r || r->status != 200) break;
            const json page = json::parse(r->body);
            if (page["cases"].empty()) break;
            for (const auto& x : page["cases"]) {
                ids.push_back(x["id"]);
                const std::string a = x["address"];
                // What a clerk types into the search bar: the street and number of an address, without its
                // district (a district's name alone matches an eighth of the station).
                const std::size_t district = a.find("区"), number = a.find("号");
                const std::size_t from = district == std::string::npos ? 0 : district + 3;
                addresses.push_back(
                    a.substr(from, number == std::string::npos ? std::string::npos : number + 3 - from));
            }
        }
        if (ids.empty()) {
            std::fprintf(stderr, "load_client: the station has no case in 办理 to work on\n");
            return 1;
        }
    }

    // Every client signs in first (Argon2id: the server verifies one password at a time, ~50 ms each), then
    // the timed window starts for all at once: SECONDS of 50 signed-in clients, the sign-ins timed apart.
    std::atomic<long> total{0};
    std::latch signed_in(clients);
    std::latch go(1);
    Clock::time_point start, deadline;
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
        threads.emplace_back([&, t] {
            std::map<std::string, Samples> mine;
            std::mt19937 rng(static_cast<unsigned>(t) * 7919u + 1u);
            const auto [me, who] = person(t);
            httplib::Client c(host, port);
            c.set_keep_alive(true);
            // As browsers do: without it a POST's body waited for the server's delayed ACK of its headers
            // (Nagle), 40 ms on every write.
            c.set_tcp_nodelay(true);
            c.set_read_timeout(30, 0);
            const auto t0 = Clock::now();
            auto in =
                c.Post("/api/session", json{{"name", me}, {"password", password}}.dump(), "application/json");
            record(mine, "POST /api/session (before the window)",
                   std::chrono::duration<double, std::milli>(Clock::now() - t0).count(),
                   in && in->status == 200);
            if (!in)
                std::fprintf(stderr, "load_client: client %d could not sign in: %s\n", t,
                             httplib::to_string(in.error()).c_str());
            else if (in->status != 200)
                std::fprintf(stderr, "load_client: client %d could not sign in: %d %s\n", t, in->status,
                             in->body.c_str());
            signed_in.count_down();
            go.wait();
            if (in && in->status == 200) {
                const std::string set = in->get_header_value("Set-Cookie");
                const std::string csrf = json::parse(in->body)["csrf_token"];
                httplib::Headers h = {{"Cookie", set.substr(0, set.find(';'))}, {"X-CSRF-Token", csrf}};
                auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
                // The pause before each request: 1/RATE seconds on average, from half to one and a half of
                // it; the first one staggers the clients' starts.
                auto pause = [&] {
                    const double mean = 1.0 / rate;
                    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                        mean * (0.5 + static_cast<double>(rng() % 1000) / 1000.0)));
                };
                auto next = Clock::now();
                for (long n = 0; n < max_requests && Clock::now() < deadline; ++n) {
                    if (rate > 0) {
                        next += pause();
                        if (next > deadline) break;
                        if (next > Clock::now())
                            std::this_thread::sleep_until(next);
                        else
                            next = Clock::now();  // behind (a slow answer): no burst to catch up
                    }
                    const unsigned r = rng() % 100;
                    std::string endpoint;
                    int expect = 200;
                    const auto t0 = Clock::now();
                    int status = -1;  // none: the connection failed
                    auto st = [](const httplib::Result& x) { return x ? x->status : -1; };
                    if (r < 35) {
                        endpoint = "GET /api/cases (page)";
                        status = st(c.Get("/api/cases?limit=20&offset=" + std::to_string(rng() % 200), h));
                    } else if (r < 60) {
                        endpoint = "GET /api/cases/{id}";
                        status = st(c.Get("/api/cases/" + pick(ids), h));
                    } else if (r < 75) {
                        endpoint = "GET /api/cases?search=";
                        status = st(c.Get("/api/cases?limit=20&search=" + url_encode(pick(addresses)), h));
                    } else if (r < 85) {
                        endpoint = "GET /api/cases?mine=1&phase= (" + who + ")";
                        status = st(c.Get("/api/cases?mine=1&phase=coordination&limit=50", h));
                    } else if (r < 90) {
                        endpoint = "GET /api/audit/due-soon";
                        status = st(c.Get("/api/audit/due-soon?within=1", h));
                    } else if (r < 95) {
                        endpoint = "POST /api/cases";
                        expect = 201;
                        const json body = {
                            {"category", "排水"},
                            {"address", "压测路" + std::to_string(t) + "号" + std::to_string(n)},
                            {"summary", "压测：下水道堵塞"},
                            {"reporter", "压测"},
                            {"phone", "13800000000"},
                            {"channel", "来电"}};
                        status = st(c.Post("/api/cases", h, body.dump(), "application/json"));
                    } else {
                        endpoint = "POST /api/cases/{id}/actions (备注)";
                        status = st(c.Post("/api/cases/" + pick(ids) + "/actions", h,
                                           json{{"action", "note"}, {"note", "压测备注"}}.dump(),
                                           "application/json"));
                    }
                    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                    record(mine, endpoint, ms, status == expect);
                    ++total;
                }
            }
            std::lock_guard<std::mutex> lock(samples_mutex);
            for (auto& [e, s] : mine) {
                Samples& all = samples[e];
                all.ms.insert(all.ms.end(), s.ms.begin(), s.ms.end());
                all.errors += s.errors;
            }
        });
    }
    signed_in.wait();
    start = Clock::now();
    deadline = start + std::chrono::seconds(seconds);
    go.count_down();
    for (auto& th : threads)
        th.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    // The supervisor's per-department table reads every case: not part of the mix (a supervisor opens it a
    // few times a day), timed alone after it, five times.
    {
        httplib::Client c(host, port);
        c.set_read_timeout(60, 0);
        auto in =
            c.Post("/api/session", json{{"name", name}, {"password", password}}.dump(), "application/json");
        const std::string set = in ? in->get_header_value("Set-Cookie") : "";
        const httplib::Headers h = {{"Cookie", set.substr(0, set.find(';'))}};
        std::map<std::string, Samples> mine;
        for (int i = 0; i < 5; ++i) {
            const auto t0 = Clock::now();
            auto r = c.Get("/api/desk/departments", h);
            record(mine, "GET /api/desk/departments (alone, after)",
                   std::chrono::duration<double, std::milli>(Clock::now() - t0).count(),
                   r && r->status == 200);
        }
        for (auto& [e, x] : mine)
            samples[e] = x;
    }

    std::printf("| endpoint | requests | errors | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n");
    long errors = 0;
    for (auto& [e, s] : samples) {
        errors += s.errors;
        std::printf("| %s | %zu | %ld | %.1f | %.1f |\n", e.c_str(), s.ms.size(), s.errors,
                    percentile(s.ms, 0.50), percentile(s.ms, 0.99));
    }
    std::printf(
        "\n%ld requests (the mix) from %d clients (%d signed in as %zu supervisors, %d as %zu coordinators) "
        "in "
        "%.1f s (%.0f/s; each client paced at %s), %ld errors\n",
        total.load(), clients, supervisor_clients, supervisors.size(), clients - supervisor_clients,
        coordinators.size(), elapsed, static_cast<double>(total.load()) / elapsed,
        rate > 0 ? (std::to_string(rate) + "/s").c_str() : "no pause", errors);
    return errors == 0 ? 0 : 1;
}
