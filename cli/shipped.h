// The workflows and calendar shipped with minsheng, compiled into the program (see embed.cmake).
#pragma once

#include <vector>

#include "storage/station.h"

namespace minsheng::cli {

std::vector<SourceFile> shipped_workflows();
SourceFile shipped_calendar();

}  // namespace minsheng::cli
