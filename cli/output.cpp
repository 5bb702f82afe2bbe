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

void Table::print(std::ostream& out) const {
    std::vector<int> widths(headers_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], display_width(row[i]));
    };
    measure(headers_);
    for (const auto& r : rows_)
        measure(r);
    auto line = [&](const std::vector<std::string>& row) {
        std::string s;
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            const bool last = i + 1 == row.size();
            s += last ? row[i] : pad_to_width(row[i], widths[i]) + "  ";
        }
        out << s << '\n';
    };
    line(headers_);
    std::vector<std::string> rule;
    for (int w : widths)
        rule.push_back(std::string(static_cast<size_t>(w), '-'));
    line(rule);
    for (const auto& r : rows_)
        line(r);
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
