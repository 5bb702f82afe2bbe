// init, staff add, workflow check|list|load (SPEC.md "Command line"): creating a station, its staff and its
// workflows.
#include <algorithm>
#include <filesystem>
#include <memory>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/shipped.h"
#include "engine/error.h"
#include "engine/names.h"
#include "engine/text.h"
#include "usecases/texts.h"

namespace minsheng::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct StationOptions {
    std::string workflows, calendar, supervisor;  // init
    std::string name, role, department;           // staff add
    std::vector<std::string> files;               // workflow check
    std::string load_path;                        // workflow load
};

std::vector<SourceFile> read_workflow_dir(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw not_found("找不到流程文件夹 " + dir);
    std::vector<std::string> paths;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() &&
            (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml"))
            paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) throw not_found(dir + " 中没有 .yaml 流程文件");
    std::vector<SourceFile> files;
    for (const auto& p : paths)
        files.push_back(read_file(p));
    return files;
}

void run_init(Context& ctx, const StationOptions& so) {
    InitOptions o;
    o.workflows = so.workflows.empty() ? shipped_workflows() : read_workflow_dir(so.workflows);
    o.calendar = so.calendar.empty() ? shipped_calendar() : read_file(so.calendar);
    o.supervisor = so.supervisor.empty() ? ctx.actor : so.supervisor;
    Station::create(ctx.db_path, o, ctx.now);
    if (ctx.json)
        *ctx.out << json{{"db", ctx.db_path},
                         {"supervisor", trim(o.supervisor)},
                         {"workflows", o.workflows.size()}}
                 << '\n';
    else
        *ctx.out << "已新建 " << ctx.db_path << "：载入 " << o.workflows.size() << " 个办理流程；督办 "
                 << trim(o.supervisor) << '\n';
}

void run_staff_add(Context& ctx, const StationOptions& o) {
    Station st(ctx.db_path);
    const Role role = resolve_role(o.role);  // 协调员 or coordinator, 督办 or supervisor
    st.add_staff(ctx.actor, {o.name, role, o.department}, ctx.now);
    if (ctx.json)
        *ctx.out << json{{"name", trim(o.name)}, {"role", std::string(role_name(role))}} << '\n';
    else
        *ctx.out << "已登记 " << trim(o.name) << "，角色：" << role_label(role) << '\n';
}

void run_check(Context& ctx, const StationOptions& o) {
    int problems = 0;
    // Every file is read before any problem is printed, so a missing file is the one line of output.
    std::vector<SourceFile> sources;
    for (const auto& f : o.files)
        sources.push_back(read_file(f));
    for (const auto& src : sources) {
        for (const auto& p : load_workflow(src.text, src.name).problems) {
            *ctx.err << p.to_string() << '\n';
            ++problems;
        }
    }
    ctx.exit_code = problems ? static_cast<int>(ErrorKind::Refused) : 0;
}

void run_list(Context& ctx) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const auto wfs = st.workflows();
    auto description = [](const WorkflowInfo& w) { return trim(w.description); };
    if (ctx.json) {
        json a = json::array();
        for (const auto& w : wfs)
            a.push_back({{"category", w.category},
                         {"name", w.name},
                         {"version", w.version},
                         {"deadline_days", w.deadline_days},
                         {"description", description(w)}});
        out << a.dump(2) << '\n';
    } else {
        Table t({"类别", "编号", "版本", "时限(工作日)", "说明"});
        for (const auto& w : wfs) {
            std::string d = description(w);
            std::replace(d.begin(), d.end(), '\n', ' ');  // one row per workflow
            // The id stays beside the name: it is what --category accepts besides the name.
            t.add({w.name, w.category, std::to_string(w.version), std::to_string(w.deadline_days), d});
        }
        t.print(out);
    }
}

void run_load(Context& ctx, const StationOptions& o) {
    Station st(ctx.db_path);
    std::error_code ec;
    const auto files = fs::is_directory(o.load_path, ec) ? read_workflow_dir(o.load_path)
                                                         : std::vector{read_file(o.load_path)};
    for (const auto& w : st.load_workflows(files, ctx.actor, ctx.now)) {
        const std::string named = texts::workflow_title(w.name, w.category, w.version);
        *ctx.out << (w.already_loaded ? named + "已载入过，内容相同，未改动" : "已载入" + named) << '\n';
    }
}

}  // namespace

void add_station_commands(CLI::App& app, Commands& commands) {
    using texts::help;
    auto o = std::make_shared<StationOptions>();
    auto* init = app.add_subcommand("init", help("init"));
    init->add_option("--workflows", o->workflows, help("init.--workflows"));
    init->add_option("--calendar", o->calendar, help("init.--calendar"));
    init->add_option("--supervisor", o->supervisor, help("init.--supervisor"));
    commands.emplace_back(init, [o](Context& ctx) { run_init(ctx, *o); });

    auto* staff = app.add_subcommand("staff", help("staff"));
    staff->require_subcommand(1);
    auto* staff_add = staff->add_subcommand("add", help("staff.add"));
    staff_add->add_option("NAME", o->name, help("staff.add.NAME"))->required();
    staff_add->add_option("--role", o->role, help("staff.add.--role"))->required();
    staff_add->add_option("--department", o->department, help("staff.add.--department"));
    commands.emplace_back(staff_add, [o](Context& ctx) { run_staff_add(ctx, *o); });

    auto* workflow = app.add_subcommand("workflow", help("workflow"));
    workflow->require_subcommand(1);
    auto* check = workflow->add_subcommand("check", help("workflow.check"));
    check->add_option("FILE", o->files, help("workflow.check.FILE"))->required();
    commands.emplace_back(check, [o](Context& ctx) { run_check(ctx, *o); });
    auto* list = workflow->add_subcommand("list", help("workflow.list"));
    commands.emplace_back(list, [](Context& ctx) { run_list(ctx); });
    auto* load = workflow->add_subcommand("load", help("workflow.load"));
    load->add_option("PATH", o->load_path, help("workflow.load.PATH"))->required();
    commands.emplace_back(load, [o](Context& ctx) { run_load(ctx, *o); });
}

}  // namespace minsheng::cli
