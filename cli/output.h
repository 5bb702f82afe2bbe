// Output shapes: the user-facing case object of SPEC.md "JSON", aligned terminal tables, CSV quoting.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "engine/case.h"

namespace minsheng::cli {

// SPEC.md's case object. `history` may be null (lists and audits omit it).
nlohmann::json case_object(const CaseState& c, const ClockView& clock, const std::string& step_label,
                           const std::vector<Event>* history);
nlohmann::json event_object(const Event& e);
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
// case show's rounds (first handling and each reopening).
nlohmann::json rounds_json(const std::vector<ClockRound>& rounds);

}  // namespace minsheng::cli
