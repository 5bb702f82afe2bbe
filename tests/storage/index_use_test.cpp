// Indexes that earn their place: each index the schema makes, and the store's query
// (storage/sqlite_store.cpp, the same SQL) that SQLite answers through it, checked with EXPLAIN QUERY PLAN on
// a station of the current schema. An index with no query here is one nothing uses: the second test fails
// until it is dropped or its query is listed.
#include <set>
#include <string>
#include <vector>

#include "prelude.h"
#include "storage/sqlite.h"

namespace {

struct IndexUse {
    std::string index;
    std::string query;  // as the store runs it, parameters left as ?N
};

const std::vector<IndexUse> kUses = {
    // open_cases_at: repeat matching when a report comes in.
    {"cases_open_by_address",
     "SELECT id, received_at FROM cases WHERE address_hash = ? AND category = ? AND address_key = ? AND "
     "phase "
     "NOT IN ('closed', 'rejected')"},
    // scan_cases with deadline_until (due-soon) or deadline_before (overdue): running cases only.
    {"cases_running_by_deadline",
     "SELECT id FROM cases c INDEXED BY cases_running_by_deadline WHERE 1 = 1 AND c.phase IN ('intake', "
     "'coordination') AND c.deadline <= ?5 "
     "ORDER "
     "BY c.received_at, c.id"},
    // scan_cases without a deadline filter: every list, oldest received first.
    {"cases_by_received", "SELECT id FROM cases c WHERE 1 = 1 ORDER BY c.received_at, c.id"},
    // scan_cases with a category, a phase or a department (schema 9): only the category's or the phase's rows
    // are read, in received order without a sort; a department's cases are read in received order, each
    // case's tasks probed by their primary key (no sort: flat memory).
    {"cases_by_category",
     "SELECT id FROM cases c WHERE 1 = 1 AND c.category = ?2 AND EXISTS (SELECT 1 FROM case_tasks d WHERE "
     "d.case_id = c.id AND d.department = ?3) ORDER BY c.received_at, c.id"},
    {"cases_by_category",
     "SELECT id FROM cases c WHERE 1 = 1 AND c.category = ?2 ORDER BY c.received_at, c.id"},
    {"cases_by_phase", "SELECT id FROM cases c WHERE 1 = 1 AND c.phase = ?1 ORDER BY c.received_at, c.id"},
    {"cases_by_received",
     "SELECT id FROM cases c WHERE 1 = 1 AND EXISTS (SELECT 1 FROM case_tasks d WHERE d.case_id = c.id AND "
     "d.department = ?3) ORDER BY c.received_at, c.id"},
    // scan_cases with unknown_deadline_only: the cases every list checks before its first row (SPEC deadline
    // rule 6), a handful, read by their partial index (schema 10) instead of a scan of every case.
    {"cases_deadline_unknown",
     "SELECT id FROM cases c WHERE 1 = 1 AND c.deadline IS NULL AND c.phase <> 'rejected' ORDER BY "
     "c.received_at, c.id"},
    {"cases_deadline_unknown",
     "SELECT count(*) FROM cases c WHERE 1 = 1 AND c.deadline IS NULL AND c.phase <> 'rejected'"},
    // With a phase (or a category), whose index SQLite would otherwise take: the store names the partial
    // index, which its terms make usable (else SQLite refuses the query).
    {"cases_deadline_unknown",
     "SELECT id FROM cases c INDEXED BY cases_deadline_unknown WHERE 1 = 1 AND c.phase = ?1 AND EXISTS "
     "(SELECT 1 FROM case_actors a WHERE a.actor = ?9 AND a.case_id = c.id) AND c.deadline IS NULL AND "
     "c.phase <> 'rejected' ORDER BY c.received_at, c.id"},
    // scan_cases and count_cases with a person and a phase (mine=1&phase=, schema 12): the range of the
    // person's rows in that phase, in received order without a sort; the count is the range's length.
    {"case_actors_by_actor",
     "SELECT c.id FROM case_actors a INDEXED BY case_actors_by_actor CROSS JOIN cases c ON c.id = a.case_id "
     "WHERE a.actor = ?9 AND a.phase = ?1 ORDER BY a.received_at, a.case_id"},
    {"case_actors_by_actor",
     "SELECT count(*) FROM case_actors a INDEXED BY case_actors_by_actor WHERE a.actor = ?9 AND a.phase = "
     "?1"},
    // count_cases without a filter (the whole list's total) reads the narrowest index of cases (schema 12).
    {"cases_by_typical", "SELECT count(*) FROM cases c WHERE 1 = 1"},
    // scan_cases_at_address: the similar-address warning.
    {"cases_by_address_key",
     "SELECT id FROM cases INDEXED BY cases_by_address_key WHERE address_key >= ? AND address_key < ?"},
    // scan_ids_changed_since: the cases an --as-of question must replay.
    {"cases_by_last_event", "SELECT id FROM cases WHERE last_event_at >= ?1 AND received_at < ?1"},
    // case_events: one case's history; scan_case_events and cases_missing_from_projection read it whole.
    {"events_by_case",
     "SELECT seq, action, at, actor, data, recorded_at FROM events WHERE case_id = ? ORDER BY seq"},
    // index_case_text: a case's phones replaced when it is indexed again.
    {"case_phones_by_case", "DELETE FROM case_phones WHERE case_id = ?"},
    // Sign-in: idle sessions swept, a name's recent failures counted (throttling).
    {"sessions_by_last_seen", "DELETE FROM sessions WHERE last_seen < ?"},
    {"signin_failures_by_name", "SELECT at FROM signin_failures WHERE name = ? ORDER BY at DESC LIMIT ?"},
    {"events_by_case",
     "SELECT count(DISTINCT case_id) FROM events WHERE case_id <> '' AND case_id NOT IN (SELECT id FROM "
     "cases)"},
};

std::string plan_of(minsheng::sql::Db& db, const std::string& query) {
    minsheng::sql::Stmt st(db, "EXPLAIN QUERY PLAN " + query);
    std::string plan;
    while (st.step())
        plan += st.text(3) + "\n";
    return plan;
}

}  // namespace

TEST_CASE("each index is used by the store's query that needs it", "[storage][index]") {
    TempDir dir;
    const std::string path = minsheng::test::fresh_station(dir);
    minsheng::sql::Db db(path, minsheng::sql::Db::Mode::ReadOnly);
    for (const auto& use : kUses) {
        CAPTURE(use.query);
        const std::string plan = plan_of(db, use.query);
        CAPTURE(plan);
        const bool through = plan.find("INDEX " + use.index + " ") != std::string::npos ||
                             plan.find("INDEX " + use.index + "\n") != std::string::npos;
        CHECK(through);
    }
    // The filters never read a whole table of tasks, and never sort their whole answer.
    for (size_t i : {3, 4, 5, 6, 10}) {
        const std::string plan = plan_of(db, kUses[i].query);
        CAPTURE(plan);
        CHECK(plan.find(i == 6 ? "SCAN d" : "SCAN") == std::string::npos);
        CHECK(plan.find("TEMP B-TREE FOR ORDER BY") == std::string::npos);
    }
}

TEST_CASE("every index the schema makes has a query that uses it", "[storage][index]") {
    TempDir dir;
    const std::string path = minsheng::test::fresh_station(dir);
    minsheng::sql::Db db(path, minsheng::sql::Db::Mode::ReadOnly);
    std::set<std::string> listed;
    for (const auto& use : kUses)
        listed.insert(use.index);
    minsheng::sql::Stmt st(
        db, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
    std::set<std::string> made;
    while (st.step())
        made.insert(st.text(0));
    CHECK(made == listed);
}
