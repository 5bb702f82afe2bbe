// The printable case sheet (SPEC Part 2 "Paper"): one case on A4 as 工单 while it is open, 办结单 once it is
// closed — the report, the reporters, the departments, the clock, the history, and signature lines for the
// 承办人 and the 督办. Staff paper: phones are shown in full (only reports mask them). Text in, HTML out.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/case.h"

namespace minsheng {

struct CaseSheetLabels {
    std::string category_name;  // 排水/下水道
    std::string step_label;     // 待派单
    // The Chinese label of an action id (the workflow's label; 受理 for open, 重复反映 for report).
    std::function<std::string(const std::string&)> action_label;
    // A field's value as people read it (satisfied=yes -> 满意); the value itself when unset.
    std::function<std::string(const std::string& field, const std::string& value)> field_value;
};

std::string case_sheet_html(const CaseState& c, const ClockView& v, const CaseSheetLabels& labels,
                            const std::vector<Event>& history);

}  // namespace minsheng
