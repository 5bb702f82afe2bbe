// The station's ledger: column names, date forms, the 其他反映人 cell and the export row (see ledger.h).
#include "usecases/ledger.h"

#include <cctype>
#include <cstdio>

#include "engine/error.h"
#include "engine/lifecycle.h"
#include "engine/text.h"

namespace minsheng {

namespace {

struct ColumnNames {
    LedgerColumn column;
    std::vector<std::string> names;  // the English id first, then the Chinese names
};

const std::vector<ColumnNames>& column_names() {
    static const std::vector<ColumnNames> names = {
        {LedgerColumn::ReceivedAt, {"received_at", "受理时间", "反映时间", "登记时间"}},
        {LedgerColumn::Category, {"category", "类别", "问题类别"}},
        {LedgerColumn::Address, {"address", "地址", "问题地址"}},
        {LedgerColumn::Summary, {"summary", "问题描述", "反映内容", "问题"}},
        {LedgerColumn::Reporter, {"reporter", "反映人", "姓名"}},
        {LedgerColumn::Phone, {"phone", "联系电话", "电话", "手机", "联系方式"}},
        {LedgerColumn::Channel, {"channel", "反映渠道", "渠道", "来源"}},
        {LedgerColumn::Note, {"note", "备注"}},
        {LedgerColumn::OtherReporters, {"other_reporters", "其他反映人"}},
    };
    return names;
}

// The export's own columns that an import reads back and ignores (the station computes them again).
const std::vector<std::string>& exported_only() {
    static const std::vector<std::string> names = {
        "编号",       "反映次数",   "阶段",     "当前步骤", "牵头部门", "配合部门", "办理期限",
        "剩余工作日", "超期工作日", "根本原因", "办结时间", "回访结果", "督办级别", "典型事例"};
    return names;
}

std::string lower_ascii(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Reads 1..max digits at `i`; false when there are fewer than `min` or more follow.
bool number(const std::string& t, std::size_t& i, std::size_t min, std::size_t max, int& out) {
    std::size_t n = 0;
    out = 0;
    while (i < t.size() && n < max && std::isdigit(static_cast<unsigned char>(t[i]))) {
        out = out * 10 + (t[i] - '0');
        ++i;
        ++n;
    }
    return n >= min && (i == t.size() || !std::isdigit(static_cast<unsigned char>(t[i])));
}

bool eat(const std::string& t, std::size_t& i, const std::string& what) {
    if (t.compare(i, what.size(), what) != 0) return false;
    i += what.size();
    return true;
}

std::string display_time(const std::string& ts) {
    std::string s = ts;
    if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
    return s;
}

const std::string kComma = "，";

}  // namespace

std::optional<LedgerColumn> ledger_column(const std::string& header) {
    const std::string h = lower_ascii(trim(header));
    for (const auto& c : column_names())
        for (const auto& n : c.names)
            if (h == n) return c.column;
    for (const auto& n : exported_only())
        if (h == n) return LedgerColumn::Exported;
    return std::nullopt;
}

std::string ledger_column_label(LedgerColumn c, bool synonyms) {
    for (const auto& cn : column_names()) {
        if (cn.column != c) continue;
        // "地址（address；或 问题地址）": the ledger's own Chinese name first, the id a header may also use in
        // brackets, then the synonyms.
        std::string out = cn.names[1] + "（" + cn.names[0];
        for (std::size_t i = 2; synonyms && i < cn.names.size(); ++i)
            out += (i == 2 ? "；或 " : "/") + cn.names[i];
        return out + "）";
    }
    return "导出列";
}

std::string known_ledger_columns() {
    std::string out;
    for (const auto& c : column_names())
        out += (out.empty() ? "" : ", ") + ledger_column_label(c.column);
    out += "；导出台账的其余列（";
    for (std::size_t i = 0; i < exported_only().size(); ++i)
        out += (i ? "、" : "") + exported_only()[i];
    return out + "）读入时忽略";
}

std::string ledger_timestamp(const std::string& text) {
    const std::string t = trim(text);
    std::size_t i = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!number(t, i, 4, 4, y) || i == t.size()) return t;
    bool chinese = false;
    char sep = 0;
    if (eat(t, i, "年")) {
        chinese = true;
    } else if (t[i] == '-' || t[i] == '/' || t[i] == '.') {
        sep = t[i++];
    } else {
        return t;
    }
    if (!number(t, i, 1, 2, mo)) return t;
    if (chinese ? !eat(t, i, "月") : (i == t.size() || t[i++] != sep)) return t;
    if (!number(t, i, 1, 2, d)) return t;
    if (chinese && !eat(t, i, "日")) return t;
    char buf[40];
    if (i == t.size()) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
        return buf;
    }
    if (t[i] == ' ' || t[i] == 'T') {
        ++i;
        while (i < t.size() && t[i] == ' ')
            ++i;
    } else if (!chinese) {
        return t;
    }
    if (!number(t, i, 1, 2, h) || i == t.size() || t[i] != ':') return t;
    ++i;
    if (!number(t, i, 2, 2, mi)) return t;
    bool seconds = false;
    if (i < t.size()) {
        if (t[i] != ':') return t;
        ++i;
        if (!number(t, i, 2, 2, s) || i != t.size()) return t;
        seconds = true;
    }
    if (seconds)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
    return buf;
}

std::string format_other_reporters(const std::vector<Reporter>& reporters) {
    std::string out;
    for (std::size_t i = 1; i < reporters.size(); ++i) {
        const Reporter& r = reporters[i];
        if (i > 1) out += '\n';
        out += display_time(r.at) + kComma + r.name + kComma + r.phone + kComma + r.channel;
    }
    return out;
}

std::vector<Reporter> parse_other_reporters(const std::string& cell) {
    std::vector<Reporter> out;
    std::size_t from = 0;
    int n = 0;
    while (from <= cell.size()) {
        std::size_t end = cell.find('\n', from);
        if (end == std::string::npos) end = cell.size();
        std::string line = trim(cell.substr(from, end - from));
        from = end + 1;
        if (line.empty()) continue;
        ++n;
        const std::size_t first = line.find(kComma);
        const std::size_t last = line.rfind(kComma);
        const std::size_t middle =
            last == std::string::npos || last == 0 ? std::string::npos : line.rfind(kComma, last - 1);
        if (first == std::string::npos || middle == std::string::npos || middle <= first)
            throw refused("其他反映人第 " + std::to_string(n) + " 条 '" + line +
                          "' 应写作“时间，姓名，电话，渠道”（全角逗号，一人一行；无电话或渠道时留空，如 "
                          "2025-10-17 09:05，李四，，来电）");
        Reporter r;
        const std::string when = line.substr(0, first);
        try {
            r.at = normalize_timestamp(ledger_timestamp(when));
        } catch (const Error&) {
            throw refused("其他反映人第 " + std::to_string(n) + " 条的时间 '" + when +
                          "' 不是日期（如 2025-10-17 09:05）");
        }
        r.name = trim(line.substr(first + kComma.size(), middle - first - kComma.size()));
        r.phone = trim(line.substr(middle + kComma.size(), last - middle - kComma.size()));
        r.channel = trim(line.substr(last + kComma.size()));
        out.push_back(std::move(r));
    }
    return out;
}

const std::vector<std::string>& ledger_headers() {
    static const std::vector<std::string> headers = {
        "编号",       "类别",       "地址",     "问题描述", "受理时间", "反映人",   "联系电话", "反映渠道",
        "反映次数",   "其他反映人", "阶段",     "当前步骤", "牵头部门", "配合部门", "办理期限", "剩余工作日",
        "超期工作日", "根本原因",   "办结时间", "回访结果", "督办级别", "典型事例"};
    return headers;
}

LedgerCellKind ledger_cell_kind(std::size_t column) {
    switch (column) {
        case 4:
        case 18:
            return LedgerCellKind::DateTime;
        case 14:
            return LedgerCellKind::Date;
        case 8:
        case 15:
        case 16:
            return LedgerCellKind::Number;
        default:
            return LedgerCellKind::Text;
    }
}

std::vector<std::string> ledger_row(const CaseState& c, const ClockView& v, const LedgerLabels& labels) {
    static const Reporter none;
    const Reporter& first = c.reporters.empty() ? none : c.reporters.front();
    // 牵头部门: the departments whose task leads (牵头单位); 配合部门: the others. Without a lead flag the
    // first department dispatched leads.
    std::string lead, helpers;
    bool any_lead = false;
    for (const auto& t : c.tasks)
        any_lead = any_lead || t.lead;
    for (std::size_t i = 0; i < c.tasks.size(); ++i) {
        const auto& t = c.tasks[i];
        std::string& into = (any_lead ? t.lead : i == 0) ? lead : helpers;
        if (into.find(t.department) == std::string::npos) into += (into.empty() ? "" : "、") + t.department;
    }
    auto field = [&](const char* key) -> std::string {
        auto it = c.fields.find(key);
        return it == c.fields.end() ? "" : it->second;
    };
    std::string visit = field("satisfied");
    if (visit == "yes")
        visit = "满意";
    else if (visit == "basic")
        visit = "基本满意";
    else if (visit == "no")
        visit = "不满意";
    return {
        c.id,
        labels.category_name.empty() ? c.category : labels.category_name,
        c.address,
        c.summary,
        display_time(c.received_at),
        first.name,
        first.phone,
        first.channel,
        std::to_string(c.report_count),
        format_other_reporters(c.reporters),
        std::string(phase_label(c.phase)),
        labels.step_label,
        lead,
        helpers,
        v.deadline ? format_date(*v.deadline) + (v.deadline_provisional ? "（暂定）" : "") : "",
        !v.stopped && v.days_known ? std::to_string(v.working_days_left) : "",
        v.days_known && v.working_days_overdue > 0 ? std::to_string(v.working_days_overdue) : "",
        field("root_cause"),
        c.phase == Phase::Closed ? display_time(c.last_event_at) : "",
        visit,
        std::string(escalation_name(c.escalation_level)),
        c.typical ? "是" : "否",
    };
}

}  // namespace minsheng
