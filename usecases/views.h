// The case and event objects of SPEC "JSON", built once here for every front end: `--json` on the command
// line, and the HTTP API.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case.h"
#include "engine/workflow.h"

namespace minsheng {

// SPEC.md's case object. `history` may be null (lists and audits omit it).
nlohmann::json case_object(const CaseState& c, const ClockView& clock, const std::string& step_label,
                           const std::vector<Event>* history);
// The same object without history, appended to `out` as the text nlohmann's dump() (`indent` < 0) or
// indented(case_object(...), indent) (`indent` >= 0: dump(2) with every line `indent` spaces further in)
// would print, byte for byte, without building the tree: the lists and audits write one per case.
void append_case_json(std::string& out, const CaseState& c, const ClockView& clock,
                      const std::string& step_label, int indent = -1);
nlohmann::json event_object(const Event& e);
// case show's rounds (first handling and each reopening).
nlohmann::json rounds_json(const std::vector<ClockRound>& rounds);

// SPEC Part 2 "Next steps": [{"action", "label", "requires": [...], "choices": {field: [values]}}].
nlohmann::json next_actions_json(const std::vector<Action>& actions);

}  // namespace minsheng
