// Report documents: the write-ups and the annual report as Markdown, self-contained HTML (print CSS, inline
// SVG charts), CSV and JSON. Text in, text out; every value has been masked before it gets here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/annual.h"
#include "engine/write_up.h"

namespace minsheng::report {

// The write-ups as a document: 典型事例一, 二, … in the order given.
std::string write_ups_markdown(const std::vector<WriteUp>& write_ups);
std::string write_ups_html(const std::vector<WriteUp>& write_ups);  // one self-contained file
nlohmann::json write_ups_json(const std::vector<WriteUp>& write_ups);

// The annual report; `typical` are the write-ups of stats.typical, in that order.
nlohmann::json annual_json(const AnnualStats& stats, const std::vector<WriteUp>& typical);
std::string annual_markdown(const AnnualStats& stats, const std::vector<WriteUp>& typical);
std::string annual_html(const AnnualStats& stats, const std::vector<WriteUp>& typical);
std::string annual_csv(const AnnualStats& stats, const std::vector<WriteUp>& typical);

// Small helpers, exposed for tests.
std::string chinese_ordinal(int n);  // 1 -> 一, 12 -> 十二, 21 -> 二十一 (1..99)
std::string html_escape(std::string_view s);
std::string markdown_escape(std::string_view s);

}  // namespace minsheng::report
