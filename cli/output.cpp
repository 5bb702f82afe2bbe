// Output shapes shared by the commands (see output.h).
#include "cli/output.h"

#include <algorithm>

#include "engine/text.h"

namespace minsheng::cli {

using nlohmann::json;

std::string recorded_late_note(const Event& e) {
    if (!recorded_late(e)) return "";
    std::string r = e.recorded_at.substr(0, 16);
    std::replace(r.begin(), r.end(), 'T', ' ');
    return "（补录于 " + r + "）";
}

TableLayout::TableLayout(std::vector<std::string> headers)
    : headers_(std::move(headers)), widths_(headers_.size(), 0) {
    measure(headers_);
}

void TableLayout::measure(const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths_.size(); ++i)
        widths_[i] = std::max(widths_[i], display_width(row[i]));
}

void TableLayout::print_row(std::ostream& out, const std::vector<std::string>& row) const {
    std::string s;
    for (size_t i = 0; i < row.size() && i < widths_.size(); ++i) {
        const bool last = i + 1 == row.size();
        s += last ? row[i] : pad_to_width(row[i], widths_[i]) + "  ";
    }
    out << s << '\n';
}

void TableLayout::print_header(std::ostream& out) const {
    print_row(out, headers_);
    std::vector<std::string> rule;
    for (int w : widths_)
        rule.push_back(std::string(static_cast<size_t>(w), '-'));
    print_row(out, rule);
}

void Table::print(std::ostream& out) const {
    TableLayout layout(headers_);
    for (const auto& r : rows_)
        layout.measure(r);
    layout.print_header(out);
    for (const auto& r : rows_)
        layout.print_row(out, r);
}

std::string indented(const json& j, int by) {
    const std::string text = j.dump(2);
    const std::string pad(static_cast<size_t>(by), ' ');
    std::string out = pad;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        out += c;
        if (c == '\n') out += pad;  // a newline inside a string value is escaped: these are the layout's
    }
    return out;
}

void csv_row(std::ostream& out, const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i)
        out << (i ? "," : "") << csv_field(fields[i]);
    out << "\r\n";
}

std::string days_left_text(const ClockView& v) {
    if (!v.deadline) return v.complete() ? "—" : "未知";
    if (!v.days_known) return v.overdue ? "超期（天数未知）" : "未知";
    if (v.stopped) return "已停表 (" + std::to_string(v.working_days_left) + ")";
    if (v.overdue) return "超期 " + std::to_string(v.working_days_overdue) + " 个工作日";
    return "剩余 " + std::to_string(v.working_days_left) + " 个工作日";
}

std::string deadline_text(const ClockView& v) {
    if (!v.deadline) return v.complete() ? "—" : "未知";
    return format_date(*v.deadline) + (v.deadline_provisional ? "（暂定）" : "");
}

}  // namespace minsheng::cli
