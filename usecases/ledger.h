// The station's ledger (台账, SPEC Part 2 "Ledgers"): which spreadsheet columns an import knows, by their
// English name or any of their Chinese synonyms; the date forms a ledger may carry; how several reporters are
// written in one cell; and the export's row — Chinese headers, labels not ids, no JSON in any cell.
// Front ends read and write the file format (CSV, xlsx); the rules of what a column means live here, once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/case.h"

namespace minsheng {

// A column an import knows. `Exported` columns are the export's own figures (编号, 阶段, 办理期限 …): the
// station computes them again, so an import of an export reads them and ignores them.
enum class LedgerColumn {
    ReceivedAt,
    Category,
    Address,
    Summary,
    Reporter,
    Phone,
    Channel,
    Note,
    OtherReporters,
    Exported,
};
constexpr int kLedgerInputColumns = 9;  // ReceivedAt … OtherReporters

// The column a header cell names (case and surrounding white space ignored), or nothing when unknown.
std::optional<LedgerColumn> ledger_column(const std::string& header);
// "received_at (受理时间，或 反映时间/登记时间)": how a message names a column.
std::string ledger_column_label(LedgerColumn c, bool synonyms = true);  // without: "地址（address）"
// Every name an import knows, for the refusal of an unknown column.
std::string known_ledger_columns();

// A ledger's date or timestamp as `normalize_timestamp` takes it: 2025-10-16, 2025/10/16, 2025.10.16 or
// 2025年10月16日 (months and days with or without a leading zero), each with an optional time 9:05,
// 09:05:00 or T09:05 (after a space, a T, or nothing after 日). Anything else comes back unchanged, for
// normalize_timestamp to refuse.
std::string ledger_timestamp(const std::string& text);

// 其他反映人: the reports after the first, one per line, each "时间，姓名，电话，渠道" with full-width commas
// (2025-10-17 09:05，李四，13900000000，来电). Time first: the line reads as a log entry; a name may itself
// hold a full-width comma (the name is what lies between the time and the last two fields), phone and channel
// cannot hold one (they never do in practice).
std::string format_other_reporters(const std::vector<Reporter>& reporters);  // reporters[1..]
// Parses such a cell; throws Error(Refused) saying which line is wrong and how it should read.
std::vector<Reporter> parse_other_reporters(const std::string& cell);

// The exported ledger's columns (编号 … 典型事例), in order.
const std::vector<std::string>& ledger_headers();
// What a column holds, for xlsx formatting.
enum class LedgerCellKind { Text, Number, Date, DateTime };
LedgerCellKind ledger_cell_kind(std::size_t column);

// What the export needs beside the case: the category's name and the step's label.
struct LedgerLabels {
    std::string category_name;  // 排水/下水道
    std::string step_label;     // 待派单
};
// One case as a ledger row, one text per ledger_headers() column. Numbers as decimal text, dates as
// YYYY-MM-DD (办理期限 2027-01-13（暂定） when it needs a provisional year), times as YYYY-MM-DD HH:MM[:SS];
// empty when there is nothing (剩余工作日 of a stopped clock).
std::vector<std::string> ledger_row(const CaseState& c, const ClockView& v, const LedgerLabels& labels);

}  // namespace minsheng
