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

void run_overdue(Context& ctx, const AuditOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const Date as_of = o.as_of.empty() ? ctx.today : parse_date(o.as_of);
    const auto rows = st.overdue_as_of(as_of);
    const std::string format = ctx.json ? "json" : o.format;
    if (format == "json") {
        json a = json::array();
        for (const auto& [c, v] : rows)
            a.push_back(case_object(c, v, st.workflow_label(c), nullptr));
        out << a.dump(2) << '\n';
    } else if (format == "csv") {
        const auto names = category_names(st);
        csv_row(out, texts::overdue_csv_header());
        for (const auto& [c, v] : rows) {
            std::string deps;
            for (const auto& d : c.departments())
                deps += (deps.empty() ? "" : "、") + d;
            csv_row(out, {c.id, name_of(names, c.category), texts::phase_text(c.phase, c.suspended),
                          c.address, c.received_at.substr(0, 16), texts::deadline_text(v),
                          std::to_string(v.working_days_overdue), texts::escalation_text(c.escalation_level),
                          deps});
        }
    } else {
        out << "截至 " << format_date(as_of) << " 日终超期案件：" << rows.size() << " 件\n";
        const auto names = category_names(st);
        Table t({"编号", "类别", "地址", "受理", "期限", "超期(工作日)", "督办", "部门"});
        for (const auto& [c, v] : rows) {
            std::string deps;
            for (const auto& d : c.departments())
                deps += (deps.empty() ? "" : "、") + d;
            t.add({c.id, name_of(names, c.category), c.address, c.received_at.substr(0, 10),
                   texts::deadline_text(v), std::to_string(v.working_days_overdue),
                   texts::escalation_text(c.escalation_level), deps});
        }
        if (t.empty())
            out << texts::kNoCases << '\n';
        else
            t.print(out);
    }
    warn_calendar(ctx, st.calendar());
}

void run_due_soon(Context& ctx, const AuditOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const auto rows = st.due_soon(ctx.today, o.within);
    if (ctx.json) {
        json a = json::array();
        for (const auto& [c, v] : rows)
            a.push_back(case_object(c, v, st.workflow_label(c), nullptr));
        out << a.dump(2) << '\n';
    } else {
        if (rows.empty()) out << texts::kNoCases << '\n';
        const auto names = category_names(st);
        Table t({"编号", "类别", "地址", "期限", "剩余(工作日)", "部门"});
        for (const auto& [c, v] : rows) {
            std::string deps;
            for (const auto& d : c.departments())
                deps += (deps.empty() ? "" : "、") + d;
            t.add({c.id, name_of(names, c.category), c.address, texts::deadline_text(v),
                   std::to_string(v.working_days_left), deps});
        }
        if (!t.empty()) t.print(out);
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
