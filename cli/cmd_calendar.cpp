// calendar add|info|load|provisional|list (SPEC.md "Command line", Part 2 "Calendar beyond the published
// years"): working-day arithmetic, and the years the station's calendar covers.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/shipped.h"
#include "engine/error.h"
#include "usecases/texts.h"

namespace minsheng::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CalendarOptions {
    std::string date;
    int n = 0;
    std::string file;
    int year = 0;
};

// The calendar of the database when there is one, else the shipped one.
Calendar calendar_for(const Context& ctx, std::optional<Station>& station) {
    std::error_code ec;
    if (fs::exists(ctx.db_path, ec)) {
        station.emplace(ctx.db_path);
        return station->calendar();
    }
    const SourceFile f = shipped_calendar();
    return Calendar(parse_calendar_yaml(f.text, f.name));
}

void run_add(Context& ctx, const CalendarOptions& o) {
    std::ostream& out = *ctx.out;
    std::optional<Station> st;
    const Calendar cal = calendar_for(ctx, st);
    const Date d = parse_date(o.date);
    const Date r = cal.add_working_days(d, o.n);
    const bool provisional = cal.any_provisional(d.year(), r.year());
    if (ctx.json)
        out << json{{"date", format_date(d)},
                    {"n", o.n},
                    {"result", format_date(r)},
                    {"provisional", provisional}}
            << '\n';
    else
        out << format_date(r) << (provisional ? "（暂定）" : "") << '\n';
}

void run_info(Context& ctx, const CalendarOptions& o) {
    std::ostream& out = *ctx.out;
    std::optional<Station> st;
    const Calendar cal = calendar_for(ctx, st);
    const Date d = parse_date(o.date);
    const bool working = cal.is_working_day(d);
    const std::string name = cal.day_name(d);
    const bool provisional = cal.is_provisional(d.year());
    const std::optional<Date> until = cal.covered_until(d);
    if (ctx.json) {
        out << json{{"date", format_date(d)},
                    {"working_day", working},
                    {"name", name.empty() ? json(nullptr) : json(name)},
                    {"provisional", provisional},
                    {"covered_until", until ? json(format_date(*until)) : json(nullptr)}}
            << '\n';
    } else {
        static const char* weekdays[] = {"星期日", "星期一", "星期二", "星期三",
                                         "星期四", "星期五", "星期六"};
        std::string kind = working ? "工作日" : "休息日";
        if (!name.empty()) kind += working ? "（调休上班：" + name + "）" : "（" + name + "）";
        if (provisional) kind += "（" + std::to_string(d.year()) + " 年为暂定日历）";
        out << format_date(d) << " " << weekdays[d.day_of_week().as_number()] << " " << kind << '\n';
    }
}

void run_change(Context& ctx, const CalendarOptions& o, bool provisional_year) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const CalendarChange ch =
        !provisional_year
            ? st.load_calendar(read_file(o.file), ctx.actor, ctx.default_at, ctx.now)
            : st.make_provisional(o.year, shipped_statutory_anchors(), ctx.actor, ctx.default_at, ctx.now);
    if (ctx.json) {
        out << json{{"years", ch.years},
                    {"provisional", provisional_year},
                    {"replaced_provisional", ch.replaced_provisional},
                    {"cases_changed", ch.cases_changed}}
            << '\n';
    } else {
        for (int y : ch.years) {
            const bool replaced = std::find(ch.replaced_provisional.begin(), ch.replaced_provisional.end(),
                                            y) != ch.replaced_provisional.end();
            out << (provisional_year ? "已设定 " : "已载入 ") << y << " 年"
                << (provisional_year ? "暂定日历（法定节假日及补假，未含调休）"
                    : replaced       ? "放假安排，取代暂定日历"
                                     : "放假安排")
                << '\n';
        }
        out << "办理期限或按时结论有变化的案件：" << ch.cases_changed << " 件"
            << (ch.cases_changed ? "（各案历史中记有新旧期限）" : "") << '\n';
    }
}

void run_list(Context& ctx) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const auto years = st.calendar_years();
    if (ctx.json) {
        json a = json::array();
        for (const auto& y : years)
            a.push_back({{"year", y.year},
                         {"provisional", y.provisional},
                         {"source", y.source},
                         {"loaded_at", y.loaded_at}});
        out << a.dump(2) << '\n';
    } else {
        Table t({"年份", "依据", "来源", "载入时间"});
        for (const auto& y : years)
            t.add({std::to_string(y.year), y.provisional ? "暂定（法定节假日）" : "国务院放假通知", y.source,
                   y.loaded_at});
        t.print(out);
    }
    warn_calendar(ctx, st.calendar());
}

}  // namespace

void add_calendar_commands(CLI::App& app, Commands& commands) {
    using texts::help;
    auto o = std::make_shared<CalendarOptions>();
    auto* calendar = app.add_subcommand("calendar", help("calendar"));
    calendar->require_subcommand(1);
    auto* add = calendar->add_subcommand("add", help("calendar.add"));
    add->add_option("DATE", o->date, help("calendar.DATE"))->required();
    add->add_option("N", o->n, help("calendar.add.N"))->required()->check(CLI::Range(0, 100000));
    commands.emplace_back(add, [o](Context& ctx) { run_add(ctx, *o); });
    auto* info = calendar->add_subcommand("info", help("calendar.info"));
    info->add_option("DATE", o->date, help("calendar.DATE"))->required();
    commands.emplace_back(info, [o](Context& ctx) { run_info(ctx, *o); });
    auto* load = calendar->add_subcommand("load", help("calendar.load"));
    load->add_option("FILE", o->file, help("calendar.load.FILE"))->required();
    commands.emplace_back(load, [o](Context& ctx) { run_change(ctx, *o, false); });
    auto* provisional = calendar->add_subcommand("provisional", help("calendar.provisional"));
    provisional->add_option("YEAR", o->year, help("calendar.provisional.YEAR"))
        ->required()
        ->check(CLI::Range(1900, 9999));
    commands.emplace_back(provisional, [o](Context& ctx) { run_change(ctx, *o, true); });
    auto* list = calendar->add_subcommand("list", help("calendar.list"));
    commands.emplace_back(list, [](Context& ctx) { run_list(ctx); });
}

}  // namespace minsheng::cli
