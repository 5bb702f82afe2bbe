// The supervisor's desk (督办台, SPEC Part 2 "The web workspace"): how each department is doing, and the
// printable case sheet. Figures are computed here, in one streamed pass over the station, never by a front
// end over a list of every case.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "usecases/station.h"

namespace minsheng {

// One department's row of the desk table. A case counts for every department dispatched to it whose task
// was not returned (as the annual report counts departments).
struct DepartmentFigures {
    std::string department;
    int cases = 0;      // cases received in the period with this department's task
    int resolved = 0;   // of those, resolved (办结 or waiting for the visit)
    int on_time = 0;    // of those resolved, every round within its deadline (the annual report's rule)
    int visits = 0;     // visits that recorded an answer, on those cases (only `visit` events, none revoked)
    int satisfied = 0;  // of those, 满意 or 基本满意
    std::optional<double> on_time_rate;       // on_time / resolved, to 4 places; none without a resolve
    std::optional<double> satisfaction_rate;  // satisfied / visits
    int overdue = 0;  // running cases overdue today with this department's task, whenever received
};

struct DeskTable {
    std::optional<Date> from, to;                // received in [from, to]; none: every case
    std::vector<DepartmentFigures> departments;  // most overdue first, then most cases, then by name
};

// The per-department table on `today`, in one scan of one snapshot; supervisors only (NotAllowed). No event
// is read: each case's visit tally is kept with it (CaseState::visits_answered).
// Refused (exit 3) like the annual report when an on-time verdict needs a year the calendar lacks.
DeskTable department_table(Station& st, const std::string& actor, Date today, std::optional<Date> from,
                           std::optional<Date> to);

// The printable case sheet (SPEC Part 2 "Paper": `case show ID --format html`) on `today`.
std::string case_sheet(Station& st, const std::string& id, Date today);

}  // namespace minsheng
