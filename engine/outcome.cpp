// How a case turned out, as reports count it (see outcome.h).
#include "engine/outcome.h"

#include <algorithm>

#include "engine/error.h"

namespace minsheng::report {

bool is_visit(const Event& e) {
    return e.action == "visit" && !e.revoked;
}

namespace {

// Whether a resolve on `resolved` met the deadline of a clock cycle started on `start`. An unknown deadline
// lies in a year the calendar does not cover; when every year from the start to the resolve is covered,
// that year comes after the resolve, so the resolve was in time.
bool cycle_on_time(Date start, const std::optional<Date>& deadline, Date resolved, const Calendar& cal,
                   const CaseState& s) {
    if (deadline) return resolved <= *deadline;
    if (!cal.covers_years(start.year(), resolved.year()))
        throw refused("案件 " + s.id + " 的办理期限无法计算" +
                      (s.deadline_problem.empty() ? "" : "：" + s.deadline_problem));
    return true;
}

}  // namespace

bool resolved_on_time(const CaseState& s, const Calendar& cal) {
    if (!s.resolved_on) return false;
    for (const auto& c : s.past_cycles)
        if (c.resolved_on && !cycle_on_time(c.start, c.deadline, *c.resolved_on, cal, s)) return false;
    return cycle_on_time(s.clock_start, s.deadline, *s.resolved_on, cal, s);
}

VisitCount count_visits(const std::vector<Event>& events, const std::vector<Event>& all) {
    VisitCount n;
    const auto gone = revoked_seqs(all);
    for (const auto& e : events) {
        if (!is_visit(e) || std::find(gone.begin(), gone.end(), e.seq) != gone.end()) continue;
        const auto answer = visit_answer(e);
        if (!answer) continue;
        ++n.visits;
        n.satisfied += *answer ? 1 : 0;
    }
    return n;
}

}  // namespace minsheng::report
