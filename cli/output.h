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

// A table aligned by display width, so Chinese columns line up in a terminal.
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

// One CSV record: each field through csv_field (engine/text.h), comma-separated, ended by CRLF.
void csv_row(std::ostream& out, const std::vector<std::string>& fields);

// "12 个工作日" style helpers for the text forms.
std::string days_left_text(const ClockView& v);
std::string deadline_text(const ClockView& v);  // 2027-01-14（暂定） when it needs a provisional year

}  // namespace minsheng::cli
