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

}  // namespace minsheng::report
