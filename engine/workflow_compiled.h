// A workflow's compiled form: the parsed and checked `Workflow` written as JSON, so a station can read a
// stored workflow back without parsing its YAML again. yaml-cpp takes about 8M instructions to parse one of
// the shipped files (≈4.5 KB) — 60% of `case show` — and every command that touches a case needs its
// workflow; reading the compiled form takes a small fraction of that (bench/RESULTS.md, "Start-up").
// The YAML stays the workflow's text of record: the compiled form is derived from it, and a form this
// minsheng cannot read (another format, damage) is ignored, and the YAML parsed instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/workflow.h"

namespace minsheng {

// The compiled form of a checked workflow (its `source` is not included: it is stored beside it).
std::string compile_workflow(const Workflow& w);

// The workflow a compiled form describes, with `source` set to the YAML it was compiled from; nullopt when
// the form was written in another format (a different minsheng) or cannot be read.
std::optional<Workflow> read_compiled_workflow(std::string_view compiled, const std::string& source);

}  // namespace minsheng
