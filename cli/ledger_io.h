// The ledger files (台账, SPEC Part 2 "Ledgers") as the command line reads and writes them, for the other
// front end too: `minsheng serve` hands these to the server (server/serve.h ServeOptions::documents), so an
// import or export through the web is the same file format, read and written by the same code.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

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

// Writes every case as the ledger, csv (with BOM) or json, to `out`, streamed: nothing before the first case
// (a refusal, a clock the calendar cannot tell, comes before it).
void write_ledger_text(Station& st, Date today, bool csv, std::ostream& out);

// Every case's ledger row (the export's columns), one at a time: for the xlsx writer.
void for_each_ledger_row(Station& st, Date today,
                         const std::function<void(const std::vector<std::string>& cells)>& row);

}  // namespace minsheng::cli
