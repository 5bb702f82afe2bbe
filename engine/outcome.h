// How a case turned out, as every report counts it: whether it was resolved on time, and which events are
// visits. The write-ups and the annual statistics share these definitions.
#pragma once

#include "engine/calendar.h"
#include "engine/case.h"

namespace minsheng::report {

// SPEC Part 2: only `visit` events count as visits, whatever fields another action recorded; a revoked one
// counts nowhere.
bool is_visit(const Event& e);

// Resolved now, and every resolve (first handling and each reopening) within its cycle's deadline. Throws
// Error(Refused) when a deadline is unknown although the calendar covers every year up to the resolve.
bool resolved_on_time(const CaseState& s, const Calendar& cal);

// The visits among `events` (is_visit, and not revoked by a revoke among `all`, the case's whole log) that
// recorded an answer, and how many of them were satisfied: 满意率 counts 满意 and 基本满意 (yes, basic).
struct VisitCount {
    int visits = 0;
    int satisfied = 0;
};
VisitCount count_visits(const std::vector<Event>& events, const std::vector<Event>& all);

}  // namespace minsheng::report
