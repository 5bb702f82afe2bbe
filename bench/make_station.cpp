// Brings an imported benchmark station to a realistic mix, as a year of work would leave it: most cases
// dispatched, resolved and closed after a satisfied follow-up visit, some rejected, some reopened after an
// unsatisfied visit, some suspended, and a small share still open (a few of them overdue, some escalated).
// Every action goes through the engine (Station::do_action), so the log and the projection are exactly what
// the commands would have written; Station::batch groups them into transactions of a few thousand cases.
//
// The work is spread as a station spreads it: each case is handled by one of COORDINATORS coordinators (who
// rejects, dispatches, records the replies, resolves and visits it), and a second supervisor, 督办乙,
// escalates the overdue ones and marks the typical ones. The supervisor who imported the ledger (--actor) has
// recorded every case's intake, as an import does. The staff are registered here (by --actor) unless the
// station has them already.
//
// Usage: make_station DB TODAY [--actor NAME] [--seed S] [--coordinators N]
//   TODAY (YYYY-MM-DD): no action is dated after it; cases received close to it are still being worked.
//   N (default 46): coordinators named 王芳, 李伟, … (coordinator_name); 0: --actor does everything.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/error.h"
#include "storage/sqlite.h"
#include "usecases/station.h"

namespace {

using minsheng::ActionRequest;
using minsheng::Date;

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// A timestamp as minutes since 2000-01-01 and back, so actions can be spaced in minutes and days.
const Date kEpoch(2000, 1, 1);
long minutes_of(const std::string& ts) {
    const Date d = minsheng::parse_date(ts.substr(0, 10));
    const long h = std::stol(ts.substr(11, 2)), m = std::stol(ts.substr(14, 2));
    return (d - kEpoch).days() * 1440L + h * 60 + m;
}
std::string timestamp_of(long minutes) {
    const Date d = kEpoch + boost::gregorian::days(minutes / 1440);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%sT%02ld:%02ld:00", minsheng::format_date(d).c_str(),
                  (minutes % 1440) / 60, minutes % 60);
    return buf;
}

struct Row {
    std::string id, category, last_event_at;
};

// The i-th coordinator's name: a surname and a given name, distinct for i < 400.
std::string coordinator_name(int i) {
    static const char* const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                           "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
    static const char* const given[] = {"芳", "伟", "敏", "静", "丽", "强", "磊",   "军", "洋", "勇",
                                        "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚"};
    return std::string(surnames[i % 20]) + given[(i / 20 + i) % 20];
}

const char* const kSecondSupervisor = "督办乙";

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: make_station DB TODAY [--actor NAME] [--seed S]\n");
        return 2;
    }
    const std::string db_path = argv[1];
    std::string actor = "督办甲";
    std::uint64_t seed = 1;
    int coordinator_count = 46;
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--actor")
            actor = argv[i + 1];
        else if (a == "--seed")
            seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--coordinators")
            coordinator_count = std::atoi(argv[i + 1]);
    }
    if (coordinator_count < 0 || coordinator_count > 400) {
        std::fprintf(stderr, "make_station: --coordinators takes 0 to 400\n");
        return 2;
    }
    try {
        const Date today = minsheng::parse_date(argv[2]);
        const long end = minutes_of(minsheng::format_date(today) + "T18:00:00");
        minsheng::Station st(db_path);
        std::vector<std::string> coordinators;
        for (int i = 0; i < coordinator_count; ++i)
            coordinators.push_back(coordinator_name(i));
        const std::string supervisor = coordinator_count > 0 ? kSecondSupervisor : actor;
        {
            const std::string now = minsheng::format_date(today) + "T08:00:00";
            auto enrol = [&](const std::string& name, minsheng::Role role) {
                if (!st.staff(name)) st.add_staff(actor, {name, role, ""}, now);
            };
            if (supervisor != actor) enrol(supervisor, minsheng::Role::Supervisor);
            for (const auto& name : coordinators)
                enrol(name, minsheng::Role::Coordinator);
        }
        // The generator pages through the case ids with its own read-only connection: a benchmark tool may
        // look at the file directly; the writes go through the application layer like any command's.
        minsheng::sql::Db ids_db(db_path, minsheng::sql::Db::Mode::ReadOnly);
        const auto t0 = std::chrono::steady_clock::now();
        long actions = 0, refused = 0, cases = 0;
        std::string after;
        std::vector<Row> rows;
        for (;;) {
            rows.clear();
            {
                minsheng::sql::Stmt q(
                    ids_db,
                    "SELECT id, category, last_event_at FROM cases WHERE id > ? ORDER BY id LIMIT "
                    "5000");
                q.bind(1, after);
                while (q.step())
                    rows.push_back({q.text(0), q.text(1), q.text(2)});
            }
            if (rows.empty()) break;
            after = rows.back().id;
            st.batch([&] {
                for (const Row& row : rows) {
                    ++cases;
                    std::uint64_t h = seed;
                    for (char c : row.id)
                        h = mix(h ^ static_cast<unsigned char>(c));
                    // Who handles the case, drawn apart from the case's own course (which stays as it was
                    // with one actor).
                    const std::string& handler =
                        coordinators.empty()
                            ? actor
                            : coordinators[static_cast<size_t>(mix(h ^ 0xc0) % coordinators.size())];
                    auto rnd = [&](long n) {
                        h = mix(h);
                        return static_cast<long>(h % static_cast<std::uint64_t>(n));
                    };
                    const std::vector<std::string>& deps = st.workflow(row.category).departments;
                    const std::string dep =
                        deps.empty() ? "社区居委会"
                                     : deps[static_cast<size_t>(rnd(static_cast<long>(deps.size())))];
                    long t = minutes_of(row.last_event_at);
                    // Performs the action at t + delay minutes unless that lies after TODAY; false when it
                    // does not happen (too late, or refused by the rules).
                    auto act = [&](long delay, const std::string& action, std::vector<std::string> d,
                                   std::vector<std::pair<std::string, std::string>> sets,
                                   const std::string& note) {
                        const bool supervisors_only = action == "escalate" || action == "mark-typical";
                        if (t + delay > end) return false;
                        t += delay;
                        ActionRequest r;
                        r.action = action;
                        r.departments = std::move(d);
                        r.sets = std::move(sets);
                        r.note = note;
                        r.at = timestamp_of(t);
                        r.actor = supervisors_only ? supervisor : handler;
                        try {
                            st.do_action(row.id, r, r.at, r.at);
                            ++actions;
                            return true;
                        } catch (const minsheng::Error&) {
                            ++refused;
                            return false;
                        }
                    };
                    const long r = rnd(1000);
                    if (r < 30) {  // 不予受理
                        act(60 + rnd(600), "reject", {}, {},
                            "不属于本站受理范围，已告知反映人向相关部门反映");
                        continue;
                    }
                    if (r < 32) continue;  // never routed: stays in intake
                    if (!act(60 + rnd(1440), "dispatch", {dep}, {}, "请" + dep + "核实处理")) continue;
                    if (rnd(5) == 0) act(30 + rnd(600), "sign", {dep}, {}, "");
                    if (r < 35) {  // stays in coordination; an overdue one is escalated
                        act(40 * 1440, "escalate", {}, {}, "超期未办结，请加快办理");
                        continue;
                    }
                    if (r < 45) {  // waits for the resident or for the weather
                        act(1440 + rnd(2880), "suspend", {}, {}, "等待居民提供材料");
                        if (!act(2 * 1440 + rnd(8 * 1440), "resume", {}, {}, "")) continue;
                    }
                    // Resolved in 2-20 days, rarely later than the 20 working days allow.
                    const long days = rnd(100) < 3 ? 30 + rnd(10) : 2 + rnd(18);
                    const long work = days * 1440 - rnd(1440);
                    const bool replied = rnd(10) < 3 && act(work, "reply", {dep}, {}, "已完成现场处置");
                    if (!act((replied ? 0 : work) + 60 + rnd(600), "resolve", {},
                             {{"root_cause", "管网老化，接口破损"}}, "已处理完毕"))
                        continue;
                    if (r < 80) continue;  // awaiting the follow-up visit
                    if (r < 100) {         // not satisfied: worked again, then closed
                        if (!act(2 * 1440 + rnd(2880), "visit", {}, {{"satisfied", "no"}},
                                 "居民反映问题仍存在"))
                            continue;
                        act((3 + rnd(10)) * 1440, "resolve", {}, {{"root_cause", "原维修未根治，更换管段"}},
                            "");
                    }
                    act(2 * 1440 + rnd(2880), "visit", {}, {{"satisfied", "yes"}}, "回访居民，表示满意");
                    if (r >= 998) act(60, "mark-typical", {}, {}, "");
                }
            });
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("make_station: %ld cases, %ld actions (%ld refused) in %.1f s (%.0f actions/s)\n", cases,
                    actions, refused, s, actions / (s > 0 ? s : 1));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_station: %s\n", e.what());
        return 1;
    }
    return 0;
}
