// The write-up template: parsing, checking and rendering (see write_up_template.h).
#include "engine/write_up_template.h"

#include <algorithm>

#include "engine/error.h"
#include "engine/text.h"

namespace minsheng::report {

const std::vector<Placeholder>& write_up_placeholders() {
    static const std::vector<Placeholder> list = {
        {"id", "案件编号"},
        {"category", "类别 id（drainage …）"},
        {"category_name", "类别名称（排水/下水道 …）"},
        {"address", "地址"},
        {"summary", "问题摘要（句末标点已去掉）"},
        {"received_date", "受理日期，2023年6月5日"},
        {"report_count", "反映次数（含首次）"},
        {"repeat_count", "重复反映次数（首次之外）"},
        {"repeated", "有重复反映时为“是”"},
        {"report_times", "两次 / 多次（三次及以上）；只反映一次时为空"},
        {"reporter", "首位反映人（已隐去名字）"},
        {"reporters", "全部反映人，顿号分隔（已隐去名字）"},
        {"channels", "反映渠道，顿号分隔"},
        {"difficulties",
         "难点：字段 difficulties 所列，及由案情推出的 "
         "多次反映、多次维修未彻底解决、无物业、老年人居多、人户分离，逗号分隔"},
        {"other_difficulties", "同 difficulties，但不含“多次反映”（模板已写明时用）"},
        {"elderly", "字段 elderly=yes 时为“是”（老年人居多）"},
        {"no_property", "字段 no_property=yes 时为“是”（无物业）"},
        {"hukou_elsewhere", "字段 hukou_elsewhere=yes 时为“是”（人户分离）"},
        {"reopened", "曾重新办理时为“是”"},
        {"reopen_count", "重新办理次数"},
        {"dispatched", "已派单时为“是”"},
        {"first_dispatch_date", "首次派单日期"},
        {"dispatched_promptly", "受理当日或次一工作日即派单时为“是”"},
        {"departments", "参与部门（不含退单），顿号分隔"},
        {"lead_department", "牵头单位"},
        {"co_departments", "配合单位，顿号分隔"},
        {"departments_detail", "街道城管科（牵头）、社区居委会（配合）"},
        {"actions_taken",
         "办理经过：部门回复（reply）、勘查/协调等办理步骤的记录、回访不满意或重开、办结说明（resolve "
         "--note），按时间先后，分号分隔"},
        {"handling", "同 actions_taken，但不含最后一次办结的说明（即 resolution）"},
        {"resolution", "最后一次办结的说明（resolve --note）；未办结时为空"},
        {"root_cause", "根本原因（字段 root_cause）"},
        {"resolved", "已办结（待回访或办结归档）时为“是”"},
        {"resolved_date", "最后一次办结日期"},
        {"working_days", "从受理到最后一次办结的工作日数"},
        {"deadline_days", "办理时限（工作日）；办理过多轮、总用时超过一轮时限的为“每轮20”"},
        {"rounds", "办理过多轮（重新办理）时为轮数，否则为空"},
        {"round_days", "办理过多轮时各轮用时，如“首轮4个工作日、第2轮4个工作日”，否则为空"},
        {"on_time", "每一轮办理都在期限内办结时为“是”"},
        {"visited", "已回访时为“是”"},
        {"visit_date", "最后一次回访日期"},
        {"satisfied", "最后一次回访群众满意时为“是”"},
        {"visit_result", "回访情况：每次回访的日期与结果，分号分隔"},
        {"exception_approved", "经督办特事特办审批时为“是”"},
        {"exception", "特事特办审批说明"},
        {"exception_date", "特事特办审批日期"},
        {"status",
         "目前状态：已受理，待派单 / 正在办理中 / 已办结，待回访 / 已办结 / 不予受理 / "
         "已与同一问题的其他案件并案办理"},
        {"escalation", "督办等级：催办 / 督办 / 通报；未督办时为空"},
    };
    return list;
}

namespace {

struct Node {
    enum class Kind { Text, Var, Section, Inverted };
    Kind kind = Kind::Text;
    std::string text;  // the text, or the placeholder's name
    std::vector<Node> children;
};

struct Parsed {
    std::vector<Node> nodes;
    std::vector<TemplateProblem> problems;
};

bool valid_name(const std::string& n) {
    if (n.empty() || !(n[0] >= 'a' && n[0] <= 'z')) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
}

bool known_name(const std::string& n) {
    if (n.compare(0, 7, "fields.") == 0) return n.size() > 7 && n.find('.', 7) == std::string::npos;
    for (const auto& p : write_up_placeholders())
        if (n == p.name) return true;
    return false;
}

Parsed parse_template(std::string_view t) {
    Parsed out;
    struct Open {
        Node node;
        size_t offset;  // of its tag
    };
    std::vector<Open> stack;
    auto current = [&]() -> std::vector<Node>& {
        return stack.empty() ? out.nodes : stack.back().node.children;
    };
    // The line of offset p, counted on from the previous call: problems come in order, except the sections
    // never closed, which come last and backwards.
    auto line_at = [&t, at = size_t{0}, line = 1](size_t p) mutable {
        const auto from = t.begin() + static_cast<std::ptrdiff_t>(std::min(at, p));
        const auto to = t.begin() + static_cast<std::ptrdiff_t>(std::max(at, p));
        const int lines = static_cast<int>(std::count(from, to, '\n'));
        line += p >= at ? lines : -lines;
        at = p;
        return line;
    };
    auto problem = [&](size_t p, const std::string& m) { out.problems.push_back({p, line_at(p), m}); };
    auto add_text = [&](std::string_view s) {
        if (s.empty()) return;
        auto& nodes = current();
        if (!nodes.empty() && nodes.back().kind == Node::Kind::Text)
            nodes.back().text += s;
        else
            nodes.push_back({Node::Kind::Text, std::string(s), {}});
    };

    size_t pos = 0;
    while (pos < t.size()) {
        const size_t open = t.find("{{", pos);
        if (open == std::string_view::npos) {
            add_text(t.substr(pos));
            break;
        }
        const size_t close = t.find("}}", open + 2);
        if (close == std::string_view::npos) {
            problem(open, "\"{{\" 没有用 \"}}\" 关闭");
            add_text(t.substr(pos));
            break;
        }
        const std::string inner = trim(t.substr(open + 2, close - open - 2));
        const char sigil = inner.empty() ? '\0' : inner[0];
        const bool tag_only = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!';
        const std::string name = tag_only ? trim(std::string_view(inner).substr(1)) : inner;
        size_t text_end = open, next = close + 2;
        if (tag_only) {
            // A section tag or comment alone on its line takes the line with it.
            size_t ls = open;
            while (ls > pos && (t[ls - 1] == ' ' || t[ls - 1] == '\t'))
                --ls;
            const bool line_start = ls == 0 || t[ls - 1] == '\n';
            size_t le = next;
            while (le < t.size() && (t[le] == ' ' || t[le] == '\t' || t[le] == '\r'))
                ++le;
            const bool line_end = le == t.size() || t[le] == '\n';
            if (line_start && line_end) {
                text_end = ls;
                next = le < t.size() ? le + 1 : le;
            }
        }
        add_text(t.substr(pos, text_end - pos));
        pos = next;
        if (sigil == '!') continue;
        if (sigil == '{' || sigil == '&' || sigil == '>' || sigil == '=') {
            problem(open, "不支持 \"{{" + std::string(1, sigil) +
                              "\"：请用 {{name}}、{{#name}}、{{^name}} 或 {{/name}}");
            continue;
        }
        if (name.empty()) {
            problem(open, "占位符 \"{{" + inner + "}}\" 是空的：请写上名字，如 {{address}}");
            continue;
        }
        if (!valid_name(name)) {
            problem(open, "占位符名 \"" + name + "\" 不合格式（只用小写字母、数字和 _，或写 fields.KEY）");
            continue;
        }
        if (!known_name(name)) {
            static const std::vector<std::string> names = [] {
                std::vector<std::string> out;
                for (const auto& p : write_up_placeholders())
                    out.emplace_back(p.name);
                return out;
            }();
            std::string hint = did_you_mean(name, names);
            if (hint.empty()) {
                for (const auto& n : names)
                    hint += (hint.empty() ? "（可用的有：" : "、") + n;
                hint += "、fields.KEY）";
            }
            problem(open, "未知的占位符 \"" + name + "\"" + hint);
            continue;
        }
        if (sigil == '#' || sigil == '^') {
            stack.push_back({{sigil == '#' ? Node::Kind::Section : Node::Kind::Inverted, name, {}}, open});
        } else if (sigil == '/') {
            if (stack.empty()) {
                problem(open,
                        "\"{{/" + name + "}}\" 前面没有要关闭的 {{#" + name + "}} 或 {{^" + name + "}}");
            } else if (stack.back().node.text != name) {
                const Node& section = stack.back().node;
                const char opener = section.kind == Node::Kind::Inverted ? '^' : '#';
                problem(open, "\"{{/" + name + "}}\" 与尚未关闭的 \"{{" + opener + section.text +
                                  "}}\" 不配对：这里应是 \"{{/" + section.text + "}}\"");
            } else {
                Node done = std::move(stack.back().node);
                stack.pop_back();
                current().push_back(std::move(done));
            }
        } else {
            current().push_back({Node::Kind::Var, name, {}});
        }
    }
    while (!stack.empty()) {
        problem(stack.back().offset,
                "段落 \"" + stack.back().node.text + "\" 没有用 {{/" + stack.back().node.text + "}} 关闭");
        Node done = std::move(stack.back().node);
        stack.pop_back();
        current().push_back(std::move(done));
    }
    std::stable_sort(out.problems.begin(), out.problems.end(),
                     [](const TemplateProblem& a, const TemplateProblem& b) { return a.offset < b.offset; });
    return out;
}

void render_nodes(const std::vector<Node>& nodes, const TemplateValues& values, std::string& out) {
    for (const auto& n : nodes) {
        if (n.kind == Node::Kind::Text) {
            out += n.text;
            continue;
        }
        auto it = values.find(n.text);
        const std::string& v = it == values.end() ? std::string() : it->second;
        if (n.kind == Node::Kind::Var) {
            out += v;
        } else if ((n.kind == Node::Kind::Section) == truthy(v)) {
            render_nodes(n.children, values, out);
        }
    }
}

}  // namespace

bool truthy(const std::string& v) {
    return !v.empty() && v != "0";
}

std::string TemplateProblem::to_string() const {
    return "第 " + std::to_string(line) + " 行：" + message;
}

std::vector<TemplateProblem> template_problems(std::string_view tmpl) {
    return parse_template(tmpl).problems;
}

std::string render_template(std::string_view tmpl, const TemplateValues& values, const std::string& what,
                            const std::string& advice) {
    const Parsed p = parse_template(tmpl);
    if (!p.problems.empty()) throw refused(what + "：" + p.problems.front().to_string() + advice);
    std::string out;
    render_nodes(p.nodes, values, out);
    return out;
}

}  // namespace minsheng::report
