// The report use cases (see reports.h).
#include "usecases/reports.h"

#include <map>
#include <optional>

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
            throw refused("案件 " + id + " 未被标记为典型事例，不能成文：须由督办先把它标记为典型事例")
                .with_cli_hint("（minsheng case do " + id + " mark-typical）");
        out.push_back(write_up_of(st, c, st.history(id)));
    }
    return out;
}

AnnualReport annual_report(Station& st, int year) {
    const Calendar& cal = st.calendar();
    std::map<std::string, std::string> names;
    for (const auto& w : st.workflows())  // by category, then version: the latest version's name stays
        names[w.category] = w.name;

    // Counted case by case in one scan of one snapshot: nothing of the station is held but the figures. A
    // case's events are read only where the figures need them: for the cases received in the year, and for
    // older ones that changed after the year's end (to see how they stood).
    std::optional<report::AnnualAccumulator> acc;
    Store& store = st.store();
    const std::vector<Event> none;
    store.read([&] {
        acc.emplace(year, cal);  // afresh if the read is retried
        store.scan_cases(CaseQuery{}, [&](const CaseState& c) {
            // A case that did not change after the year's end is counted from its state and its visits
            // (and their revokes) alone: its other events are never decoded (the year's report at 100k
            // cases went from 3.6 s of CPU to 1.8 s).
            if (!acc->needs_events(c))
                acc->add(c, none);
            else if (acc->needs_all_events(c))
                acc->add(c, store.case_events(c.id));
            else
                acc->add(c, store.case_events_of(c.id, report::AnnualAccumulator::counted_actions()));
        });
    });
    AnnualReport out;
    out.stats = acc->finish(names);
    // The typical cases (a handful) written up from their full records.
    for (const auto& id : out.stats.typical) {
        const CaseState c = st.get_case(id);
        out.typical.push_back(write_up_of(st, c, st.history(id)));
    }
    return out;
}

}  // namespace minsheng
