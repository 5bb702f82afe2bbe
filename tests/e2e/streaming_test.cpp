// Commands that read many cases, streamed (issue 13): the answers are those of a whole-list computation (the
// streamed JSON is byte for byte the whole array's dump, the streamed table aligned as one table), filters
// give the right cases, `audit overdue --as-of` equals a replay of every case, and a field over 64 KB is
// refused where it comes in.
#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/text.h"
#include "prelude.h"
#include "usecases/station.h"

namespace {

const std::string kCoordinator = "王协调";
const std::string kSupervisor = "督办甲";

RunResult as(const std::string& db, const std::string& actor, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--db", db, "--as", actor};
    all.insert(all.end(), args.begin(), args.end());
    return run_minsheng(all);
}

RunResult ok(const RunResult& r) {
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
}

std::string open_case(const std::string& db, const std::string& category, const std::string& address,
                      const std::string& at) {
    const json j = ok_json(as(db, kCoordinator,
                              {"--json", "case", "open", "--category", category, "--address", address,
                               "--summary", "群众反映的问题", "--at", at, "--new"}));
    return j.at("id").get<std::string>();
}

void act(const std::string& db, const std::string& actor, const std::string& id, const std::string& action,
         const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"case", "do", id, action};
    args.insert(args.end(), extra.begin(), extra.end());
    INFO(action << " on " << id);
    ok(as(db, actor, args));
}

std::vector<std::string> ids_of(const json& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows)
        out.push_back(r.at("id").get<std::string>());
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(text.substr(start, nl - start));
    return lines;
}

// A station whose cases have history on both sides of 2024-04-15: opened in March and April, some dispatched,
// escalated, resolved or reopened before the day, some only after it, some received after it.
struct HistoryStation {
    TempDir dir;
    std::string db;
    std::vector<std::string> ids;

    HistoryStation() : db(fresh_station(dir)) {
        const char* categories[] = {"drainage", "road", "drainage", "sanitation", "road"};
        for (int i = 0; i < 12; ++i) {
            const std::string day = std::to_string(1 + i * 2);
            const std::string month = i < 8 ? "03" : "04";
            const std::string at = "2024-" + month + "-" + (day.size() == 1 ? "0" + day : day) + "T09:00";
            ids.push_back(open_case(db, categories[i % 5], "幸福路" + std::to_string(i + 1) + "号", at));
        }
        // Before the day.
        act(db, kCoordinator, ids[0], "dispatch", {"--department", "街道城管科", "--at", "2024-03-05T10:00"});
        act(db, kCoordinator, ids[0], "resolve",
            {"--set", "root_cause=管道堵塞", "--at", "2024-03-20T10:00"});
        act(db, kCoordinator, ids[1], "dispatch", {"--department", "市政部门", "--at", "2024-03-06T10:00"});
        act(db, kSupervisor, ids[2], "escalate", {"--note", "超期催办", "--at", "2024-04-10T10:00"});
        act(db, kCoordinator, ids[3], "dispatch", {"--department", "园林所", "--at", "2024-03-10T10:00"});
        // After the day: these cases must be replayed to see how they stood.
        act(db, kCoordinator, ids[1], "resolve",
            {"--set", "root_cause=路面破损", "--at", "2024-05-06T10:00"});
        act(db, kCoordinator, ids[2], "dispatch", {"--department", "街道城管科", "--at", "2024-04-20T10:00"});
        act(db, kCoordinator, ids[4], "dispatch", {"--department", "市政部门", "--at", "2024-04-22T10:00"});
        act(db, kCoordinator, ids[4], "resolve",
            {"--set", "root_cause=井盖缺失", "--at", "2024-04-25T10:00"});
        act(db, kCoordinator, ids[5], "dispatch", {"--department", "街道城管科", "--at", "2024-03-15T10:00"});
        act(db, kCoordinator, ids[5], "resolve",
            {"--set", "root_cause=管道堵塞", "--at", "2024-06-03T10:00"});
        act(db, kCoordinator, ids[9], "dispatch", {"--department", "市政部门", "--at", "2024-05-08T10:00"});
        // Received after the day.
        ids.push_back(open_case(db, "drainage", "光明街1号", "2024-05-06T09:00"));
    }
};

}  // namespace

TEST_CASE("audit overdue --as-of equals a replay of every case up to the day", "[e2e][stream][audit]") {
    HistoryStation s;
    for (const std::string day : {"2024-03-29", "2024-04-15", "2024-04-30", "2024-05-31", "2024-06-28"}) {
        INFO("as of " << day);
        const json listed = ok_json(
            as(s.db, kSupervisor, {"--today", "2024-06-28", "--json", "audit", "overdue", "--as-of", day}));
        // The full replay: every case, its events up to the end of the day, its clock on the day.
        std::vector<std::tuple<int, std::string, std::string, std::string>> expected;
        {
            minsheng::Station st(s.db);
            const minsheng::Date as_of = minsheng::parse_date(day);
            const minsheng::Calendar& cal = st.calendar();
            for (const auto& id : s.ids) {
                const auto events = st.store().case_events(id, day + "U");
                if (events.empty()) continue;
                const minsheng::CaseState c = minsheng::replay(events, cal);
                const minsheng::ClockView v = minsheng::clock_at(c, as_of, cal);
                if (v.overdue)
                    expected.emplace_back(-v.working_days_overdue, minsheng::format_date(*v.deadline),
                                          c.received_at, c.id);
            }
        }
        std::sort(expected.begin(), expected.end());
        REQUIRE(listed.size() == expected.size());
        for (size_t i = 0; i < expected.size(); ++i) {
            CHECK(listed[i].at("id") == std::get<3>(expected[i]));
            CHECK(listed[i].at("working_days_overdue") == -std::get<0>(expected[i]));
        }
    }
    // Some days have cases on both sides: the test means something.
    const json mid = ok_json(as(s.db, kSupervisor, {"--json", "audit", "overdue", "--as-of", "2024-04-30"}));
    CHECK(mid.size() >= 3);
}

TEST_CASE("streamed JSON arrays are byte for byte the whole array's dump", "[e2e][stream][json]") {
    HistoryStation s;
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"audit", "overdue", "--as-of", "2024-04-30", "--format", "json"},
          std::vector<std::string>{"--json", "audit", "overdue", "--as-of", "2024-06-28"},
          std::vector<std::string>{"--json", "audit", "overdue", "--as-of", "2024-02-01"}}) {
        const RunResult r = ok(as(s.db, kSupervisor, args));
        CHECK(r.out == json::parse(r.out).dump(2) + "\n");
    }
    const json empty =
        ok_json(as(s.db, kSupervisor, {"--json", "audit", "overdue", "--as-of", "2024-02-01"}));
    CHECK(empty.empty());
    // case list --json and export --format json: one compact object per line, an array all the same.
    const json all = ok_json(as(s.db, kSupervisor, {"--json", "case", "list"}));
    CHECK(ids_of(all).size() == s.ids.size());
    const json exported = ok_json(as(s.db, kSupervisor, {"export", "--format", "json"}));
    CHECK(ids_of(exported) == ids_of(all));
}

TEST_CASE("streamed tables: one aligned table, the same rows as the JSON", "[e2e][stream][table]") {
    HistoryStation s;
    const json all = ok_json(as(s.db, kSupervisor, {"--today", "2024-06-28", "--json", "case", "list"}));
    const RunResult r = ok(as(s.db, kSupervisor, {"--today", "2024-06-28", "case", "list"}));
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == all.size() + 2);  // header, rule, one line per case
    CHECK_THAT(lines[0], Contains("编号"));
    // The rule's dashes give each column's width; every row's cells start where the header's do.
    std::vector<size_t> starts;
    {
        size_t col = 0;
        const std::string& rule = lines[1];
        for (size_t i = 0; i < rule.size();) {
            starts.push_back(col);
            const size_t dashes = rule.find_first_not_of('-', i);
            const size_t end = dashes == std::string::npos ? rule.size() : dashes;
            col += (end - i) + 2;
            i = end + 2;
        }
    }
    REQUIRE(starts.size() == 10);  // 编号 类别 阶段 步骤 地址 反映人 电话 受理 期限 时限
    for (size_t row = 2; row < lines.size(); ++row) {
        INFO(lines[row]);
        // The id column comes first and is the case's id, in the JSON's order.
        CHECK(lines[row].rfind(all[row - 2].at("id").get<std::string>(), 0) == 0);
        // The address column (5th) starts at the same display column on every line.
        const std::string address = all[row - 2].at("address").get<std::string>();
        const size_t at = lines[row].find(address);
        REQUIRE(at != std::string::npos);
        CHECK(static_cast<size_t>(minsheng::display_width(lines[row].substr(0, at))) == starts[4]);
    }
    // The overdue table: its count line, then the same ids as the JSON, in its order.
    const RunResult t = ok(as(s.db, kSupervisor, {"audit", "overdue", "--as-of", "2024-04-30"}));
    const json j = ok_json(as(s.db, kSupervisor, {"--json", "audit", "overdue", "--as-of", "2024-04-30"}));
    const auto tl = lines_of(t.out);
    REQUIRE(tl.size() == j.size() + 3);
    CHECK_THAT(tl[0], Contains(std::to_string(j.size()) + " 件"));
    for (size_t i = 0; i < j.size(); ++i)
        CHECK(tl[i + 3].rfind(j[i].at("id").get<std::string>(), 0) == 0);
    // None overdue: the count line, then the one line every empty answer gives (no header).
    const RunResult none = ok(as(s.db, kSupervisor, {"audit", "overdue", "--as-of", "2024-02-01"}));
    REQUIRE(lines_of(none.out).size() == 2);
    CHECK(lines_of(none.out)[1] == "没有符合条件的案件");
}

TEST_CASE("case list filters give exactly the matching cases", "[e2e][stream][filters]") {
    HistoryStation s;
    const json all = ok_json(as(s.db, kSupervisor, {"--today", "2024-06-28", "--json", "case", "list"}));
    auto expect = [&](const std::function<bool(const json&)>& keep) {
        std::vector<std::string> out;
        for (const auto& c : all)
            if (keep(c)) out.push_back(c.at("id").get<std::string>());
        return out;
    };
    auto listed = [&](const std::vector<std::string>& filter) {
        std::vector<std::string> args = {"--today", "2024-06-28", "--json", "case", "list"};
        args.insert(args.end(), filter.begin(), filter.end());
        return ids_of(ok_json(as(s.db, kSupervisor, args)));
    };
    for (const std::string category : {"drainage", "road", "sanitation"}) {
        const auto want = expect([&](const json& c) { return c.at("category") == category; });
        CHECK(!want.empty());
        CHECK(listed({"--category", category}) == want);
    }
    for (const std::string department : {"街道城管科", "市政部门", "园林所"}) {
        const auto want = expect([&](const json& c) {
            const auto& d = c.at("departments");
            return std::find(d.begin(), d.end(), department) != d.end();
        });
        CHECK(!want.empty());
        CHECK(listed({"--department", department}) == want);
    }
    for (const std::string phase : {"intake", "coordination", "follow_up"}) {
        const auto want = expect([&](const json& c) { return c.at("phase") == phase; });
        CHECK(!want.empty());
        CHECK(listed({"--phase", phase}) == want);
    }
    CHECK(listed({"--category", "road", "--department", "市政部门"}) == expect([&](const json& c) {
              const auto& d = c.at("departments");
              return c.at("category") == "road" && std::find(d.begin(), d.end(), "市政部门") != d.end();
          }));
    CHECK(listed({"--department", "没有的部门"}).empty());
}

TEST_CASE("report annual counts case by case: the same figures as before", "[e2e][stream][report]") {
    HistoryStation s;
    act(s.db, kSupervisor, s.ids[0], "mark-typical");
    const json r =
        ok_json(as(s.db, kSupervisor,
                   {"--today", "2024-06-28", "report", "annual", "--year", "2024", "--format", "json"}));
    CHECK(r.at("cases") == 13);
    CHECK(r.at("resolved") == 4);
    CHECK(r.at("typical") == json({s.ids[0]}));
    CHECK(r.at("by_category").at("road") == 5);
    CHECK(r.at("by_category").at("drainage") == 6);
}

TEST_CASE("a field over 64 KB is refused at intake, one line, exit 3, nothing written", "[e2e][limits]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "drainage", "海福巷3号", "2024-03-04T09:00");
    const long long events = event_count(db);
    const std::string big(minsheng::kMaxFieldBytes + 1, 'x');
    const std::string fits(minsheng::kMaxFieldBytes, 'y');
    auto refused = [&](const RunResult& r, const std::string& what) {
        INFO(r.err);
        CHECK(r.exit_code == 3);
        CHECK(one_line(r.err));
        CHECK_THAT(r.err, Contains(what + "过长"));
        CHECK_THAT(r.err, Contains("64 KB"));
        CHECK(r.out.empty());
        CHECK(event_count(db) == events);
    };
    refused(as(db, kCoordinator,
               {"case", "open", "--category", "drainage", "--address", "幸福路1号", "--summary", big}),
            "摘要");
    refused(as(db, kCoordinator,
               {"case", "open", "--category", "drainage", "--address", big, "--summary", "漏水"}),
            "地址");
    refused(as(db, kCoordinator, {"case", "do", id, "dispatch", "--department", "街道城管科", "--note", big}),
            "备注");
    refused(as(db, kCoordinator, {"case", "do", id, "resolve", "--set", "root_cause=" + big}),
            "字段 root_cause 的内容");
    {  // a ledger cell
        const std::string csv = dir.file("big.csv");
        write_text(csv,
                   "received_at,category,address,summary\n2024-03-05 09:00,drainage,幸福路2号,短\n"
                   "2024-03-05 10:00,drainage,幸福路3号," +
                       big + "\n");
        const RunResult r = as(db, kCoordinator, {"import", csv});
        refused(r, "摘要");
        CHECK_THAT(r.err, Contains("big.csv:3"));
    }
    // Exactly 64 KB is taken.
    ok(as(db, kCoordinator,
          {"case", "open", "--category", "drainage", "--address", "幸福路4号", "--summary", fits}));
    CHECK(event_count(db) == events + 1);
}
