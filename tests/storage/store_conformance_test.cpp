// The store interface's contract (storage/store.h), run against every implementation in kStores: a second
// backend is done when it passes these. Each case makes a fresh station through the application layer's
// init, then talks to the store directly.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/shipped.h"
#include "engine/error.h"
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
