// Paper (SPEC Part 2): the printable case sheet of `case show ID --format html`. The sheet is the engine's
// (engine/case_sheet.h) with its labels gathered by the application layer (usecases/desk.h), the same for
// the web workspace's 打印; this file writes it where it was asked for.
#include "cli/context.h"
#include "usecases/desk.h"

namespace minsheng::cli {

void write_case_sheet(const Context& ctx, Station& st, const std::string& id, const std::string& out_path) {
    const std::string html = case_sheet(st, id, ctx.today);
    if (out_path.empty())
        *ctx.out << html;
    else
        write_file(out_path, html);
}

}  // namespace minsheng::cli
