// report typical|annual (SPEC.md "Reports"): reads the cases from the station, hands them to the engine's
// report functions, prints the document or writes it to --out. No figure is computed here.
#include <memory>

#include "cli/context.h"
#include "engine/error.h"
#include "engine/report.h"

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
            throw usage_error("--json and --format " + given + " contradict each other; give one of them");
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

// The write-up of one case, in the words of its category's current workflow.
report::WriteUp write_up_of(Station& st, const CaseState& c, const std::vector<Event>& events) {
    return report::make_write_up(c, events, st.workflow(c.category), st.calendar());
}

void run_typical(Context& ctx, const ReportOptions& o) {
    const std::string format = chosen_format(ctx, o.typical_format, "md");
    Station st(ctx.db_path);
    std::vector<report::WriteUp> write_ups;
    for (const auto& id : o.ids) {
        const CaseState c = st.get_case(id);  // NotFound (exit 5) for an unknown id
        if (!c.typical)
            throw refused(
                "case " + id +
                " is not marked as a typical case (典型事例); a supervisor selects it with `minsheng case "
                "do " +
                id + " mark-typical`");
        write_ups.push_back(write_up_of(st, c, st.history(id)));
    }
    std::string text;
    if (format == "html")
        text = report::write_ups_html(write_ups);
    else if (format == "json")
        text = report::write_ups_json(write_ups).dump(2) + "\n";
    else
        text = report::write_ups_markdown(write_ups);
    emit(ctx, o.typical_out, text);
}

void run_annual(Context& ctx, const ReportOptions& o) {
    const std::string format = chosen_format(ctx, o.annual_format, "md");
    Station st(ctx.db_path);
    const Calendar& cal = st.calendar();
    const std::string end_ts = std::to_string(o.year) + "-12-31T23:59:59";
    const std::string year_prefix = std::to_string(o.year) + "-";

    // Every case received up to the year's end. Events are read where the figures need them: for the cases
    // received in the year, and for older ones that changed after the year's end (to see how they stood).
    std::vector<report::CaseRecord> records;
    st.list_cases(CaseFilter{}, ctx.today, [&](const CaseState& c) {
        if (c.received_at > end_ts) return;
        records.push_back({c, {}});
    });
    for (auto& r : records)
        if (r.state.received_at.compare(0, year_prefix.size(), year_prefix) == 0 ||
            r.state.last_event_at > end_ts)
            r.events = st.history(r.state.id);
    std::map<std::string, std::string> names;
    for (const auto& w : st.workflows())  // by category, then version: the latest version's name stays
        names[w.category] = w.name;
    const report::AnnualStats stats = report::annual_stats(records, o.year, cal, names);

    // The typical cases' records, found in one pass over the records.
    std::map<std::string, const report::CaseRecord*> typical_records;
    for (const auto& id : stats.typical)
        typical_records[id] = nullptr;
    for (const auto& r : records)
        if (auto it = typical_records.find(r.state.id); it != typical_records.end()) it->second = &r;
    std::vector<report::WriteUp> typical;
    for (const auto& id : stats.typical)
        if (const report::CaseRecord* r = typical_records[id])
            typical.push_back(write_up_of(st, r->state, r->events));

    std::string text;
    if (format == "json")
        text = report::annual_json(stats, typical).dump(2) + "\n";
    else if (format == "csv")
        text = report::annual_csv(stats, typical);
    else if (format == "html")
        text = report::annual_html(stats, typical);
    else
        text = report::annual_markdown(stats, typical);
    emit(ctx, o.annual_out, text);
    warn_calendar(ctx, cal);
}

}  // namespace

void add_report_commands(CLI::App& app, Commands& commands) {
    auto o = std::make_shared<ReportOptions>();
    auto* report =
        app.add_subcommand("report", "Typical-case write-ups (典型事例) and the year's statistics");
    report->require_subcommand(1);

    auto* typical = report->add_subcommand(
        "typical", "Write-ups of cases a supervisor marked typical (case do ID mark-typical); names masked");
    typical->add_option("ID", o->ids, "Case ids")->required();
    typical->add_option("--format", o->typical_format, "md (default) or html")
        ->check(CLI::IsMember({"md", "html"}));
    typical->add_option("--out", o->typical_out, "Write to FILE instead of stdout");
    commands.emplace_back(typical, [o](Context& ctx) { run_typical(ctx, *o); });

    auto* annual = report->add_subcommand("annual", "The year's statistics, with its typical cases in full");
    annual->add_option("--year", o->year, "The year, e.g. 2023")->required()->check(CLI::Range(1900, 9999));
    annual->add_option("--format", o->annual_format, "md (default), html, csv or json (also: --json)")
        ->check(CLI::IsMember({"md", "html", "csv", "json"}));
    annual->add_option("--out", o->annual_out, "Write to FILE instead of stdout");
    commands.emplace_back(annual, [o](Context& ctx) { run_annual(ctx, *o); });
}

}  // namespace minsheng::cli
