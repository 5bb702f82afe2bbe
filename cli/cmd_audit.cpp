// audit verify|overdue|due-soon (SPEC.md "Command line"): the supervisors' views.
#include <memory>

#include "cli/context.h"
#include "cli/output.h"
#include "engine/error.h"
#include "usecases/texts.h"
#include "usecases/views.h"

namespace minsheng::cli {

namespace {

using nlohmann::json;

struct AuditOptions {
    std::string as_of;
    std::string format = "table";
    int within = 3;
};

void run_verify(Context& ctx) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const VerifyResult r = st.verify();
    if (ctx.json)
        out << json{{"ok", r.ok}, {"events", r.events}, {"cases", r.cases}, {"problem", r.problem}} << '\n';
    if (!r.ok) throw storage_error("核验未通过：" + r.problem);
    if (!ctx.json) out << "核验通过：" << r.events << " 条记录、" << r.cases << " 件案件均完整未被改动\n";
}

std::string departments_of(const CaseState& c) {
    std::string deps;
    for (const auto& d : c.departments())
        deps += (deps.empty() ? "" : "、") + d;
    return deps;
}

// Both audits stream in the audit's order: nothing of a case is kept once its row is written. Tables take
// their widths from a first pass that keeps no row (as `case list` does), inside one snapshot.
void run_overdue(Context& ctx, const AuditOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const Date as_of = o.as_of.empty() ? ctx.today : parse_date(o.as_of);
    const std::string format = ctx.json ? "json" : o.format;
    if (format == "json") {
        bool first = true;
        std::string text;  // one case's JSON, its buffer reused
        st.overdue_as_of(
            as_of, [&](std::size_t) { out << "["; },
            [&](const CaseState& c, const ClockView& v) {
                text.clear();
                append_case_json(text, c, v, st.workflow_label(c), 2);
                out << (first ? "\n" : ",\n") << text;
                first = false;
            });
        out << (first ? "]\n" : "\n]\n");
    } else if (format == "csv") {
        const auto names = category_names(st);
        st.overdue_as_of(
            as_of, [&](std::size_t) { csv_row(out, texts::overdue_csv_header()); },
            [&](const CaseState& c, const ClockView& v) {
                csv_row(out, {c.id, name_of(names, c.category), texts::phase_text(c.phase, c.suspended),
                              c.address, c.received_at.substr(0, 16), texts::deadline_text(v),
                              std::to_string(v.working_days_overdue),
                              texts::escalation_text(c.escalation_level), departments_of(c)});
            });
    } else {
        const auto names = category_names(st);
        TableLayout t({"编号", "类别", "地址", "受理", "期限", "超期(工作日)", "督办", "部门"});
        std::vector<std::string> row;
        auto fill = [&](const CaseState& c, const ClockView& v) {
            row = {c.id,
                   name_of(names, c.category),
                   c.address,
                   c.received_at.substr(0, 10),
                   texts::deadline_text(v),
                   std::to_string(v.working_days_overdue),
                   texts::escalation_text(c.escalation_level),
                   departments_of(c)};
        };
        st.snapshot([&] {
            std::size_t n = 0;
            st.overdue_as_of(
                as_of, [&](std::size_t count) { n = count; },
                [&](const CaseState& c, const ClockView& v) {
                    fill(c, v);
                    t.measure(row);
                });
            out << "截至 " << format_date(as_of) << " 日终超期案件：" << n << " 件\n";
            if (n == 0) {
                out << texts::kNoCases << '\n';
                return;
            }
            t.print_header(out);
            st.overdue_as_of(
                as_of, [](std::size_t) {},
                [&](const CaseState& c, const ClockView& v) {
                    fill(c, v);
                    t.print_row(out, row);
                });
        });
    }
    warn_calendar(ctx, st.calendar());
}

void run_due_soon(Context& ctx, const AuditOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    if (ctx.json) {
        bool first = true;
        std::string text;
        st.due_soon(ctx.today, o.within, [&](const CaseState& c, const ClockView& v) {
            text.clear();
            append_case_json(text, c, v, st.workflow_label(c), 2);
            out << (first ? "[\n" : ",\n") << text;
            first = false;
        });
        out << (first ? "[]\n" : "\n]\n");
    } else {
        const auto names = category_names(st);
        TableLayout t({"编号", "类别", "地址", "期限", "剩余(工作日)", "部门"});
        std::vector<std::string> row;
        auto fill = [&](const CaseState& c, const ClockView& v) {
            row = {c.id,
                   name_of(names, c.category),
                   c.address,
                   texts::deadline_text(v),
                   std::to_string(v.working_days_left),
                   departments_of(c)};
        };
        st.snapshot([&] {
            bool any = false;
            st.due_soon(ctx.today, o.within, [&](const CaseState& c, const ClockView& v) {
                fill(c, v);
                t.measure(row);
                any = true;
            });
            if (!any) {
                out << texts::kNoCases << '\n';
                return;
            }
            t.print_header(out);
            st.due_soon(ctx.today, o.within, [&](const CaseState& c, const ClockView& v) {
                fill(c, v);
                t.print_row(out, row);
            });
        });
    }
    warn_calendar(ctx, st.calendar());  // after the answer: a refusal above says it already
}

}  // namespace

void add_audit_commands(CLI::App& app, Commands& commands) {
    using texts::help;
    auto o = std::make_shared<AuditOptions>();
    auto* audit = app.add_subcommand("audit", help("audit"));
    audit->require_subcommand(1);
    auto* verify = audit->add_subcommand("verify", help("audit.verify"));
    commands.emplace_back(verify, [](Context& ctx) { run_verify(ctx); });
    auto* overdue = audit->add_subcommand("overdue", help("audit.overdue"));
    overdue->add_option("--as-of", o->as_of, help("audit.overdue.--as-of"));
    overdue->add_option("--format", o->format, help("audit.overdue.--format"))
        ->check(CLI::IsMember({"table", "csv", "json"}));
    commands.emplace_back(overdue, [o](Context& ctx) { run_overdue(ctx, *o); });
    auto* due_soon = audit->add_subcommand("due-soon", help("audit.due-soon"));
    due_soon->add_option("--within", o->within, help("audit.due-soon.--within"))->check(CLI::Range(0, 1000));
    commands.emplace_back(due_soon, [o](Context& ctx) { run_due_soon(ctx, *o); });
}

}  // namespace minsheng::cli
