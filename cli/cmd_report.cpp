// report typical|annual (issue: reports). Placeholder registration until the reports module lands.
#include "cli/context.h"

namespace minsheng::cli {

void add_report_commands(CLI::App&, Commands&) {}

}  // namespace minsheng::cli
