// Report documents: write-ups and the annual report as Markdown, HTML (print CSS, inline SVG charts), CSV
// and JSON (see report_render.h).
#include "engine/report_render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <tuple>

#include "engine/text.h"

namespace minsheng::report {

using nlohmann::json;

namespace {

// One decimal place, always ("12.0"): the figures and the charts' coordinates.
std::string fmt_num(double v) {
    std::ostringstream ss;
    ss.setf(std::ios::fixed);
    ss.precision(1);
    ss << v;
    return ss.str();
}

std::string number_text(double v) {
    if (std::fabs(v - std::round(v)) < 1e-9) return std::to_string(static_cast<long long>(std::llround(v)));
    return fmt_num(v);
}

std::string percent_text(std::optional<double> rate) {
    if (!rate) return "—";
    return fmt_num(*rate * 100) + "%";
}

}  // namespace

std::string chinese_ordinal(int n) {
    static const char* digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n <= 0 || n >= 100) return std::to_string(n);
    if (n < 10) return digits[n];
    const int tens = n / 10, ones = n % 10;
    return std::string(tens == 1 ? "" : digits[tens]) + "十" + (ones ? digits[ones] : "");
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string markdown_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool line_start = true;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        // One line, one paragraph: a line break (or a blank line) in resident text would start a list, a
        // rule, a heading or a new paragraph.
        if (c == '\r' || c == '\n') {
            if (!line_start) out += ' ';
            while (i + 1 < s.size() &&
                   (s[i + 1] == '\r' || s[i + 1] == '\n' || s[i + 1] == ' ' || s[i + 1] == '\t'))
                ++i;
            line_start = out.empty();
            continue;
        }
        if (line_start && (c == ' ' || c == '\t')) continue;  // indentation would make a code block
        if (std::string_view("\\`*_[]<>#|~!&").find(c) != std::string_view::npos) {
            out += '\\';
        } else if (line_start && (c == '-' || c == '+' || c == '=')) {
            out += '\\';  // - item, + item, --- rule, === heading underline
        } else if (line_start && c >= '0' && c <= '9') {
            // 1. item, 1) item: the marker's dot or bracket is escaped.
            size_t j = i;
            while (j < s.size() && s[j] >= '0' && s[j] <= '9')
                ++j;
            out.append(s.substr(i, j - i));
            if (j < s.size() && (s[j] == '.' || s[j] == ')')) {
                out += '\\';
                out += s[j];
                ++j;
            }
            i = j - 1;
            line_start = false;
            continue;
        }
        out += c;
        line_start = false;
    }
    return out;
}

namespace {

const char* const kCss = R"(@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
       "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
       font-size: 11pt; line-height: 1.75; color: #1f2328; margin: 0 auto; max-width: 178mm; padding: 8mm 0; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; letter-spacing: 0.05em; }
h2 { font-size: 14pt; border-bottom: 1.5pt solid #b71c1c; padding-bottom: 1mm; margin: 8mm 0 3mm;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 2.5mm; text-indent: 2em; text-align: justify; }
p.scope, p.facts, p.empty { text-indent: 0; color: #57606a; font-size: 9.5pt; }
p.scope { text-align: center; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 10pt;
        break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #8c959f; padding: 1.2mm 2.5mm; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 9.5pt; color: #57606a; text-align: center; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: #1f2328; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2.5mm; margin: 4mm 0;
        break-inside: avoid; page-break-inside: avoid; }
.kpi { border: 0.6pt solid #d0d7de; border-radius: 2mm; padding: 2.5mm; text-align: center; }
.kpi .num { display: block; font-size: 18pt; font-weight: bold; color: #b71c1c; line-height: 1.3; }
.kpi .label { display: block; font-size: 9pt; color: #57606a; }
article.case { margin: 0 0 5mm; }
ol.notes { font-size: 9pt; color: #57606a; padding-left: 6mm; }
ol.notes li { margin-bottom: 1mm; }
code { font-family: "Noto Sans Mono CJK SC", monospace; font-size: 9pt; }
)";

std::string html_document(const std::string& title, const std::string& body) {
    return "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
           html_escape(title) + "</title>\n<style>\n" + kCss + "</style>\n</head>\n<body>\n" + body +
           "</body>\n</html>\n";
}

std::string facts_line(const WriteUp& w) {
    std::vector<std::string> parts;
    for (const auto& [label, value] : w.facts)
        parts.push_back(label + "：" + value);
    return join_nonempty(parts, "；");
}

std::string write_up_markdown(const WriteUp& w, int n, const std::string& level) {
    std::string out = level + " 典型事例" + chinese_ordinal(n) + "：" + markdown_escape(w.heading) + "\n\n";
    for (const auto& p : w.paragraphs)
        out += markdown_escape(p) + "\n\n";
    if (!w.facts.empty()) out += "> " + markdown_escape(facts_line(w)) + "\n\n";
    return out;
}

std::string write_up_html(const WriteUp& w, int n, const char* tag) {
    std::string out = "<article class=\"case\">\n<" + std::string(tag) + ">典型事例" + chinese_ordinal(n) +
                      "：" + html_escape(w.heading) + "</" + tag + ">\n";
    for (const auto& p : w.paragraphs)
        out += "<p>" + html_escape(p) + "</p>\n";
    if (!w.facts.empty()) out += "<p class=\"facts\">" + html_escape(facts_line(w)) + "</p>\n";
    return out + "</article>\n";
}

}  // namespace

std::string write_ups_markdown(const std::vector<WriteUp>& write_ups) {
    std::string out = "# 典型事例\n\n";
    int n = 0;
    for (const auto& w : write_ups)
        out += write_up_markdown(w, ++n, "##");
    out += "*注：个人姓名仅保留姓氏（某），手机号、身份证号已部分隐去。*\n";
    return out;
}

std::string write_ups_html(const std::vector<WriteUp>& write_ups) {
    std::string body = "<h1>典型事例</h1>\n";
    int n = 0;
    for (const auto& w : write_ups)
        body += write_up_html(w, ++n, "h2");
    body += "<p class=\"facts\">注：个人姓名仅保留姓氏（某），手机号、身份证号已部分隐去。</p>\n";
    return html_document("典型事例", body);
}

json write_ups_json(const std::vector<WriteUp>& write_ups) {
    json a = json::array();
    int n = 0;
    for (const auto& w : write_ups) {
        json facts = json::object();
        for (const auto& [label, value] : w.facts)
            facts[label] = value;
        const std::string text = join_nonempty(w.paragraphs, "\n");  // paragraphs are never empty
        a.push_back({{"id", w.id},
                     {"category", w.category},
                     {"category_name", w.category_name},
                     {"title", "典型事例" + chinese_ordinal(++n) + "：" + w.heading},
                     {"paragraphs", w.paragraphs},
                     {"text", text},
                     {"facts", facts}});
    }
    return a;
}

json annual_json(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    auto opt = [](const std::optional<double>& v) -> json {
        if (!v) return nullptr;
        if (std::fabs(*v - std::round(*v)) < 1e-9) return static_cast<long long>(std::llround(*v));
        return *v;
    };
    auto rate = [](const std::optional<double>& v) -> json { return v ? json(*v) : json(nullptr); };
    json definitions = json::object();
    for (const auto& [k, text] : annual_definitions(st.year))
        definitions[k] = text;
    return {{"year", st.year},
            {"as_of", std::to_string(st.year) + "-12-31"},
            {"cases", st.cases},
            {"by_month", st.by_month},
            {"by_category", st.by_category},
            {"category_names", st.category_names},
            {"by_department", st.by_department},
            {"resolved", st.resolved},
            {"on_time", st.on_time},
            {"on_time_rate", rate(st.on_time_rate)},
            {"median_working_days", opt(st.median_working_days)},
            {"overdue", st.overdue},
            {"overdue_received_in_year", st.overdue_received_in_year},
            {"reopened", st.reopened},
            {"repeat_reports", st.repeat_reports},
            {"cases_with_repeat_reports", st.cases_with_repeat_reports},
            {"visits", st.visits},
            {"satisfied", st.satisfied},
            {"satisfaction_rate", rate(st.satisfaction_rate)},
            {"rejected", st.rejected},
            {"merged", st.merged},
            {"open", st.open},
            {"typical", st.typical},
            {"provisional_deadlines", st.provisional_deadlines},
            {"typical_cases", write_ups_json(typical)},
            {"definitions", definitions}};
}

namespace {

std::string title_of(const AnnualStats& st) {
    return std::to_string(st.year) + "年度民生工作站工作统计";
}

std::string scope_of(const AnnualStats& st) {
    const std::string y = std::to_string(st.year);
    std::string text =
        "统计范围：" + y + "年1月1日至12月31日受理的案件；办理情况截至" + y + "年12月31日日终。";
    if (st.provisional_deadlines > 0)
        text += "其中" + std::to_string(st.provisional_deadlines) +
                "件案件的办理期限按暂定日历（法定节假日，未含调休）计算，相关按时、超期数字为暂定，"
                "载入国务院放假通知后重新生成本报告。";
    return text;
}

// One headline figure; `card` marks the few the HTML form also shows as cards at the top.
struct Figure {
    std::string label, value, unit;
    bool card = false;
};

// The headline figures (shared by every format).
std::vector<Figure> headline(const AnnualStats& st) {
    return {
        {"受理案件", std::to_string(st.cases), "件", true},
        {"办结", std::to_string(st.resolved), "件", true},
        {"按时办结", std::to_string(st.on_time), "件"},
        {"按时办结率", percent_text(st.on_time_rate), "", true},
        {"办结用时中位数", st.median_working_days ? number_text(*st.median_working_days) : "—",
         st.median_working_days ? "个工作日" : "", true},
        {"年末超期", std::to_string(st.overdue), "件", true},
        {"其中本年受理", std::to_string(st.overdue_received_in_year), "件"},
        {"重新办理", std::to_string(st.reopened), "件", true},
        {"重复反映", std::to_string(st.repeat_reports), "次", true},
        {"有重复反映的案件", std::to_string(st.cases_with_repeat_reports), "件"},
        {"回访", std::to_string(st.visits), "次"},
        {"满意", std::to_string(st.satisfied), "次"},
        {"回访满意率", percent_text(st.satisfaction_rate), "", true},
        {"不予受理", std::to_string(st.rejected), "件"},
        {"并案", std::to_string(st.merged), "件"},
        {"年末未办结", std::to_string(st.open), "件"},
        {"典型事例", std::to_string(st.typical.size()), "件"},
    };
}

std::vector<std::pair<std::string, int>> sorted_counts(const std::map<std::string, int>& m,
                                                       const std::map<std::string, std::string>* names) {
    std::vector<std::pair<std::string, int>> v;
    for (const auto& [k, n] : m) {
        std::string label = k;
        if (names)
            if (auto it = names->find(k); it != names->end()) label = it->second;
        v.emplace_back(label, n);
    }
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return v;
}

std::string share(int n, int total) {
    if (total <= 0) return "—";
    return percent_text(static_cast<double>(n) / total);
}

// --- SVG charts (inline, no script; text stays text so a PDF keeps it searchable) ---

// Shortens a label to at most `columns` display columns.
std::string fit_label(const std::string& s, int columns) {
    if (display_width(s) <= columns) return s;
    std::string out;
    for (auto cp : code_points(s)) {
        if (display_width(out + std::string(cp)) > columns - 2) break;
        out += cp;
    }
    return out + "…";
}

std::string svg_open(int w, int h, const std::string& label) {
    return "<svg viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) +
           "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">\n";
}

std::string svg_text(double x, double y, const std::string& text, const char* anchor, int size,
                     const char* extra = "") {
    return "<text x=\"" + fmt_num(x) + "\" y=\"" + fmt_num(y) + "\" text-anchor=\"" + anchor +
           "\" font-size=\"" + std::to_string(size) + "\"" + extra + ">" + html_escape(text) + "</text>\n";
}

std::string svg_rect(double x, double y, double w, double h, const char* fill) {
    return "<rect x=\"" + fmt_num(x) + "\" y=\"" + fmt_num(y) + "\" width=\"" + fmt_num(std::max(w, 0.0)) +
           "\" height=\"" + fmt_num(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"/>\n";
}

std::string month_chart(const AnnualStats& st) {
    const int W = 640, H = 220, left = 20, right = 20, top = 22, bottom = 30;
    const int max = *std::max_element(st.by_month.begin(), st.by_month.end());
    const double plot_h = H - top - bottom, slot = (W - left - right) / 12.0;
    std::string s = svg_open(W, H, std::to_string(st.year) + "年按月受理案件数");
    s += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(H - bottom) + "\" x2=\"" +
         std::to_string(W - right) + "\" y2=\"" + std::to_string(H - bottom) + "\" stroke=\"#8c959f\"/>\n";
    for (int m = 0; m < 12; ++m) {
        const int n = st.by_month[static_cast<size_t>(m)];
        const double h = max ? plot_h * n / max : 0;
        const double x = left + slot * m + slot * 0.2;
        s += svg_rect(x, H - bottom - h, slot * 0.6, h, "#b71c1c");
        s += svg_text(x + slot * 0.3, H - bottom - h - 5, std::to_string(n), "middle", 12);
        s += svg_text(x + slot * 0.3, H - bottom + 18, std::to_string(m + 1) + "月", "middle", 12);
    }
    return s + "</svg>\n";
}

std::string hbar_chart(const std::vector<std::pair<std::string, int>>& items, const std::string& label) {
    const int W = 640, row = 26, top = 8, label_w = 170, right = 50;
    const int H = top * 2 + row * std::max<int>(1, static_cast<int>(items.size()));
    std::string s = svg_open(W, H, label);
    if (items.empty()) return s + svg_text(W / 2.0, top + 17, "（无数据）", "middle", 12) + "</svg>\n";
    int max = 0;
    for (const auto& [name, n] : items)
        max = std::max(max, n);
    const double plot_w = W - label_w - right;
    double y = top;
    for (const auto& [name, n] : items) {
        const double w = max ? plot_w * n / max : 0;
        s += svg_text(label_w - 8, y + 17, fit_label(name, 22), "end", 12);
        s += svg_rect(label_w, y + 4, w, row - 8, "#1565c0");
        s += svg_text(label_w + w + 6, y + 17, std::to_string(n), "start", 12);
        y += row;
    }
    return s + "</svg>\n";
}

// Two stacked bars: resolved cases on time and late (the on-time rate), and visits satisfied or not.
std::string outcome_chart(const AnnualStats& st) {
    const int W = 640, H = 190, left = 150, right = 20;
    const double plot_w = W - left - right;
    std::string s = svg_open(W, H, "按时办结率与回访满意率");
    auto bar = [&](double y, const std::string& title, const std::string& rate,
                   const std::vector<std::tuple<std::string, int, const char*>>& parts) {
        int total = 0;
        for (const auto& p : parts)
            total += std::get<1>(p);
        s += svg_text(left - 10, y + 13, title, "end", 12);
        s += svg_text(left - 10, y + 32, rate, "end", 16, " font-weight=\"bold\"");
        double x = left;
        if (total == 0) {
            s += svg_rect(x, y, plot_w, 26, "#eaeef2");
            s += svg_text(x + plot_w / 2, y + 18, "（无数据）", "middle", 12);
        }
        for (const auto& [name, n, color] : parts) {
            if (total == 0 || n == 0) continue;
            const double w = plot_w * n / total;
            s += svg_rect(x, y, w, 26, color);
            if (w > 24)
                s += svg_text(x + w / 2, y + 18, std::to_string(n), "middle", 12, " style=\"fill:#fff\"");
            x += w;
        }
        // Legend under the bar.
        double lx = left;
        for (const auto& [name, n, color] : parts) {
            s += svg_rect(lx, y + 36, 10, 10, color);
            const std::string t = name + " " + std::to_string(n);
            s += svg_text(lx + 14, y + 45, t, "start", 11);
            lx += 22 + display_width(t) * 6.5;
        }
    };
    bar(10, "按时办结率", percent_text(st.on_time_rate),
        {{"按时办结", st.on_time, "#2e7d32"}, {"超时办结", st.resolved - st.on_time, "#ef6c00"}});
    bar(105, "回访满意率", percent_text(st.satisfaction_rate),
        {{"满意", st.satisfied, "#2e7d32"}, {"不满意", st.visits - st.satisfied, "#c62828"}});
    return s + "</svg>\n";
}

}  // namespace

std::string annual_markdown(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    std::ostringstream o;
    o << "# " << title_of(st) << "\n\n" << scope_of(st) << "\n\n";
    o << "## 一、主要指标\n\n| 指标 | 数值 |\n| --- | ---: |\n";
    for (const auto& [label, value, unit, card] : headline(st))
        o << "| " << label << " | " << value << (unit.empty() ? "" : " " + unit) << " |\n";

    o << "\n## 二、按月受理\n\n|";
    for (int m = 1; m <= 12; ++m)
        o << " " << m << "月 |";
    o << " 合计 |\n|";
    for (int m = 0; m <= 12; ++m)
        o << " ---: |";
    o << "\n|";
    for (int n : st.by_month)
        o << " " << n << " |";
    o << " " << st.cases << " |\n";

    o << "\n## 三、按类别\n\n| 类别 | 件数 | 占比 |\n| --- | ---: | ---: |\n";
    for (const auto& [name, n] : sorted_counts(st.by_category, &st.category_names))
        o << "| " << markdown_escape(name) << " | " << n << " | " << share(n, st.cases) << " |\n";
    if (st.by_category.empty()) o << "| （无） | 0 | — |\n";

    o << "\n## 四、按部门\n\n| 部门 | 件数 |\n| --- | ---: |\n";
    for (const auto& [name, n] : sorted_counts(st.by_department, nullptr))
        o << "| " << markdown_escape(name) << " | " << n << " |\n";
    if (st.by_department.empty()) o << "| （无） | 0 |\n";

    o << "\n## 五、典型事例\n\n";
    if (typical.empty()) o << "本年没有列为典型事例的案件。\n\n";
    int n = 0;
    for (const auto& w : typical)
        o << write_up_markdown(w, ++n, "###");

    o << "## 口径说明\n\n";
    int i = 0;
    for (const auto& [key, text] : annual_definitions(st.year))
        o << ++i << ". " << markdown_escape(text) << "\n";
    return o.str();
}

std::string annual_html(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    std::ostringstream b;
    b << "<h1>" << html_escape(title_of(st)) << "</h1>\n<p class=\"scope\">" << html_escape(scope_of(st))
      << "</p>\n";
    const auto head = headline(st);
    b << "<div class=\"kpis\">\n";
    for (const auto& [label, value, unit, card] : head) {
        if (!card) continue;
        b << "<div class=\"kpi\"><span class=\"num\">" << html_escape(value)
          << "</span><span class=\"label\">" << html_escape(label + (unit.empty() ? "" : "（" + unit + "）"))
          << "</span></div>\n";
    }
    b << "</div>\n";

    b << "<h2>一、主要指标</h2>\n<table>\n<thead><tr><th>指标</th><th "
         "class=\"num\">数值</th></tr></thead>\n<tbody>\n";
    for (const auto& [label, value, unit, card] : head)
        b << "<tr><td>" << html_escape(label) << "</td><td class=\"num\">"
          << html_escape(value + (unit.empty() ? "" : " " + unit)) << "</td></tr>\n";
    b << "</tbody>\n</table>\n";

    b << "<h2>二、按月受理</h2>\n<figure>\n"
      << month_chart(st) << "<figcaption>" << st.year << "年各月受理案件数（件），全年合计 " << st.cases
      << " 件</figcaption>\n</figure>\n";

    const auto cats = sorted_counts(st.by_category, &st.category_names);
    b << "<h2>三、按类别</h2>\n<figure>\n"
      << hbar_chart(cats, "按类别受理案件数")
      << "<figcaption>各类别受理案件数（件）</figcaption>\n</figure>\n";
    b << "<table>\n<thead><tr><th>类别</th><th class=\"num\">件数</th><th "
         "class=\"num\">占比</th></tr></thead>\n<tbody>\n";
    for (const auto& [name, n] : cats)
        b << "<tr><td>" << html_escape(name) << "</td><td class=\"num\">" << n << "</td><td class=\"num\">"
          << share(n, st.cases) << "</td></tr>\n";
    b << "</tbody>\n</table>\n";

    const auto deps = sorted_counts(st.by_department, nullptr);
    b << "<h2>四、按部门</h2>\n<figure>\n"
      << hbar_chart(deps, "按部门派单案件数")
      << "<figcaption>各部门承办案件数（件；一案多部门的分别计入）</figcaption>\n</figure>\n";
    b << "<table>\n<thead><tr><th>部门</th><th class=\"num\">件数</th></tr></thead>\n<tbody>\n";
    for (const auto& [name, n] : deps)
        b << "<tr><td>" << html_escape(name) << "</td><td class=\"num\">" << n << "</td></tr>\n";
    b << "</tbody>\n</table>\n";

    b << "<h2>五、按时办结与回访满意</h2>\n<figure>\n"
      << outcome_chart(st) << "<figcaption>按时办结率 " << html_escape(percent_text(st.on_time_rate))
      << "（按时办结 " << st.on_time << " 件 / 办结 " << st.resolved << " 件）；回访满意率 "
      << html_escape(percent_text(st.satisfaction_rate)) << "（满意 " << st.satisfied << " 次 / 回访 "
      << st.visits << " 次）</figcaption>\n</figure>\n";

    b << "<h2>六、典型事例</h2>\n";
    if (typical.empty()) b << "<p class=\"empty\">本年没有列为典型事例的案件。</p>\n";
    int n = 0;
    for (const auto& w : typical)
        b << write_up_html(w, ++n, "h3");

    b << "<h2>口径说明</h2>\n<ol class=\"notes\">\n";
    for (const auto& [key, text] : annual_definitions(st.year))
        b << "<li>" << html_escape(text) << "</li>\n";
    b << "</ol>\n";
    return html_document(title_of(st), b.str());
}

namespace {

// csv_field guards cells a spreadsheet would run as formulas, as in every CSV the program writes.
std::string csv_cell(const std::string& s) {
    return csv_field(s);
}

}  // namespace

std::string annual_csv(const AnnualStats& st, const std::vector<WriteUp>& typical) {
    std::string out;
    auto row = [&](const std::string& section, const std::string& key, const std::string& name,
                   const std::string& value) {
        out +=
            csv_cell(section) + "," + csv_cell(key) + "," + csv_cell(name) + "," + csv_cell(value) + "\r\n";
    };
    auto rate = [](const std::optional<double>& r) {
        if (!r) return std::string();
        std::ostringstream ss;
        ss << *r;
        return ss.str();
    };
    row("section", "key", "name", "value");
    row("summary", "year", "年度", std::to_string(st.year));
    row("summary", "cases", "受理案件", std::to_string(st.cases));
    row("summary", "resolved", "办结", std::to_string(st.resolved));
    row("summary", "on_time", "按时办结", std::to_string(st.on_time));
    row("summary", "on_time_rate", "按时办结率", rate(st.on_time_rate));
    row("summary", "median_working_days", "办结用时中位数（工作日）",
        st.median_working_days ? number_text(*st.median_working_days) : "");
    row("summary", "overdue", "年末超期", std::to_string(st.overdue));
    row("summary", "overdue_received_in_year", "年末超期中本年受理",
        std::to_string(st.overdue_received_in_year));
    row("summary", "reopened", "重新办理", std::to_string(st.reopened));
    row("summary", "repeat_reports", "重复反映（次）", std::to_string(st.repeat_reports));
    row("summary", "cases_with_repeat_reports", "有重复反映的案件",
        std::to_string(st.cases_with_repeat_reports));
    row("summary", "visits", "回访（次）", std::to_string(st.visits));
    row("summary", "satisfied", "满意（次）", std::to_string(st.satisfied));
    row("summary", "satisfaction_rate", "回访满意率", rate(st.satisfaction_rate));
    row("summary", "rejected", "不予受理", std::to_string(st.rejected));
    row("summary", "merged", "并案", std::to_string(st.merged));
    row("summary", "open", "年末未办结", std::to_string(st.open));
    for (int m = 0; m < 12; ++m) {
        char key[16];
        std::snprintf(key, sizeof key, "%04d-%02d", st.year, m + 1);
        row("by_month", key, std::to_string(m + 1) + "月",
            std::to_string(st.by_month[static_cast<size_t>(m)]));
    }
    for (const auto& [k, n] : st.by_category)
        row("by_category", k, st.category_names.count(k) ? st.category_names.at(k) : k, std::to_string(n));
    for (const auto& [k, n] : st.by_department)
        row("by_department", k, k, std::to_string(n));
    int n = 0;
    for (const auto& w : typical) {
        row("typical", w.id, "典型事例" + chinese_ordinal(++n) + "：" + w.heading,
            join_nonempty(w.paragraphs, "\n"));
    }
    for (const auto& [key, text] : annual_definitions(st.year))
        row("definition", key, "", text);
    return out;
}

}  // namespace minsheng::report
