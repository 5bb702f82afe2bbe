// Output shapes shared by the commands (see output.h).
#include "cli/output.h"

#include <algorithm>

#include "engine/text.h"

namespace minsheng::cli {

using nlohmann::json;

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

std::map<std::string, std::string> category_names(Station& st) {
    std::map<std::string, std::string> out;
    for (const auto& w : st.workflows())
        out[w.category] = w.name;
    return out;
}

std::string name_of(const std::map<std::string, std::string>& names, const std::string& category) {
    auto it = names.find(category);
    return it == names.end() ? category : it->second;
}

}  // namespace minsheng::cli
