// Fault injection: eight `minsheng` processes writing one station at once for several seconds — new cases,
// repeat reports, notes and dispatches on existing cases, reads, and one bulk `import` in the middle of it
// (SPEC.md "Storage": several processes writing at once must all succeed and lose nothing).
//
// Afterwards every success is accounted for (cases, events, repeat counts, each case's history), the hash
// chain verifies, and the projection equals a rebuild from the events alone.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "prelude.h"
#include "usecases/station.h"

namespace {

#ifdef MINSHENG_SANITIZE_BUILD
constexpr auto kRunFor = std::chrono::seconds(4);
constexpr int kImportRows = 150;
#else
constexpr auto kRunFor = std::chrono::seconds(5);
constexpr int kImportRows = 300;
#endif
constexpr int kWorkers = 8;
constexpr int kPreopened = 12;

const std::string kCoordinator = "王协调";
const std::string kToday = "2024-03-05";
const std::string kActAt = "2024-03-05T10:00";  // every concurrent write happens "at" the same minute
const std::string kSharedAddress = "共享巷1号";

// A failed command must still keep SPEC's contract: an exit code of 1-5, one line on stderr, and never a
// lock error surfacing.
void check_clean_failure(const RunResult& r) {
    CHECK(r.exit_code >= 1);
    CHECK(r.exit_code <= 5);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("占用") == std::string::npos);
    CHECK(r.err.find("locked") == std::string::npos);
    CHECK(r.err.find("busy") == std::string::npos);
}

std::vector<std::string> base(const std::string& db) {
    return {"--db", db, "--as", kCoordinator, "--today", kToday};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
}

std::string import_csv(int rows) {
    static const char* categories[] = {"drainage", "road", "sanitation", "排水/下水道"};
    std::string csv = "received_at,category,address,summary,reporter,phone,channel\n";
    for (int i = 0; i < rows; ++i)
        csv += "2024-03-05 09:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + "," +
               categories[i % 4] + ",导入路" + std::to_string(i) + "号,\"积水, 第" + std::to_string(i) +
               "行\",居民" + std::to_string(i) + ",1380000" + std::to_string(1000 + i) + ",来电\n";
    return csv;
}

// What the workers observed, merged under a lock.
struct Tally {
    std::mutex m;
    std::set<std::string> new_ids;
    int new_cases = 0;
    int repeats = 0;
    int notes = 0;
    int dispatches = 0;
    int reads = 0;
    int failures = 0;
    int imported_cases = -1;
    std::map<std::string, int> actions_on;  // case id -> successful note/dispatch count
};

}  // namespace

TEST_CASE("eight processes writing at once for seconds, with an import among them, lose nothing",
          "[faults][concurrency]") {
    TempDir dir;
    const std::string db = fresh_station(dir);

    // Cases the workers act on, and the one every repeat report attaches to.
    std::vector<std::string> existing;
    for (int k = 0; k < kPreopened; ++k) {
        const json j = ok_json(
            run_minsheng(with(base(db), {"--json", "case", "open", "--category", k % 2 ? "road" : "drainage",
                                         "--address", "预置街" + std::to_string(k) + "号", "--summary",
                                         "预置案件", "--at", "2024-03-04T09:00"})));
        existing.push_back(j.at("id"));
    }
    const std::string shared_id =
        ok_json(run_minsheng(
                    with(base(db), {"--json", "case", "open", "--category", "drainage", "--address",
                                    kSharedAddress, "--summary", "污水漫溢", "--at", "2024-03-04T09:00"})))
            .at("id");
    const int events_before = kPreopened + 1 + 1;  // + 王协调's registration (staff add is an event)

    const std::string csv = dir.file("ledger.csv");
    minsheng::test::write_text(csv, import_csv(kImportRows));

    Tally tally;
    std::atomic<int> processes{0};
    const auto stop_at = std::chrono::steady_clock::now() + kRunFor;
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w) {
        threads.emplace_back([&, w] {
            std::mt19937 rng(static_cast<unsigned>(1000 + w));
            for (int i = 0; std::chrono::steady_clock::now() < stop_at || i == 0; ++i) {
                // Worker 3's second command is the import, so it lands while the others are busy.
                const bool do_import = w == 3 && i == 1;
                const int op = do_import ? -1 : static_cast<int>(rng() % 10);
                const std::string target = existing[rng() % existing.size()];
                const std::string tag = std::to_string(w) + "-" + std::to_string(i);
                std::vector<std::string> args;
                if (do_import)
                    args = with(base(db), {"--json", "import", csv});
                else if (op < 3)
                    args = with(base(db), {"--json", "case", "open", "--category", "drainage", "--address",
                                           "并发路" + tag + "号", "--summary", "井盖缺失 " + tag,
                                           "--reporter", "居民" + tag, "--at", kActAt});
                else if (op < 4)
                    args = with(base(db), {"--json", "case", "open", "--category", "drainage", "--address",
                                           kSharedAddress, "--summary", "又漫出来了 " + tag, "--at", kActAt});
                else if (op < 6)
                    args = with(base(db),
                                {"case", "do", target, "note", "--note", "进展 " + tag, "--at", kActAt});
                else if (op < 8)
                    args = with(base(db), {"case", "do", target, "dispatch", "--department", "部门" + tag,
                                           "--at", kActAt});
                else if (op < 9)
                    args = with(base(db), {"--json", "case", "show", target});
                else
                    args = with(base(db), {"--json", "case", "list"});
                const RunResult r = run_minsheng(args);
                ++processes;
                std::lock_guard<std::mutex> lock(tally.m);
                if (r.exit_code != 0) {
                    ++tally.failures;
                    CAPTURE(w, i, op, r.exit_code, r.err);
                    check_clean_failure(r);
                    continue;
                }
                CAPTURE(w, i, op, r.err);
                CHECK(r.err.empty());
                if (do_import) {
                    const json j = json::parse(r.out);
                    CHECK(j.at("rows") == kImportRows);
                    CHECK(j.at("repeats") == 0);
                    tally.imported_cases = j.at("cases");
                } else if (op < 3) {
                    const json j = json::parse(r.out);
                    CHECK(j.at("repeat") == false);
                    CHECK(tally.new_ids.insert(j.at("id").get<std::string>()).second);
                    ++tally.new_cases;
                } else if (op < 4) {
                    const json j = json::parse(r.out);
                    CHECK(j.at("repeat") == true);
                    CHECK(j.at("id") == shared_id);
                    ++tally.repeats;
                } else if (op < 8) {
                    ++(op < 6 ? tally.notes : tally.dispatches);
                    ++tally.actions_on[target];
                } else {
                    CHECK_NOTHROW(json::parse(r.out));
                    ++tally.reads;
                }
            }
        });
    }
    for (auto& t : threads)
        t.join();

    INFO("processes " << processes << ", new " << tally.new_cases << ", repeats " << tally.repeats
                      << ", notes " << tally.notes << ", dispatches " << tally.dispatches << ", reads "
                      << tally.reads << ", failures " << tally.failures);
    WARN("concurrency: " << processes << " processes in " << kRunFor.count() << " s: " << tally.new_cases
                         << " opens, " << tally.repeats << " repeats, " << tally.notes << " notes, "
                         << tally.dispatches << " dispatches, " << tally.reads << " reads, 1 import of "
                         << kImportRows << " rows; " << tally.failures << " failures");
    // SPEC: all succeed.
    CHECK(tally.failures == 0);
    REQUIRE(tally.imported_cases == kImportRows);

    // Nothing lost: every success is in the log and in the projection, nothing more.
    const int expected_events =
        events_before + tally.new_cases + tally.repeats + tally.notes + tally.dispatches + kImportRows;
    const int expected_cases = kPreopened + 1 + tally.new_cases + kImportRows;
    const json verify = ok_json(run_minsheng(with(base(db), {"--json", "audit", "verify"})));
    CHECK(verify.at("ok") == true);
    CHECK(verify.at("events") == expected_events);
    CHECK(verify.at("cases") == expected_cases);

    const json list = ok_json(run_minsheng(with(base(db), {"--json", "case", "list"})));
    CHECK(list.size() == static_cast<size_t>(expected_cases));
    std::set<std::string> listed;
    for (const auto& c : list)
        listed.insert(c.at("id").get<std::string>());
    CHECK(listed.size() == list.size());
    for (const auto& id : tally.new_ids)
        CHECK(listed.count(id) == 1);

    const json shared = ok_json(run_minsheng(with(base(db), {"--json", "case", "show", shared_id})));
    CHECK(shared.at("repeat_count") == tally.repeats);
    for (const auto& id : existing) {
        const json h = ok_json(run_minsheng(with(base(db), {"--json", "case", "history", id})));
        CAPTURE(id);
        CHECK(h.size() == static_cast<size_t>(1 + tally.actions_on[id]));
    }

    // The projection equals a rebuild from the events alone.
    const RunResult list_before = run_minsheng(with(base(db), {"--json", "case", "list"}));
    const RunResult export_before = run_minsheng(with(base(db), {"export", "--format", "json"}));
    REQUIRE(list_before.exit_code == 0);
    REQUIRE(export_before.exit_code == 0);
    {
        minsheng::Station station(db);
        station.rebuild_projection();
    }
    const RunResult list_after = run_minsheng(with(base(db), {"--json", "case", "list"}));
    const RunResult export_after = run_minsheng(with(base(db), {"export", "--format", "json"}));
    CHECK(list_after.out == list_before.out);
    CHECK(export_after.out == export_before.out);
    CHECK(ok_json(run_minsheng(with(base(db), {"--json", "audit", "verify"}))).at("ok") == true);
}

TEST_CASE("four imports and single writers at once: each import is all there, nothing else lost",
          "[faults][concurrency]") {
#ifdef MINSHENG_SANITIZE_BUILD
    const int rows = 100;
#else
    const int rows = 250;
#endif
    TempDir dir;
    const std::string db = fresh_station(dir);
    std::vector<std::string> files;
    for (int f = 0; f < 4; ++f) {
        std::string csv = "received_at,category,address,summary\n";
        for (int i = 0; i < rows; ++i)
            csv += "2024-03-05," + std::string(i % 2 ? "road" : "drainage") + ",文件" + std::to_string(f) +
                   "路" + std::to_string(i) + "号,坑洼\n";
        files.push_back(dir.file("f" + std::to_string(f) + ".csv"));
        minsheng::test::write_text(files.back(), csv);
    }
    std::vector<RunResult> imports(files.size());
    std::vector<std::vector<RunResult>> opens(4);
    std::vector<std::thread> threads;
    for (size_t f = 0; f < files.size(); ++f)
        threads.emplace_back([&, f] {
            imports[f] = run_minsheng(with(base(db), {"--json", "import", files[f]}));
        });
    for (size_t w = 0; w < opens.size(); ++w)
        threads.emplace_back([&, w] {
            for (int i = 0; i < 10; ++i)
                opens[w].push_back(
                    run_minsheng(with(base(db), {"case", "open", "--category", "sanitation", "--address",
                                                 "单开" + std::to_string(w) + "-" + std::to_string(i),
                                                 "--summary", "垃圾", "--at", kActAt})));
        });
    for (auto& t : threads)
        t.join();
    for (const auto& r : imports) {
        CAPTURE(r.err);
        CHECK(r.exit_code == 0);
        if (r.exit_code == 0) CHECK(json::parse(r.out).at("cases") == rows);
    }
    int opened = 0;
    for (const auto& w : opens)
        for (const auto& r : w) {
            CAPTURE(r.err);
            CHECK(r.exit_code == 0);
            opened += r.exit_code == 0;
        }
    const json verify = ok_json(run_minsheng(with(base(db), {"--json", "audit", "verify"})));
    CHECK(verify.at("ok") == true);
    CHECK(verify.at("cases") == opened + 4 * rows);
    CHECK(verify.at("events") == opened + 4 * rows + 1);  // + 王协调's registration
}
