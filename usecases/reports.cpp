// The report use cases (see reports.h).
#include "usecases/reports.h"

#include <map>

#include "engine/error.h"

namespace minsheng {

namespace {

// The write-up of one case, in the words of its category's current workflow.
report::WriteUp write_up_of(Station& st, const CaseState& c, const std::vector<Event>& events) {
    return report::make_write_up(c, events, st.workflow(c.category), st.calendar());
}

}  // namespace

std::vector<report::WriteUp> typical_write_ups(Station& st, const std::vector<std::string>& ids) {
    std::vector<report::WriteUp> out;
    for (const auto& id : ids) {
        const CaseState c = st.get_case(id);  // NotFound (exit 5) for an unknown id
        if (!c.typical)
            throw refused(
                "case " + id +
                " is not marked as a typical case (典型事例); a supervisor selects it with `minsheng case "
                "do " +
                id + " mark-typical`");
        out.push_back(write_up_of(st, c, st.history(id)));
    }
    return out;
}

AnnualReport annual_report(Station& st, int year) {
    const Calendar& cal = st.calendar();
    const std::string end_ts = std::to_string(year) + "-12-31T23:59:59";
    const std::string year_prefix = std::to_string(year) + "-";

    // Every case received up to the year's end. Events are read where the figures need them: for the cases
    // received in the year, and for older ones that changed after the year's end (to see how they stood).
    std::vector<report::CaseRecord> records;
    st.store().read([&] {
        st.store().scan_cases(CaseQuery{}, [&](const CaseState& c) {
            if (c.received_at <= end_ts) records.push_back({c, {}});
        });
    });
    for (auto& r : records)
        if (r.state.received_at.compare(0, year_prefix.size(), year_prefix) == 0 ||
            r.state.last_event_at > end_ts)
            r.events = st.history(r.state.id);
    std::map<std::string, std::string> names;
    for (const auto& w : st.workflows())  // by category, then version: the latest version's name stays
        names[w.category] = w.name;
    AnnualReport out;
    out.stats = report::annual_stats(records, year, cal, names);

    // The typical cases' records, found in one pass over the records.
    std::map<std::string, const report::CaseRecord*> typical_records;
    for (const auto& id : out.stats.typical)
        typical_records[id] = nullptr;
    for (const auto& r : records)
        if (auto it = typical_records.find(r.state.id); it != typical_records.end()) it->second = &r;
    for (const auto& id : out.stats.typical)
        if (const report::CaseRecord* r = typical_records[id])
            out.typical.push_back(write_up_of(st, r->state, r->events));
    return out;
}

}  // namespace minsheng
