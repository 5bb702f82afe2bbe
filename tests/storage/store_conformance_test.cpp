// The store interface's contract (storage/store.h), run against every implementation in kStores: a second
// backend is done when it passes these. Each case makes a fresh station through the application layer's
// init, then talks to the store directly.

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/shipped.h"
#include "engine/error.h"
#include "engine/workflow_compiled.h"
#include "prelude.h"
#include "storage/sqlite_store.h"
#include "usecases/hash_chain.h"
#include "usecases/station.h"

using namespace minsheng;

namespace {

struct Backend {
    const char* name;
    // Creates a fresh station in `dir` and opens its store.
    std::function<std::unique_ptr<Store>(const TempDir& dir)> fresh;
    // A second connection to the station `fresh` made in `dir`.
    std::function<std::unique_ptr<Store>(const TempDir& dir)> reopen;
};

std::unique_ptr<Store> fresh_sqlite(const TempDir& dir) {
    const std::string path = dir.file("conformance.db");
    InitOptions o;
    o.workflows = cli::shipped_workflows();
    o.calendar = cli::shipped_calendar();
    o.supervisor = "督办甲";
    Station::create(path, o, "2024-03-01T08:00:00");
    return std::make_unique<SqliteStore>(path);
}

std::unique_ptr<Store> reopen_sqlite(const TempDir& dir) {
    return std::make_unique<SqliteStore>(dir.file("conformance.db"));
}

const std::vector<Backend> kStores = {{"sqlite", fresh_sqlite, reopen_sqlite}};

CaseState a_case(const std::string& id, const std::string& received_at, const std::string& category = "road",
                 const std::string& key = "海福巷3号") {
    CaseState s;
    s.id = id;
    s.category = category;
    s.workflow_version = 1;
    s.address = key;
    s.address_key = key;
    s.summary = "路面坑洼";
    s.received_at = received_at;
    s.last_event_at = received_at;
    s.step = "received";
    s.clock_start = parse_date(received_at.substr(0, 10));
    s.deadline = s.clock_start + boost::gregorian::days(28);
    return s;
}

Event an_event(const std::string& case_id, const std::string& at) {
    Event e;
    e.case_id = case_id;
    e.action = "note";
    e.at = at;
    e.actor = "督办甲";
    e.data = {{"note", "跟进"}};
    return e;
}

}  // namespace

TEST_CASE("store conformance: transactions commit whole or not at all", "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        store->write([&] { store->save_case(a_case("2024-0001", "2024-03-04T09:00:00"), true); });
        CHECK(store->load_case("2024-0001"));
        CHECK_THROWS_AS(store->write([&] {
            store->save_case(a_case("2024-0002", "2024-03-04T10:00:00"), true);
            throw refused("no");
        }),
                        Error);
        CHECK_FALSE(store->load_case("2024-0002"));
        // A nested write is a savepoint: its failure undoes only itself.
        store->write([&] {
            store->save_case(a_case("2024-0003", "2024-03-04T11:00:00"), true);
            try {
                store->write([&] {
                    store->save_case(a_case("2024-0004", "2024-03-04T12:00:00"), true);
                    throw refused("inner");
                });
            } catch (const Error&) {
            }
        });
        CHECK(store->load_case("2024-0003"));
        CHECK_FALSE(store->load_case("2024-0004"));
    }
}

TEST_CASE("store conformance: the log's head, append, and a case's events in order", "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        CHECK(store->log_head().seq == 0);
        store->write([&] {
            for (const char* at : {"2024-03-04T09:00:00", "2024-03-05T09:00:00", "2024-03-06T09:00:00"})
                store->append(
                    chain_entry(store->log_head(), an_event("2024-0001", at), "2024-03-06T10:00:00"));
            store->append(
                chain_entry(store->log_head(), an_event("", "2024-03-06T09:30:00"), "2024-03-06T10:00:00"));
        });
        const LogHead head = store->log_head();
        CHECK(head.seq == 4);
        CHECK(store->recorded_head() == head_record(head));
        const auto all = store->case_events("2024-0001");
        REQUIRE(all.size() == 3);
        CHECK(all[0].seq == 1);
        CHECK(all[2].at == "2024-03-06T09:00:00");
        CHECK(all[0].recorded_at == "2024-03-06T10:00:00");
        CHECK(store->case_events("2024-0001", std::string("2024-03-05U")).size() == 2);
        std::int64_t seen = 0;
        std::string prev = kGenesisHash;
        store->scan_log([&](const LogEntry& e) {
            ++seen;
            CHECK(e.prev_hash == prev);
            prev = e.hash;
        });
        CHECK(seen == 4);
        REQUIRE(store->log_entry(4));
        CHECK(store->log_entry(4)->case_id.empty());
        // The station's own events are not a case's.
        std::int64_t case_events = 0;
        store->scan_case_events([&](const Event&) { ++case_events; });
        CHECK(case_events == 3);
        CHECK(store->cases_missing_from_projection() == 1);
    }
}

TEST_CASE("store conformance: projection rows, open cases at an address, scans with filters", "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        CaseState closed = a_case("2024-0002", "2024-03-05T09:00:00");
        closed.phase = Phase::Closed;
        CaseState other = a_case("2024-0003", "2024-03-06T09:00:00", "drainage");
        other.deadline.reset();
        store->write([&] {
            store->save_case(a_case("2024-0001", "2024-03-04T09:00:00"), true);
            store->save_case(closed, true);
            store->save_case(other, true);
        });
        const auto open = store->open_cases_at("road", "海福巷3号");
        REQUIRE(open.size() == 1);
        CHECK(open[0].first == "2024-0001");
        CHECK(store->open_cases_at("drainage", "海福巷3号").size() == 1);
        CHECK(store->open_cases_at("road", "海福巷4号").empty());

        auto ids = [&](const CaseQuery& q) {
            std::vector<std::string> out;
            store->scan_cases(q, [&](const CaseState& c) { out.push_back(c.id); });
            return out;
        };
        CHECK(ids({}) == std::vector<std::string>{"2024-0001", "2024-0002", "2024-0003"});
        CaseQuery by_category;
        by_category.category = "road";
        CHECK(ids(by_category) == std::vector<std::string>{"2024-0001", "2024-0002"});
        CaseQuery by_phase;
        by_phase.phase = "closed";
        CHECK(ids(by_phase) == std::vector<std::string>{"2024-0002"});
        CaseQuery unknown;
        unknown.unknown_deadline_only = true;
        CHECK(ids(unknown) == std::vector<std::string>{"2024-0003"});
        CaseQuery overdue;
        overdue.deadline_before = "2024-06-01";
        CHECK(ids(overdue) == std::vector<std::string>{"2024-0001"});
        overdue.or_unknown = true;
        CHECK(ids(overdue) == std::vector<std::string>{"2024-0001", "2024-0003"});
        CaseQuery until;
        until.deadline_until = "2024-04-01";
        CHECK(ids(until) == std::vector<std::string>{"2024-0001"});
        CaseQuery window = until;  // a range of the deadline index: the lower bound excludes 2024-0001
        window.deadline_from = "2024-04-02";
        CHECK(ids(window).empty());
        window.deadline_from = "2024-01-01";
        CHECK(ids(window) == std::vector<std::string>{"2024-0001"});

        // An update changes what events change, and the row reads back equal.
        CaseState moved = *store->load_case("2024-0001");
        moved.phase = Phase::Coordination;
        moved.tasks.push_back(
            {"市政部门", TaskStatus::Dispatched, true, "2024-03-04T10:00:00", "2024-03-04T10:00:00", ""});
        store->write([&] { store->save_case(moved, false); });
        CHECK(state_to_json(*store->load_case("2024-0001")) == state_to_json(moved));
        CaseQuery by_department;
        by_department.department = "市政部门";
        CHECK(ids(by_department) == std::vector<std::string>{"2024-0001"});
        int rows = 0;
        store->scan_projection([&](const ProjectionRow& r) {
            ++rows;
            CHECK(r.state);
            CHECK(r.index_keys_ok);
        });
        CHECK(rows == 3);
        std::vector<std::string> pending;
        store->write([&] {
            store->for_ids_deadline_from("2024-04-02", [&](const std::string& id) { pending.push_back(id); });
        });
        CHECK(pending == std::vector<std::string>{"2024-0002", "2024-0003"});
    }
}

TEST_CASE("store conformance: every member of a case state reads back exactly, through inserts and updates",
          "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        // Every member away from its default, with text that must round-trip byte for byte.
        CaseState s = a_case("2024-0007", "2024-03-04T09:00:00", "drainage", "龙江小区 \"5\" 栋\n'; --");
        s.workflow_version = 3;
        s.deadline_days = 15;
        s.address = "龙江小区５栋\t（东）";
        s.summary = "下水道堵塞，污水外溢 😀";
        s.phase = Phase::FollowUp;
        s.step = "awaiting_visit";
        s.suspended = true;
        s.reporters = {{"张桂芳", "13900000001", "来电", "2024-03-04T09:00:00", ""},
                       {"", "", "网格员", "2024-03-05T10:00:00", "又堵了"}};
        s.report_count = 3;
        s.tasks = {
            {"街道城管科", TaskStatus::Replied, true, "2024-03-05T11:00:00", "2024-03-07T10:00:00", "已疏通"},
            {"市政部门", TaskStatus::Returned, false, "2024-03-05T11:00:00", "2024-03-06T10:00:00",
             "不属本部门"}};
        s.fields = {{"root_cause", "化粪池满"}, {"elderly", "独居老人"}, {"empty", ""}};
        s.reopen_count = 2;
        s.escalation_level = 3;
        s.typical = true;
        s.first_dispatched_at = "2024-03-05T11:00:00";
        s.deadline_problem = "";
        s.suspended_since = parse_date("2024-03-20");
        s.resolved_on = parse_date("2024-03-11");
        s.past_cycles = {{parse_date("2024-03-04"), parse_date("2024-03-25"), parse_date("2024-03-11")},
                         {parse_date("2024-03-12"), std::nullopt, std::nullopt}};
        s.suspended_working_days = 4;
        s.extended_working_days = 5;
        s.last_event_at = "2024-03-20T09:00:00";
        s.last_seq = 42;
        s.event_count = 17;
        s.visits_answered = 3;
        s.visits_satisfied = 2;
        store->write([&] { store->save_case(s, true); });
        CHECK(state_to_json(*store->load_case(s.id)) == state_to_json(s));

        // An update adds a reporter and a task, changes a task, clears the clock's optional dates.
        s.reporters.push_back({"李建国", "", "来访", "2024-03-21T09:00:00", ""});
        s.tasks[1].status = TaskStatus::Dispatched;
        s.tasks[1].updated_at = "2024-03-21T10:00:00";
        s.tasks.push_back(
            {"供水公司", TaskStatus::Signed, false, "2024-03-21T10:00:00", "2024-03-21T11:00:00", ""});
        s.fields.clear();
        s.past_cycles.clear();
        s.suspended_since.reset();
        s.resolved_on.reset();
        s.deadline.reset();
        s.deadline_problem = "工作日历缺少 2027 年";
        s.suspended = false;
        s.visits_answered = 4;
        s.visits_satisfied = 0;
        store->write([&] { store->save_case(s, false); });
        CHECK(state_to_json(*store->load_case(s.id)) == state_to_json(s));
        // Read by another connection too (nothing served from the writer's memory).
        auto again = b.reopen(dir);
        CHECK(state_to_json(*again->load_case(s.id)) == state_to_json(s));
        std::vector<std::string> seen;
        again->scan_cases({}, [&](const CaseState& c) { seen.push_back(state_to_json(c).dump()); });
        CHECK(seen == std::vector<std::string>{state_to_json(s).dump()});
        again->scan_projection([&](const ProjectionRow& r) {
            REQUIRE(r.state);
            CHECK(state_to_json(*r.state) == state_to_json(s));
            CHECK(r.departments.size() == 3);
        });
    }
}

TEST_CASE("store conformance: the log gives hashes as 64 lowercase hex digits, each after its predecessor's",
          "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        std::vector<LogEntry> written;
        store->write([&] {
            for (const char* at : {"2024-03-04T09:00:00", "2024-03-05T09:00:00"}) {
                written.push_back(
                    chain_entry(store->log_head(), an_event("2024-0001", at), "2024-03-06T10:00:00"));
                store->append(written.back());
            }
        });
        auto again = b.reopen(dir);
        CHECK(again->log_head().hash == written.back().hash);
        for (const auto& w : written) {
            const auto e = again->log_entry(w.seq);
            REQUIRE(e);
            CHECK(e->hash == w.hash);
            CHECK(e->prev_hash == w.prev_hash);
            CHECK(e->data == w.data);
            CHECK(e->hash.find_first_not_of("0123456789abcdef") == std::string::npos);
            CHECK(e->hash.size() == 64);
        }
        CHECK(again->log_entry(1)->prev_hash == kGenesisHash);
    }
}

TEST_CASE("store conformance: case numbers, staff, workflows and the calendar", "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        std::vector<std::int64_t> numbers;
        store->write([&] {
            numbers.push_back(store->next_case_number(2024));
            numbers.push_back(store->next_case_number(2024));
            numbers.push_back(store->next_case_number(2025));
        });
        store->write([&] { numbers.push_back(store->next_case_number(2024)); });
        CHECK(numbers == std::vector<std::int64_t>{1, 2, 1, 3});

        REQUIRE(store->staff("督办甲"));
        CHECK(store->staff("督办甲")->role == Role::Supervisor);
        store->write([&] {
            store->add_staff({"王协调", Role::Coordinator, "戎苑社区"}, "2024-03-01T09:00:00", "督办甲");
        });
        CHECK(store->staff("王协调")->department == "戎苑社区");
        CHECK(store->staff_names().size() == 2);

        CHECK(store->workflows().size() == 5);
        REQUIRE(store->workflow("road"));
        CHECK(store->workflow("road")->version == 1);
        CHECK_FALSE(store->workflow("nothing"));
        // Each version keeps the compiled form of what was stored, beside its YAML.
        const auto road = store->workflow("road");
        const auto compiled = read_compiled_workflow(road->compiled, road->source);
        REQUIRE(compiled);
        CHECK(*compiled == load_workflow_or_throw(road->source, road->file));
        REQUIRE(store->opening("road"));
        CHECK_FALSE(store->opening("road")->initial_step.empty());
        CHECK(store->step_label("road", 1, store->opening("road")->initial_step));

        CHECK(store->calendar_years().size() == 4);
        CalendarYear y2027;
        y2027.year = 2027;
        y2027.provisional = true;
        y2027.holidays.emplace_back(parse_date("2027-01-01"), "元旦");
        store->write([&] { store->put_calendar({y2027}, "provisional", "2026-12-01T09:00:00"); });
        const auto years = store->calendar_years();
        REQUIRE(years.size() == 5);
        CHECK(years.back().provisional);
        const Calendar cal(store->calendar_data());
        CHECK(cal.is_provisional(2027));
        CHECK_FALSE(cal.is_working_day(parse_date("2027-01-01")));
        CHECK(store->damage().empty());
    }
}

TEST_CASE("store conformance: a read sees one snapshot while another connection writes", "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        auto other = b.reopen(dir);
        const std::int64_t before = store->data_version();
        store->read([&] {
            CHECK_FALSE(store->load_case("2024-0001"));
            other->write([&] { other->save_case(a_case("2024-0001", "2024-03-04T09:00:00"), true); });
            CHECK_FALSE(store->load_case("2024-0001"));  // still the snapshot
        });
        CHECK(store->load_case("2024-0001"));
        CHECK(store->data_version() != before);
    }
}

TEST_CASE(
    "store conformance: count_cases counts exactly the rows scan_cases gives, and a page is the scan's "
    "slice",
    "[store]") {
    for (const auto& b : kStores) {
        INFO(b.name);
        TempDir dir;
        auto store = b.fresh(dir);
        // A generated station of 240 cases whose members vary independently: category, phase, deadline
        // (some unknown), suspension, departments, typical, reporters' names and phones, who acted on it.
        const std::vector<std::string> categories = {"road", "drainage", "noise"};
        const std::vector<Phase> phases = {Phase::Intake, Phase::Coordination, Phase::FollowUp,
                                           Phase::Closed, Phase::Rejected,     Phase::Merged};
        const std::vector<std::string> departments = {"市政部门", "街道城管科", "供水公司"};
        const std::vector<std::string> names = {"张桂芳", "李建国", "王芳", "张三"};
        const std::vector<std::string> actors = {"督办甲", "王协调", "李协调"};
        store->write([&] {
            unsigned r = 12345;
            auto next = [&](unsigned n) {
                r = r * 1103515245u + 12345u;
                return (r >> 16) % n;
            };
            for (int i = 1; i <= 240; ++i) {
                char id[16], at[32];
                std::snprintf(id, sizeof id, "2024-%04d", i);
                // Some cases share a receipt time, so the id decides their order.
                std::snprintf(at, sizeof at, "2024-%02d-%02dT09:%02d:00", 3 + i / 60, 1 + (i % 28),
                              (i / 2) % 60);
                CaseState c = a_case(id, at, categories[next(3)], "海福巷" + std::to_string(i % 17) + "号");
                c.phase = phases[next(6)];
                if (next(7) == 0)
                    c.deadline.reset();
                else
                    c.deadline = c.clock_start + boost::gregorian::days(static_cast<int>(next(60)));
                c.suspended = next(9) == 0;
                c.typical = next(5) == 0;
                for (const auto& d : departments)
                    if (next(3) == 0)
                        c.tasks.push_back({d, next(4) == 0 ? TaskStatus::Returned : TaskStatus::Dispatched,
                                           false, at, at, ""});
                const std::string name = names[next(4)], phone = "139" + std::to_string(10000000 + next(50));
                c.reporters.push_back({name, phone, "来电", at, ""});
                c.report_count = 1;
                store->save_case(c, true);
                store->index_case_text(
                    c.id, c.id + " " + c.address + " " + c.summary + " " + name + " " + phone, {phone});
                Event e = an_event(c.id, at);
                e.actor = actors[next(3)];
                store->append(chain_entry(store->log_head(), e, at));
            }
        });
        auto ids = [&](const CaseQuery& q) {
            std::vector<std::string> out;
            store->scan_cases(q, [&](const CaseState& c) { out.push_back(c.id); });
            return out;
        };
        std::vector<CaseQuery> queries(1);
        auto with = [&](const std::function<void(CaseQuery&)>& set) {
            CaseQuery q;
            set(q);
            queries.push_back(q);
        };
        for (const char* p : {"intake", "coordination", "follow_up", "closed", "rejected", "merged"})
            with([&](CaseQuery& q) { q.phase = p; });
        for (const auto& c : categories)
            with([&](CaseQuery& q) { q.category = c; });
        for (const auto& d : departments)
            with([&](CaseQuery& q) { q.department = d; });
        with([](CaseQuery& q) { q.running_only = true; });
        with([](CaseQuery& q) { q.unknown_deadline_only = true; });
        with([](CaseQuery& q) { q.deadline_before = "2024-04-15"; });
        with([](CaseQuery& q) {
            q.deadline_before = "2024-04-15";
            q.or_unknown = true;
        });
        with([](CaseQuery& q) { q.deadline_until = "2024-05-01"; });
        with([](CaseQuery& q) {
            q.deadline_from = "2024-04-20";
            q.deadline_until = "2024-05-01";
        });
        with([](CaseQuery& q) { q.deadline_from = "2024-04-20"; });
        with([](CaseQuery& q) { q.last_event_before = "2024-04-01"; });
        with([](CaseQuery& q) { q.text = "海福巷1"; });  // three characters and more: the trigram index
        with([](CaseQuery& q) { q.text = "张三"; });     // two: LIKE
        with([](CaseQuery& q) { q.phone_digits = "1391000001"; });
        with([](CaseQuery& q) { q.typical_only = true; });
        with([](CaseQuery& q) { q.received_from = "2024-04-10"; });
        with([](CaseQuery& q) { q.received_to = "2024-04-10"; });
        for (const auto& a : actors)
            with([&](CaseQuery& q) { q.actor = a; });
        for (const auto& n : names)
            with([&](CaseQuery& q) {
                q.text = n;
                q.reporter = n;
            });
        with([](CaseQuery& q) { q.reporter = "芳"; });
        with([](CaseQuery& q) {
            q.phase = "coordination";
            q.actor = "督办甲";
        });
        with([](CaseQuery& q) {
            q.category = "road";
            q.department = "市政部门";
            q.received_from = "2024-03-20";
            q.received_to = "2024-05-20";
        });
        with([](CaseQuery& q) {
            q.text = "海福巷";
            q.typical_only = true;
            q.deadline_before = "2024-05-01";
        });
        std::size_t nonempty = 0;
        for (const auto& q : queries) {
            const auto all = ids(q);
            INFO("query " << (&q - queries.data()) << " matches " << all.size());
            nonempty += !all.empty();
            CHECK(store->count_cases(q) == static_cast<std::int64_t>(all.size()));
            for (const auto& [limit, offset] : std::vector<std::pair<std::int64_t, std::int64_t>>{
                     {7, 0}, {7, 5}, {20, 30}, {1, 0}, {500, 0}, {5, 10000}}) {
                CaseQuery page = q;
                page.limit = limit;
                page.offset = offset;
                const auto from = std::min<std::size_t>(all.size(), static_cast<std::size_t>(offset));
                const auto to = std::min<std::size_t>(all.size(), from + static_cast<std::size_t>(limit));
                CHECK(ids(page) == std::vector<std::string>(all.begin() + static_cast<std::ptrdiff_t>(from),
                                                            all.begin() + static_cast<std::ptrdiff_t>(to)));
                // The page does not narrow the count.
                CHECK(store->count_cases(page) == static_cast<std::int64_t>(all.size()));
            }
        }
        // The generated station exercises the filters: nearly every query matches something.
        CHECK(nonempty + 2 >= queries.size());
        CHECK(store->count_cases({}) == 240);
    }
}
