// Reads that must see one state of the station while other processes write (SPEC "Storage": several
// processes at once): `audit verify` must not mistake a write that lands mid-check for a deleted end of the
// log, and `audit overdue --as-of` must not list a case twice when it changes mid-audit. Each reads inside
// one read transaction; before that, both failed here within a few seconds.

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "prelude.h"
#include "usecases/station.h"

namespace {

#ifdef MINSHENG_SANITIZE_BUILD
constexpr auto kRunFor = std::chrono::seconds(3);
#else
constexpr auto kRunFor = std::chrono::seconds(4);
#endif

// Opens `n` cases received on 2024-03-04 (deadline 2024-04-01), all overdue by 2024-06-28, in one import.
void seed(const TempDir& dir, const std::string& db, int n) {
    std::string csv = "received_at,category,address,summary\n";
    for (int i = 0; i < n; ++i)
        csv += "2024-03-04 09:00,road,并发路" + std::to_string(i) + "号,路面坑洼\n";
    const std::string file = dir.file("seed.csv");
    minsheng::test::write_text(file, csv);
    const auto r = run_minsheng({"--db", db, "--as", "王协调", "--today", "2024-03-04", "import", file});
    REQUIRE(r.exit_code == 0);
}

// Writers that keep adding notes (dated now, so each noted case changes after any past as-of date) and new
// cases, until `stop`.
std::vector<std::thread> start_writers(const std::string& db, int cases, std::atomic<bool>& stop,
                                       std::atomic<int>& writes) {
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
        writers.emplace_back([&stop, &writes, db, cases, w] {
            for (int i = 0; !stop; ++i) {
                const std::string id = "2024-" +
                                       std::string(4 - std::to_string(1 + (i * 7 + w) % cases).size(), '0') +
                                       std::to_string(1 + (i * 7 + w) % cases);
                const auto r =
                    i % 3 == 0
                        ? run_minsheng({"--db", db, "--as", "王协调", "--today", "2024-07-01", "case", "open",
                                        "--category", "drainage", "--address",
                                        "写入巷" + std::to_string(w) + "-" + std::to_string(i), "--summary",
                                        "积水", "--at", "2024-07-01T09:00"})
                        : run_minsheng({"--db", db, "--as", "王协调", "--today", "2024-07-01", "case", "do",
                                        id, "note", "--note", "跟进", "--at", "2024-07-01T09:00"});
                if (r.exit_code == 0) ++writes;
            }
        });
    }
    return writers;
}

}  // namespace

TEST_CASE("audit verify reads one state of the log while others write", "[faults][concurrency]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    constexpr int kCases = 300;
    seed(dir, db, kCases);
    std::atomic<bool> stop{false};
    std::atomic<int> writes{0};
    auto writers = start_writers(db, kCases, stop, writes);
    int checks = 0;
    std::string problem;
    const auto until = std::chrono::steady_clock::now() + kRunFor;
    while (std::chrono::steady_clock::now() < until && problem.empty()) {
        minsheng::Station st(db);
        const auto v = st.verify();
        if (!v.ok) problem = v.problem;
        ++checks;
    }
    stop = true;
    for (auto& t : writers)
        t.join();
    INFO("checks: " << checks << ", writes: " << writes);
    CHECK(problem.empty());
    CHECK(writes > 0);
}

TEST_CASE("audit overdue --as-of lists each case once while others write", "[faults][concurrency]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    constexpr int kCases = 300;
    seed(dir, db, kCases);
    std::atomic<bool> stop{false};
    std::atomic<int> writes{0};
    auto writers = start_writers(db, kCases, stop, writes);
    int audits = 0;
    std::string twice;
    std::size_t listed = 0;
    const auto until = std::chrono::steady_clock::now() + kRunFor;
    while (std::chrono::steady_clock::now() < until && twice.empty()) {
        minsheng::Station st(db);
        const auto rows = st.overdue_as_of(minsheng::parse_date("2024-06-28"));
        std::set<std::string> seen;
        for (const auto& [c, v] : rows)
            if (!seen.insert(c.id).second) twice = c.id;
        listed = rows.size();
        ++audits;
    }
    stop = true;
    for (auto& t : writers)
        t.join();
    INFO("audits: " << audits << ", writes: " << writes << ", last listed: " << listed);
    CHECK(twice.empty());
    CHECK(listed == static_cast<std::size_t>(kCases));
    CHECK(writes > 0);
}
