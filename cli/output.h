// Output shapes for people: aligned terminal tables, CSV rows, the clock in words. (The JSON objects are the
// application layer's: usecases/views.h.)
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "engine/case.h"
#include "usecases/views.h"

namespace minsheng::cli {

// "（补录于 2025-06-01 10:00）" for an event recorded more than a day after its time (SPEC Part 2), else "".
std::string recorded_late_note(const Event& e);

// A table aligned by display width, printed without holding its rows: a first pass over the rows measures
// each column (keeping no row), then the header and each row are printed as they come in a second pass.
// Prints exactly what Table prints for the same rows.
class TableLayout {
public:
    explicit TableLayout(std::vector<std::string> headers);
    void measure(const std::vector<std::string>& row);  // first pass
    void print_header(std::ostream& out) const;         // the header and its rule
    void print_row(std::ostream& out, const std::vector<std::string>& row) const;

private:
    std::vector<std::string> headers_;
    std::vector<int> widths_;
};

// A table aligned by display width, so Chinese columns line up in a terminal (for the few rows one case has;
// lists of cases use TableLayout).
class Table {
public:
    explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out) const;
    bool empty() const { return rows_.empty(); }

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// `j` as one element of an array printed with dump(2): its dump(2) with every line indented `by` spaces more.
// Arrays of cases are written one element at a time with it, byte for byte as the whole array's dump(2).
std::string indented(const nlohmann::json& j, int by);

// One CSV record: each field through csv_field (engine/text.h), comma-separated, ended by CRLF.
void csv_row(std::ostream& out, const std::vector<std::string>& fields);

// "12 个工作日" style helpers for the text forms.
std::string days_left_text(const ClockView& v);
std::string deadline_text(const ClockView& v);  // 2027-01-14（暂定） when it needs a provisional year

}  // namespace minsheng::cli
