// The workflows and calendar shipped with minsheng, compiled into the program (see embed.cmake).
#pragma once

#include <vector>

#include "usecases/station.h"

namespace minsheng::cli {

std::vector<SourceFile> shipped_workflows();
SourceFile shipped_calendar();
// The dates that fix the movable statutory holidays, 2023–2060, for `calendar provisional`.
SourceFile shipped_statutory_anchors();

}  // namespace minsheng::cli
