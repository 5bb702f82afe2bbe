// report typical|annual (SPEC.md "Reports"): asks the application layer for the write-ups or the year's
// figures, renders them in the format asked for, prints the document or writes it to --out.
#include <memory>

#include "cli/context.h"
#include "cli/docx.h"
#include "engine/error.h"
#include "engine/report.h"
#include "usecases/reports.h"
#include "usecases/texts.h"

namespace minsheng::cli {

namespace {

struct ReportOptions {
    std::vector<std::string> ids;
    std::string typical_format;
    std::string typical_out;
    int year = 0;
    std::string annual_format;
    std::string annual_out;
};

// The format asked for: --format, or json with the global --json (which must not contradict --format).
std::string chosen_format(const Context& ctx, const std::string& given, const std::string& fallback) {
    if (ctx.json) {
        if (!given.empty() && given != "json")
            throw usage_error("--json 与 --format " + given + " 互相矛盾：请只给其中一个");
        return "json";
    }
    return given.empty() ? fallback : given;
}

void emit(const Context& ctx, const std::string& out_path, const std::string& text) {
    if (out_path.empty())
        *ctx.out << text;
    else
        write_file(out_path, text);
}

void run_typical(Context& ctx, const ReportOptions& o) {
    const std::string format = chosen_format(ctx, o.typical_format, "md");
    Station st(ctx.db_path);
    const std::vector<report::WriteUp> write_ups = typical_write_ups(st, o.ids);
    std::string text;
    if (format == "html")
        text = report::write_ups_html(write_ups);
    else if (format == "docx")
        text = markdown_to_docx(report::write_ups_markdown(write_ups));
    else if (format == "json")
        text = report::write_ups_json(write_ups).dump(2) + "\n";
    else
        text = report::write_ups_markdown(write_ups);
    emit(ctx, o.typical_out, text);
}

void run_annual(Context& ctx, const ReportOptions& o) {
    const std::string format = chosen_format(ctx, o.annual_format, "md");
    Station st(ctx.db_path);
    const AnnualReport r = annual_report(st, o.year);
    std::string text;
    if (format == "json")
        text = report::annual_json(r.stats, r.typical).dump(2) + "\n";
    else if (format == "csv")
        text = report::annual_csv(r.stats, r.typical);
    else if (format == "html")
        text = report::annual_html(r.stats, r.typical);
    else if (format == "docx")
        text = markdown_to_docx(report::annual_markdown(r.stats, r.typical));
    else
        text = report::annual_markdown(r.stats, r.typical);
    emit(ctx, o.annual_out, text);
    warn_calendar(ctx, st.calendar());
}

}  // namespace

void add_report_commands(CLI::App& app, Commands& commands) {
    using texts::help;
    auto o = std::make_shared<ReportOptions>();
    auto* report = app.add_subcommand("report", help("report"));
    report->require_subcommand(1);

    auto* typical = report->add_subcommand("typical", help("report.typical"));
    typical->add_option("ID", o->ids, help("report.typical.ID"))->required();
    typical->add_option("--format", o->typical_format, help("report.typical.--format"))
        ->check(CLI::IsMember({"md", "html", "docx"}));
    typical->add_option("--out", o->typical_out, help("report.--out"));
    commands.emplace_back(typical, [o](Context& ctx) { run_typical(ctx, *o); });

    auto* annual = report->add_subcommand("annual", help("report.annual"));
    annual->add_option("--year", o->year, help("report.annual.--year"))
        ->required()
        ->check(CLI::Range(1900, 9999));
    annual->add_option("--format", o->annual_format, help("report.annual.--format"))
        ->check(CLI::IsMember({"md", "html", "csv", "json", "docx"}));
    annual->add_option("--out", o->annual_out, help("report.--out"));
    commands.emplace_back(annual, [o](Context& ctx) { run_annual(ctx, *o); });
}

}  // namespace minsheng::cli
