// Several `minsheng` processes writing one database at the same time (SPEC.md "Storage"): all succeed, no
// "database is locked" reaches the user, nothing is lost, ids stay unique and the hash chain stays intact.

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "prelude.h"

namespace {

const std::string kCoordinator = "王协调";

// Runs `workers` threads, each starting the program `per_worker` times one after another, so `workers`
// processes are running at any moment. args(w, i) gives the arguments of worker w's i-th run.
template <class Args>
std::vector<std::vector<RunResult>> run_concurrently(int workers, int per_worker, Args&& args) {
    std::vector<std::vector<RunResult>> results(static_cast<size_t>(workers));
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            auto& mine = results[static_cast<size_t>(w)];
            for (int i = 0; i < per_worker; ++i)
                mine.push_back(run_minsheng(args(w, i)));
        });
    }
    for (auto& t : threads)
        t.join();
    return results;
}

void check_all_succeeded(const std::vector<std::vector<RunResult>>& results) {
    for (size_t w = 0; w < results.size(); ++w) {
        for (size_t i = 0; i < results[w].size(); ++i) {
            const RunResult& r = results[w][i];
            CAPTURE(w, i, r.err);
            CHECK(r.exit_code == 0);
            CHECK(r.err.find("占用") == std::string::npos);
            CHECK(r.err.find("locked") == std::string::npos);
            CHECK(r.err.find("busy") == std::string::npos);
            CHECK(r.err.empty());
        }
    }
}

}  // namespace

TEST_CASE("processes opening cases at the same time all succeed and lose nothing", "[concurrency][e2e]") {
    const int workers = GENERATE(4, 8);
    const int per_worker = 25;
    CAPTURE(workers);
    TempDir dir;
    const std::string db = fresh_station(dir);

    const auto results = run_concurrently(workers, per_worker, [&](int w, int i) {
        return std::vector<std::string>{"--db",
                                        db,
                                        "--as",
                                        kCoordinator,
                                        "--json",
                                        "case",
                                        "open",
                                        "--category",
                                        "drainage",
                                        "--address",
                                        "幸福路" + std::to_string(w) + "弄" + std::to_string(i) + "号",
                                        "--summary",
                                        "下水道堵塞",
                                        "--at",
                                        "2024-03-04T09:00"};
    });
    check_all_succeeded(results);

    // Every open printed a new id, and no two the same.
    std::set<std::string> printed;
    for (const auto& worker : results)
        for (const auto& r : worker) {
            if (r.exit_code != 0) continue;
            const json j = json::parse(r.out);
            CHECK(j.at("repeat") == false);
            printed.insert(j.at("id").get<std::string>());
        }
    CHECK(printed.size() == static_cast<size_t>(workers * per_worker));

    // Every case is there, once, at its own address.
    const json list = ok_json(
        run_minsheng({"--db", db, "--as", kCoordinator, "--today", "2024-03-04", "--json", "case", "list"}));
    REQUIRE(list.size() == static_cast<size_t>(workers * per_worker));
    std::set<std::string> ids, addresses;
    for (const auto& c : list) {
        ids.insert(c.at("id").get<std::string>());
        addresses.insert(c.at("address").get<std::string>());
        CHECK(c.at("phase") == "intake");
        CHECK(c.at("deadline") == "2024-04-01");
    }
    CHECK(ids == printed);
    CHECK(addresses.size() == list.size());

    const json verify = audit_verify_json(db);
    CHECK(verify.at("ok") == true);
    CHECK(verify.at("events") == workers * per_worker + 1);  // + 王协调's registration
    CHECK(verify.at("cases") == workers * per_worker);
}

TEST_CASE("simultaneous reports of one address make one case with repeats, not several cases",
          "[concurrency][e2e]") {
    const int workers = 6;
    const int per_worker = 5;
    TempDir dir;
    const std::string db = fresh_station(dir);
    const auto results = run_concurrently(workers, per_worker, [&](int, int) {
        return std::vector<std::string>{
            "--db",      db,          "--as",           kCoordinator, "--json",
            "case",      "open",      "--category",     "drainage",   "--address",
            "海福巷3号", "--summary", "污水漫到人行道", "--at",       "2024-03-04T09:00"};
    });
    check_all_succeeded(results);
    std::set<std::string> ids;
    int repeats = 0;
    for (const auto& worker : results)
        for (const auto& r : worker) {
            if (r.exit_code != 0) continue;
            const json j = json::parse(r.out);
            ids.insert(j.at("id").get<std::string>());
            if (j.at("repeat") == true) ++repeats;
        }
    CHECK(ids.size() == 1);
    CHECK(repeats == workers * per_worker - 1);
    const json list = ok_json(run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "list"}));
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("repeat_count") == workers * per_worker - 1);
    const json verify = audit_verify_json(db);
    CHECK(verify.at("ok") == true);
    CHECK(verify.at("events") == workers * per_worker + 1);  // + 王协调's registration
}

TEST_CASE("processes acting on one case at the same time all succeed, each event kept",
          "[concurrency][e2e]") {
    const int workers = 4;
    const int per_worker = 10;
    TempDir dir;
    const std::string db = fresh_station(dir);
    const json opened = ok_json(
        run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "open", "--category", "drainage",
                      "--address", "海福巷3号", "--summary", "下水道堵塞", "--at", "2024-03-04T09:00"}));
    const std::string id = opened.at("id");
    const auto results = run_concurrently(workers, per_worker, [&](int w, int i) {
        return std::vector<std::string>{"--db",   db,
                                        "--as",   kCoordinator,
                                        "case",   "do",
                                        id,       "note",
                                        "--note", "进展 " + std::to_string(w) + "-" + std::to_string(i),
                                        "--at",   "2024-03-05T09:00"};
    });
    check_all_succeeded(results);
    const json history =
        ok_json(run_minsheng({"--db", db, "--as", kCoordinator, "--json", "case", "history", id}));
    CHECK(history.size() == static_cast<size_t>(1 + workers * per_worker));
    std::set<std::string> notes;
    for (const auto& e : history)
        if (e.at("action") == "note") notes.insert(e.at("note").get<std::string>());
    CHECK(notes.size() == static_cast<size_t>(workers * per_worker));
    const json verify = audit_verify_json(db);
    CHECK(verify.at("ok") == true);
}
