// The full program's parts (cli/full_program.h): the web server over this command line's file formats, and
// the xlsx ledger. Linked into the full program, the tests and the fuzzers; never into `minsheng` itself.
#include "cli/full_program.h"

#include <fstream>

#include "cli/context.h"
#include "cli/docx.h"
#include "cli/ledger_io.h"
#include "engine/error.h"
#include "server/serve.h"

namespace minsheng::cli {

std::unique_ptr<LedgerSink> open_xlsx_ledger(const std::string& file);  // cli/xlsx_ledger.cpp

namespace {

// Writes every case as the ledger in `format` (csv with BOM, xlsx, json) to the file `path`, streamed: the
// web's 导出 is the command line's export.
void export_ledger(Station& st, Date today, const std::string& format, const std::string& path) {
    if (format == "xlsx") {
        const std::unique_ptr<LedgerSink> book = open_xlsx_ledger(path);
        for_each_ledger_row(st, today, [&](const std::vector<std::string>& cells) { book->add(cells); });
        book->close();
        return;
    }
    if (format != "csv" && format != "json") throw usage_error("导出格式应为 csv、xlsx 或 json：" + format);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw storage_error("无法写入临时文件 " + path);
    write_ledger_text(st, today, format == "csv", out);
    out.flush();
    if (!out) throw storage_error("无法写完导出文件（磁盘已满？）");
}

int serve(const Context& ctx, const ServeCommand& command) {
    server::ServeOptions so;
    so.db_path = ctx.db_path;
    server::parse_listen(command.listen, so);
    so.behind_tls = command.behind_tls;
    so.session_idle_seconds = command.idle_seconds;
    if (ctx.today_given) so.today = ctx.today;
    so.documents.docx = markdown_to_docx;
    so.documents.export_ledger = export_ledger;
    so.documents.import_ledger = [](Station& st, const server::Documents::Import& in,
                                    const std::function<void(const ImportPlan&)>& plan) {
        LedgerImport li;
        li.path = in.path;
        li.source = in.source;
        li.ignore_unknown = in.ignore_unknown;
        li.dry_run = in.dry_run;
        li.actor = in.actor;
        li.now = in.now;
        li.latest_at = in.latest_at;
        return import_ledger(st, li, plan);
    };
    return server::serve(so);
}

}  // namespace

const FullProgram& full_program() {
    static const FullProgram parts{&open_xlsx_ledger, &serve};
    return parts;
}

}  // namespace minsheng::cli
