// The report use cases (SPEC "Reports"): which cases a typical-case write-up may cover, and what the annual
// statistics read from the station. The documents themselves are the engine's (engine/report.h).
#pragma once

#include <string>
#include <vector>

#include "engine/report.h"
#include "usecases/station.h"

namespace minsheng {

// The write-ups of these cases, in the order given. Only cases a supervisor marked typical (mark-typical) are
// written up: any other is refused naming how to mark it; an unknown id is NotFound.
std::vector<report::WriteUp> typical_write_ups(Station& st, const std::vector<std::string>& ids);

struct AnnualReport {
    report::AnnualStats stats;
    std::vector<report::WriteUp> typical;  // the write-ups of stats.typical, in that order
};

// The year's statistics and its typical cases in full.
AnnualReport annual_report(Station& st, int year);

}  // namespace minsheng
