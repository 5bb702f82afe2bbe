// import and export of spreadsheet ledgers (台账). Placeholder registration until the ledger module lands.
#include "cli/context.h"

namespace minsheng::cli {

void add_ledger_commands(CLI::App&, Commands&) {}

}  // namespace minsheng::cli
