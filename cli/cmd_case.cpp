// case open|show|list|do|history (SPEC.md "Command line", Part 2 "Speaking the station's language", "Finding
// cases", "Next steps"): parses the options, calls the application layer, prints the case, its table, its
// history or what may be done next. Words for people come from usecases/texts.h.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "cli/context.h"
#include "cli/output.h"
#include "engine/error.h"
#include "engine/names.h"
#include "engine/text.h"
#include "usecases/texts.h"
#include "usecases/views.h"

namespace minsheng::cli {

namespace {

using nlohmann::json;

struct CaseOptions {
    std::string category, address, summary, reporter, phone, channel, at;
    bool force_new = false;
    std::string id, show_format, show_out;
    std::string phase, list_category, department, search, from, to;
    bool overdue = false, mine = false, typical = false;
    std::string action, note, into;
    std::vector<std::string> departments, sets;
};

std::pair<std::string, std::string> split_set(const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
        throw usage_error("--set 要写成 字段=值，如 --set satisfied=满意；收到的是「" + kv + "」");
    return {kv.substr(0, eq), kv.substr(eq + 1)};
}

void print_history(std::ostream& out, Station& st, const Workflow& w, const std::vector<Event>& history) {
    if (history.empty()) {
        out << texts::kNoEvents << '\n';
        return;
    }
    const auto names = category_names(st);  // a corrected category by its name
    Table t({"时间", "动作", "经办人", "办理情况"});
    for (const auto& e : history) {
        const texts::HistoryRow r = texts::history_row(w, e, &names);
        t.add({r.time, r.action, r.actor, r.change});
    }
    t.print(out);
}

void print_case_text(std::ostream& out, Station& st, const CaseState& c, const ClockView& v,
                     const std::string& step_label, const std::vector<Event>& history,
                     const std::vector<ClockRound>& rounds) {
    const Workflow& w = st.workflow(c.category, c.workflow_version);
    out << "案件 " << c.id << "  " << w.name << '\n';
    Table t({"项目", "内容"});
    t.add({"阶段", texts::phase_text(c.phase, c.suspended)});
    t.add({"步骤", step_label});
    t.add({"地址", c.address});
    t.add({"问题", c.summary});
    t.add({"受理时间", minute_text(c.received_at)});
    t.add({"办理期限", texts::deadline_text(v) + (v.problem.empty() ? "" : "（" + v.problem + "）")});
    t.add({"时限", texts::clock_text(c, v)});
    if (rounds.size() > 1) {
        for (size_t i = 0; i < rounds.size(); ++i) {
            const ClockRound& r = rounds[i];
            std::string text = format_date(r.start) + " 起，期限 " +
                               (r.deadline ? format_date(*r.deadline) : std::string("未知")) +
                               (r.deadline_provisional ? "（暂定）" : "");
            if (r.resolved_on)
                text += "，" + format_date(*r.resolved_on) + " 办结" +
                        (r.on_time ? (*r.on_time ? "（按时）" : "（超时）") : "");
            else if (r.current)
                text += "，办理中";
            t.add({"第" + std::to_string(i + 1) + "轮办理", text});
        }
    }
    t.add({"反映次数", std::to_string(c.report_count) + "（重复 " + std::to_string(c.repeat_count()) + "）"});
    if (c.reopen_count) t.add({"重办次数", std::to_string(c.reopen_count)});
    if (c.escalation_level) t.add({"督办等级", texts::escalation_text(c.escalation_level)});
    t.add({"典型事例", texts::yes_no(c.typical)});
    // Both merged cases name each other (并案).
    for (const auto& e : history) {
        if (e.revoked) continue;
        if (e.action == "merge") t.add({"并案", "已并入案件 " + json_text(e.data, "into")});
        if (e.action == "merge-in") t.add({"并案", "案件 " + json_text(e.data, "from") + " 已并入本案"});
    }
    for (const auto& r : c.reporters) {
        t.add({"反映人", r.name + (r.phone.empty() ? "" : " " + r.phone) +
                             (r.channel.empty() ? "" : " " + r.channel) + " " + minute_text(r.at)});
        // A repeat report's own words, when they differ from the case's summary.
        if (!r.summary.empty()) t.add({"  反映内容", r.summary});
    }
    for (const auto& task : c.tasks)
        t.add({"部门", task.department + (task.lead ? "（牵头）" : "（配合）") + " " +
                           texts::task_status_text(task.status) +
                           (task.note.empty() ? "" : "：" + task.note)});
    for (const auto& [k, val] : c.fields)
        t.add({field_label(k), texts::field_value_text(w, k, val)});
    t.print(out);
    out << "\n办理经过\n";
    print_history(out, st, w, history);
}

// The case list (SPEC Part 2): the first reporter and phone beside each case, in full (staff see phones).
// One table aligned throughout, in memory that does not grow with the station: one pass over one snapshot
// measures the columns and writes each row's cells to a temporary file (never kept in memory); the header
// and the rows are then printed from that file. A refusal (rule 6) comes in the pass, before anything is
// printed. Reading the station once instead of twice (a second pass to print) took the list's CPU time at
// 100k cases from 2.1 s to 1.3 s.
void print_case_list(std::ostream& out, Station& st, const CaseFilter& f, Date today) {
    const auto names = category_names(st);
    TableLayout t({"编号", "类别", "阶段", "步骤", "地址", "反映人", "电话", "受理", "期限", "时限"});
    std::vector<std::string> row;
    auto fill = [&](const CaseState& c, const ClockView& v) {
        const Reporter* first = c.reporters.empty() ? nullptr : &c.reporters.front();
        row = {c.id,
               name_of(names, c.category),
               texts::phase_text(c.phase, c.suspended),
               st.workflow_label(c),
               c.address,
               first ? first->name : "",
               first ? first->phone : "",
               c.received_at.substr(0, 10),
               texts::deadline_text(v),
               texts::clock_text(c, v)};
    };
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> rows(std::tmpfile(), &std::fclose);
    if (!rows) throw storage_error(std::string("无法创建临时文件：") + std::strerror(errno));
    std::size_t count = 0;
    st.snapshot([&] {
        std::rewind(rows.get());
        count = 0;  // afresh if the snapshot is retried
        st.list_cases(f, today, [&](const CaseState& c, const ClockView& v) {
            fill(c, v);
            t.measure(row);
            for (const auto& cell : row) {  // each cell as its length and its bytes
                const auto n = static_cast<std::uint32_t>(cell.size());
                std::fwrite(&n, sizeof n, 1, rows.get());
                std::fwrite(cell.data(), 1, cell.size(), rows.get());
            }
            ++count;
        });
    });
    if (count == 0) {
        out << texts::kNoCases << '\n';
        return;
    }
    if (std::fflush(rows.get()) != 0 || std::ferror(rows.get()))
        throw storage_error(std::string("无法写入临时文件：") + std::strerror(errno));
    std::rewind(rows.get());
    t.print_header(out);
    row.assign(10, std::string());
    for (std::size_t i = 0; i < count; ++i) {
        for (auto& cell : row) {
            std::uint32_t n = 0;
            if (std::fread(&n, sizeof n, 1, rows.get()) != 1) throw storage_error("临时文件读取失败");
            cell.resize(n);
            if (n > 0 && std::fread(cell.data(), 1, n, rows.get()) != n)
                throw storage_error("临时文件读取失败");
        }
        t.print_row(out, row);
    }
}

void run_open(Context& ctx, CaseOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    // Single-line fields: a line break here would not survive an export and re-import.
    for (const auto& [value, what] : {std::pair{&o.category, "--category"},
                                      {&o.address, "--address"},
                                      {&o.reporter, "--reporter"},
                                      {&o.phone, "--phone"},
                                      {&o.channel, "--channel"}})
        require_text(*value, what);
    ReportInput r{o.address,     o.summary,       trim(o.reporter),
                  trim(o.phone), trim(o.channel), o.at.empty() ? ctx.default_at : normalize_timestamp(o.at),
                  ctx.latest_at};
    const OpenCaseResult res = st.open_case(o.category, r, o.force_new, ctx.actor, ctx.now);
    // The report is logged whatever the calendar says; an unknown deadline is said out loud, not guessed.
    if (const CaseState c = st.get_case(res.id); !c.deadline)
        *ctx.err << "minsheng: 提醒：案件 " << res.id << " 暂无办理期限：" << c.deadline_problem << '\n';
    else
        warn_calendar(ctx, st.calendar());
    if (!res.similar.empty()) {
        std::string ids;
        for (const auto& id : res.similar)
            ids += (ids.empty() ? "" : "、") + id;
        *ctx.err << "minsheng: 提醒：案件 " << res.id << " 附近或同址不同类别的案件：" << ids
                 << "；如为同一问题，可并案（case do 编号 merge --into 编号 --note 原因）\n";
    }
    if (ctx.json)
        out << json{{"id", res.id}, {"repeat", res.repeat}, {"similar", res.similar}} << '\n';
    else
        out << res.id << (res.repeat ? "  (重复反映：已并入未办结的同址案件)" : "") << '\n';
}

void run_show(Context& ctx, const CaseOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const CaseState c = st.get_case(o.id);
    const Calendar& cal = st.calendar();
    const ClockView v = clock_at(c, ctx.today, cal);
    const auto h = st.history(o.id);
    const auto rounds = clock_rounds(c, cal);
    if (o.show_format == "html") {
        write_case_sheet(ctx, st, c.id, o.show_out);
    } else if (ctx.json) {
        json j = case_object(c, v, st.workflow_label(c), &h);
        j["rounds"] = rounds_json(rounds);
        out << j.dump(2) << '\n';
    } else {
        print_case_text(out, st, c, v, st.workflow_label(c), h, rounds);
    }
    // What is known was shown; what the calendar cannot tell is refused, naming the year (rule 6).
    out.flush();
    require_complete_clock(c, v);
}

void run_history(Context& ctx, const CaseOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    const auto h = st.history(o.id);
    if (ctx.json) {
        json a = json::array();
        for (const auto& e : h)
            a.push_back(event_object(e));
        out << a.dump(2) << '\n';
    } else {
        const CaseState c = st.get_case(o.id);
        print_history(out, st, st.workflow(c.category, c.workflow_version), h);
    }
}

void run_list(Context& ctx, const CaseOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    CaseFilter f;
    if (!o.phase.empty()) f.phase = resolve_phase(o.phase);
    if (!o.list_category.empty()) f.category = o.list_category;
    if (!o.department.empty()) f.department = o.department;
    f.overdue_only = o.overdue;
    if (!o.search.empty()) f.search = o.search;
    if (!o.reporter.empty()) f.reporter = o.reporter;
    if (!o.phone.empty()) f.phone = o.phone;
    if (o.mine) f.actor = st.require_staff(ctx.actor).name;
    f.typical_only = o.typical;
    if (!o.from.empty()) f.received_from = parse_date(o.from);
    if (!o.to.empty()) f.received_to = parse_date(o.to);
    if (ctx.json) {
        // Streamed: one object at a time, however many cases there are; nothing is printed before the
        // first one (a refusal comes before it).
        bool first = true;
        std::string text;  // one case's JSON, its buffer reused
        st.list_cases(f, ctx.today, [&](const CaseState& c, const ClockView& v) {
            text.clear();
            append_case_json(text, c, v, st.workflow_label(c));
            out << (first ? "[\n" : ",\n") << text;
            first = false;
        });
        out << (first ? "[]\n" : "\n]\n");
    } else {
        print_case_list(out, st, f, ctx.today);
    }
}

// `case do ID` without an action (SPEC Part 2 "Next steps"): what the acting person may do now.
void print_next_actions(Context& ctx, Station& st, const std::string& id) {
    const std::vector<Action> actions = st.next_actions(id, ctx.actor, ctx.today);
    std::ostream& out = *ctx.out;
    if (ctx.json) {
        out << next_actions_json(actions).dump(2) << '\n';
        return;
    }
    const CaseState c = st.get_case(id);
    out << "案件 " << c.id << "（" << texts::phase_text(c.phase, c.suspended) << " · " << st.workflow_label(c)
        << "）";
    if (actions.empty()) {
        out << "现在没有 " << ctx.actor << " 可做的动作\n";
        return;
    }
    out << "现在可做：\n";
    Table t({"动作", "输入", "需要填写", "可选值"});
    for (const auto& a : actions) {
        std::string needs;
        for (const auto& r : a.requires_)
            needs += (needs.empty() ? "" : " ") + (r == "department" ? std::string("--department 部门")
                                                   : r == "note"     ? std::string("--note 说明")
                                                                     : "--set " + r + "=…");
        std::string choices;
        for (const auto& [field, values] : a.choices) {
            std::string list;
            for (const auto& v : values) {
                const std::string label = choice_label(a, field, v);
                list += (list.empty() ? "" : "、") + (label == v ? v : label + "（" + v + "）");
            }
            choices += (choices.empty() ? "" : "；") + field + "：" + list;
        }
        t.add({a.label, a.id, needs.empty() ? "—" : needs, choices.empty() ? "—" : choices});
    }
    t.print(out);
}

void run_do(Context& ctx, const CaseOptions& o) {
    std::ostream& out = *ctx.out;
    Station st(ctx.db_path);
    if (o.action.empty()) {
        print_next_actions(ctx, st, o.id);
        return;
    }
    ActionRequest r;
    r.action = o.action;
    for (const auto& d : o.departments) {
        require_text(d, "--department");
        r.departments.push_back(trim(d));
    }
    for (const auto& s : o.sets)
        r.sets.push_back(split_set(s));
    r.note = o.note;
    r.into = trim(o.into);
    r.at = o.at.empty() ? "" : normalize_timestamp(o.at);
    r.actor = ctx.actor;
    r.latest_at = ctx.latest_at;
    const Event e = st.do_action(o.id, r, ctx.default_at, ctx.now);
    const CaseState c = st.get_case(o.id);
    if (ctx.json) {
        out << case_object(c, clock_at(c, ctx.today, st.calendar()), st.workflow_label(c), nullptr).dump(2)
            << '\n';
    } else {
        const Workflow& w = st.workflow(c.category, c.workflow_version);
        out << c.id << " " << texts::action_label(w, e.action) << " → "
            << texts::phase_text(c.phase, c.suspended) << " / " << st.workflow_label(c) << '\n';
        if (e.data.contains("level_name"))
            out << "督办等级：" << texts::escalation_text(c.escalation_level) << "（第 " << c.escalation_level
                << " 级）\n";
    }
}

}  // namespace

void add_case_commands(CLI::App& app, Commands& commands) {
    using texts::help;
    auto o = std::make_shared<CaseOptions>();
    auto* kase = app.add_subcommand("case", help("case"));
    kase->require_subcommand(1);
    auto* open = kase->add_subcommand("open", help("case.open"));
    open->add_option("--category", o->category, help("case.open.--category"))->required();
    open->add_option("--address", o->address, help("case.open.--address"))->required();
    open->add_option("--summary", o->summary, help("case.open.--summary"))->required();
    open->add_option("--reporter", o->reporter, help("case.open.--reporter"));
    open->add_option("--phone", o->phone, help("case.open.--phone"));
    open->add_option("--channel", o->channel, help("case.open.--channel"));
    open->add_option("--at", o->at, help("case.open.--at"));
    open->add_flag("--new", o->force_new, help("case.open.--new"));
    commands.emplace_back(open, [o](Context& ctx) { run_open(ctx, *o); });

    auto* show = kase->add_subcommand("show", help("case.show"));
    show->add_option("ID", o->id, help("case.ID"))->required();
    show->add_option("--format", o->show_format, help("case.show.--format"))
        ->check(CLI::IsMember({"text", "html"}));
    show->add_option("--out", o->show_out, help("case.show.--out"));
    commands.emplace_back(show, [o](Context& ctx) { run_show(ctx, *o); });

    auto* list = kase->add_subcommand("list", help("case.list"));
    list->add_option("--phase", o->phase, help("case.list.--phase"));
    list->add_option("--category", o->list_category, help("case.list.--category"));
    list->add_option("--department", o->department, help("case.list.--department"));
    list->add_flag("--overdue", o->overdue, help("case.list.--overdue"));
    list->add_option("--search", o->search, help("case.list.--search"));
    list->add_option("--reporter", o->reporter, help("case.list.--reporter"));
    list->add_option("--phone", o->phone, help("case.list.--phone"));
    list->add_flag("--mine", o->mine, help("case.list.--mine"));
    list->add_flag("--typical", o->typical, help("case.list.--typical"));
    list->add_option("--from", o->from, help("case.list.--from"));
    list->add_option("--to", o->to, help("case.list.--to"));
    commands.emplace_back(list, [o](Context& ctx) { run_list(ctx, *o); });

    auto* act = kase->add_subcommand("do", help("case.do"));
    act->add_option("ID", o->id, help("case.ID"))->required();
    act->add_option("ACTION", o->action, help("case.do.ACTION"));
    act->add_option("--department", o->departments, help("case.do.--department"));
    act->add_option("--set", o->sets, help("case.do.--set"));
    act->add_option("--note", o->note, help("case.do.--note"));
    act->add_option("--into", o->into, help("case.do.--into"));
    act->add_option("--at", o->at, help("case.do.--at"));
    commands.emplace_back(act, [o](Context& ctx) { run_do(ctx, *o); });

    auto* hist = kase->add_subcommand("history", help("case.history"));
    hist->add_option("ID", o->id, help("case.ID"))->required();
    commands.emplace_back(hist, [o](Context& ctx) { run_history(ctx, *o); });
}

}  // namespace minsheng::cli
