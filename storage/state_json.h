// The projection's JSON text of a case state, written directly instead of through a json tree, several times
// faster than engine's state_to_json(s).dump(), which matters when an import writes a million of them. The
// stored (slim) form leaves out members whose value is what state_from_json assumes for a missing key, so
// state_from_json reads back the same state from fewer bytes. The first use checks this writer against
// state_to_json on samples that set every member; on any difference (the engine's state grew a member this
// writer does not know) every call uses state_to_json(s).dump() instead.
#pragma once

#include <string>
#include <string_view>

#include "engine/case.h"

namespace minsheng::storage_detail {

// Appends the state's JSON to `out`: with slim false, the same document as state_to_json(s); with slim true,
// without the members at their missing-key values. Returns false, leaving `out` unspecified, when a text
// member is not valid UTF-8 (state_to_json would throw for it).
bool write_state_json(const CaseState& s, std::string& out, bool slim);

// Whether write_state_json agrees with the engine's state_to_json / state_from_json (computed once).
bool fast_state_json_agrees();

// The JSON text stored in the projection for `s`.
std::string state_json(const CaseState& s);

// Reads a projection JSON text (slim or full, keys in any order) straight into `s`, as state_from_json would.
// Returns false when the text holds anything this reader does not handle exactly as state_from_json does (an
// unknown key, an unexpected type, a non-integer number); the caller then uses state_from_json.
bool read_state_json(std::string_view text, CaseState& s);

// The state stored as `text`: read_state_json when it agrees with the engine, else state_from_json.
CaseState state_from_text(std::string_view text);

}  // namespace minsheng::storage_detail
