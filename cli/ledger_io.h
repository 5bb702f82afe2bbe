// The ledger files (台账, SPEC Part 2 "Ledgers") as the command line reads and writes them, for the other
// front end too: `minsheng serve` hands these to the server (server/serve.h ServeOptions::documents), so an
// import or export through the web is the same file format, read and written by the same code.
#pragma once

#include <functional>
#include <string>

#include "usecases/station.h"

namespace minsheng::cli {

struct LedgerImport {
    std::string path;                // the CSV file read
    std::string source;              // how messages name it (FILE:LINE: …)
    std::string encoding = "utf-8";  // or gbk / gb18030
    bool ignore_unknown = false;
    bool dry_run = false;
    std::string actor, now, latest_at;
};

// Reads the CSV ledger and imports it in one transaction (Station::import_reports): a bad row is listed in
// the result and nothing is written. Errors of the file as a whole (no header, an unknown column, malformed
// CSV) are thrown, Refused, naming source and line.
ImportResult import_ledger(Station& st, const LedgerImport& in,
                           const std::function<void(const ImportPlan&)>& plan = {});

// Writes every case as the ledger in `format` (csv with BOM, xlsx, json) to the file `path`, streamed.
void export_ledger(Station& st, Date today, const std::string& format, const std::string& path);

}  // namespace minsheng::cli
