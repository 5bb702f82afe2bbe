// The command tree (CLI11) and the one place where failures become exit codes (SPEC.md "Command line").
// Commands only parse, call storage/engine, and print: no business rule lives here.
#include "cli/app.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/shipped.h"
#include "engine/error.h"
#include "engine/text.h"
#include "server/serve.h"
#include "usecases/signin.h"
#include "usecases/station.h"

namespace minsheng::cli {

namespace fs = std::filesystem;
using nlohmann::json;

SourceFile read_file(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw not_found("no such file: " + path);
    if (fs::is_directory(path, ec)) throw usage_error(path + " is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw not_found("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return {path, ss.str()};
}

namespace {

// What lies at `path` when it is not a regular file, in words for the refusal; "" when it is one or is
// absent.
std::string not_a_regular_file(const std::string& path) {
    struct stat sb {};
    if (::lstat(path.c_str(), &sb) != 0) return "";
    if (S_ISREG(sb.st_mode)) return "";
    if (S_ISLNK(sb.st_mode)) return "符号链接";
    if (S_ISDIR(sb.st_mode)) return "文件夹";
    if (S_ISFIFO(sb.st_mode)) return "管道（FIFO）";
    if (S_ISSOCK(sb.st_mode)) return "套接字";
    if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode)) return "设备";
    return "特殊文件";
}

// A new file beside `path` that nobody else can have prepared: O_EXCL refuses any name that exists (a
// symbolic link planted there included, which O_NOFOLLOW refuses too). Returns its fd and sets `tmp`.
int create_temp_beside(const std::string& path, std::string& tmp) {
    const fs::path p(path);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%08x%04x.tmp", static_cast<unsigned>(rd()),
                      static_cast<unsigned>(attempt));
        tmp = (dir / ("." + p.filename().string() + suffix)).string();
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) return fd;
        if (errno != EEXIST) return -1;
    }
    errno = EEXIST;
    return -1;
}

std::string write_failure(const std::string& path, int err) {
    if (err == ENOSPC || err == EDQUOT)
        return "无法写入 " + path + "：磁盘已满（" + std::strerror(err) + "）";
    return "无法写入 " + path + "：" + std::strerror(err);
}

}  // namespace

void write_file(const std::string& path, const std::string& text) {
    // SPEC "Paper": --out writes a regular file, never through a link, over a device, a FIFO or a folder.
    if (const std::string what = not_a_regular_file(path); !what.empty())
        throw usage_error("--out " + path + " 是" + what +
                          "，不是普通文件：--out 只写普通文件，请换一个文件名");
    std::string tmp;
    const int fd = create_temp_beside(path, tmp);
    if (fd < 0) throw storage_error(write_failure(path, errno));
    auto fail = [&](int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return storage_error(write_failure(path, err));
    };
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw fail(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) throw fail(errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw storage_error(write_failure(path, err));
    }
    // rename replaces whatever name is at `path` itself, never what a link there would point to.
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        if (err == EISDIR) throw usage_error("--out " + path + " 是文件夹，不是普通文件：--out 只写普通文件");
        throw storage_error(write_failure(path, err));
    }
}

// The year-boundary warning (SPEC Part 2): one line on stderr, the exit code unchanged.
void warn_calendar(const Context& ctx, const Calendar& cal) {
    const std::string w = calendar_warning(cal, ctx.today);
    if (!w.empty()) *ctx.err << "minsheng: 提醒：" << w << '\n';
}

namespace {

// Wall-clock time in Asia/Shanghai (UTC+8 all year: China keeps no daylight saving).
std::string shanghai_now() {
    const std::time_t t = std::time(nullptr) + 8 * 3600;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::vector<SourceFile> read_workflow_dir(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw not_found("no workflow directory " + dir);
    std::vector<std::string> paths;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() &&
            (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml"))
            paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) throw not_found("no .yaml workflow files in " + dir);
    std::vector<SourceFile> files;
    for (const auto& p : paths)
        files.push_back(read_file(p));
    return files;
}

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

// The new password for `staff passwd`: the first line of standard input (--password-stdin, or a pipe), or
// typed twice at the terminal without echo.
std::string read_password(bool from_stdin, std::ostream& err) {
    auto line = [] {
        std::string p;
        std::getline(std::cin, p);
        if (!p.empty() && p.back() == '\r') p.pop_back();
        return p;
    };
    if (from_stdin || !::isatty(STDIN_FILENO)) return line();
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    err << "新密码：" << std::flush;
    const std::string first = line();
    err << "\n再输入一次：" << std::flush;
    const std::string second = line();
    err << '\n';
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    if (first != second) throw usage_error("两次输入的密码不一致，密码未更改");
    return first;
}

std::pair<std::string, std::string> split_set(const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw usage_error("--set needs KEY=VALUE, got '" + kv + "'");
    return {kv.substr(0, eq), kv.substr(eq + 1)};
}

std::string task_status_label(TaskStatus s) {
    switch (s) {
        case TaskStatus::Dispatched:
            return "已派单";
        case TaskStatus::Signed:
            return "已签收";
        case TaskStatus::Returned:
            return "已退单";
        case TaskStatus::Replied:
            return "已回复";
    }
    return "?";
}

// What a `recompute` event says: each round whose deadline or verdict the calendar load changed.
std::string recompute_text(const json& data) {
    auto deadline = [](const json& r) {
        std::string t =
            r.value("deadline", json(nullptr)).is_string() ? r["deadline"].get<std::string>() : "未知";
        if (r.value("provisional", false)) t += "（暂定）";
        if (r.contains("on_time") && r["on_time"].is_boolean())
            t += r["on_time"].get<bool>() ? " 按时" : " 超时";
        return t;
    };
    const std::string source = json_text(data, "source");
    std::string out = source == "provisional"
                          ? std::string("办理期限重算（暂定日历）：")
                          : "办理期限重算（载入 " + fs::path(source).filename().string() + "）：";
    const json before = data.value("before", json::array()), after = data.value("after", json::array());
    for (size_t i = 0; i < after.size(); ++i) {
        const std::string now = deadline(after[i]);
        const std::string was = i < before.size() ? deadline(before[i]) : "—";
        if (was == now) continue;
        if (after.size() > 1) out += "第" + std::to_string(i + 1) + "轮 ";
        out += was + " → " + now + "；";
    }
    if (!out.empty() && out.compare(out.size() - 3, 3, "；") == 0) out.resize(out.size() - 3);
    return out;
}

// What a correct, revoke or merge event says, for the history; "" for any other event.
std::string correction_text(const Event& e) {
    const std::string note = json_text(e.data, "note");
    const std::string why = note.empty() ? "" : "（" + note + "）";
    if (e.action == "correct") {
        std::string out = "更正 ";
        const json was = e.data.value("was", json::object());
        const json set = e.data.value("set", json::object());
        for (const auto& [k, v] : set.items())
            out += k + "：" + json_text(was, k.c_str()) + " → " + v.get<std::string>() + "；";
        return out + why;
    }
    if (e.action == "revoke")
        return "撤销第 " + std::to_string(e.data.value("revokes", 0)) + " 条（" +
               json_text(e.data, "revoked_action") + "）" + why;
    if (e.action == "merge") return "并案：并入案件 " + json_text(e.data, "into") + why;
    if (e.action == "merge-in")
        return "并案：案件 " + json_text(e.data, "from") + " 并入本案（" +
               std::to_string(e.data.value("report_count", 0)) + " 次反映）" + why;
    return "";
}

void print_case_text(std::ostream& out, const CaseState& c, const ClockView& v, const std::string& step_label,
                     const std::vector<Event>& history, const std::vector<ClockRound>& rounds) {
    out << "案件 " << c.id << "  " << c.category << " v" << c.workflow_version << '\n';
    Table t({"项目", "内容"});
    t.add({"阶段", std::string(phase_name(c.phase)) + " " + std::string(phase_label(c.phase)) +
                       (c.suspended ? "（挂起）" : "")});
    t.add({"步骤", step_label + " (" + c.step + ")"});
    t.add({"地址", c.address});
    t.add({"问题", c.summary});
    t.add({"受理时间", c.received_at});
    t.add({"办理期限", deadline_text(v) + (v.problem.empty() ? "" : "（" + v.problem + "）")});
    t.add({"时限", days_left_text(v)});
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
    // Both merged cases name each other (并案).
    for (const auto& e : history) {
        if (e.revoked) continue;
        if (e.action == "merge") t.add({"并案", "已并入案件 " + json_text(e.data, "into")});
        if (e.action == "merge-in") t.add({"并案", "案件 " + json_text(e.data, "from") + " 已并入本案"});
    }
    t.add({"反映次数", std::to_string(c.report_count) + "（重复 " + std::to_string(c.repeat_count()) + "）"});
    if (c.reopen_count) t.add({"重办次数", std::to_string(c.reopen_count)});
    if (c.escalation_level) t.add({"督办等级", std::string(escalation_name(c.escalation_level))});
    if (c.typical) t.add({"典型事例", "是"});
    for (const auto& r : c.reporters) {
        t.add({"反映人", r.name + (r.phone.empty() ? "" : " " + r.phone) +
                             (r.channel.empty() ? "" : " " + r.channel) + " " + r.at});
        // A repeat report's own words, when they differ from the case's summary.
        if (!r.summary.empty()) t.add({"  反映内容", r.summary});
    }
    for (const auto& task : c.tasks)
        t.add({"部门", task.department + (task.lead ? "（牵头）" : "（配合）") + " " +
                           task_status_label(task.status) + (task.note.empty() ? "" : "：" + task.note)});
    for (const auto& [k, val] : c.fields)
        t.add({"字段 " + k, val});
    t.print(out);
    out << "\n历史\n";
    Table h({"#", "时间", "动作", "经办人", "说明"});
    for (const auto& e : history) {
        std::string detail;
        if (e.data.contains("departments"))
            for (const auto& d : e.data["departments"])
                detail += d.get<std::string>() + " ";
        if (e.data.contains("set"))
            for (auto& [k, val] : e.data["set"].items())
                detail += k + "=" + val.get<std::string>() + " ";
        if (e.data.contains("note")) detail += e.data["note"].get<std::string>();
        if (e.action == "report" || e.action == "open") {
            const auto& r = e.data.value("reporter", json::object());
            detail += r.value("name", "") + " " + r.value("channel", "");
        }
        if (e.action == "recompute") detail = recompute_text(e.data);
        if (const std::string c = correction_text(e); !c.empty()) detail = c;
        h.add({std::to_string(e.seq), e.at.substr(0, 16) + recorded_late_note(e),
               e.action + (e.revoked ? "（已撤销）" : ""), e.actor, trim(detail)});
    }
    h.print(out);
}

// The case table, streamed in two passes over one snapshot (SPEC `case list`): the first measures the columns
// and keeps no row, the second prints each row as it comes. One table aligned throughout, exactly as a table
// held whole would print, in memory that does not grow with the station; it costs a second read of the
// list, which a coordinator scanning one aligned table with one header is worth. A refusal (rule 6) comes in
// the first pass, before anything is printed.
void print_case_list(std::ostream& out, Station& st, const CaseFilter& f, Date today) {
    TableLayout t({"编号", "类别", "阶段", "步骤", "地址", "受理", "期限", "时限"});
    std::vector<std::string> row;
    auto fill = [&](const CaseState& c, const ClockView& v) {
        row = {c.id,
               c.category,
               std::string(phase_label(c.phase)) + (c.suspended ? "·挂起" : ""),
               st.workflow_label(c),
               c.address,
               c.received_at.substr(0, 10),
               deadline_text(v),
               days_left_text(v)};
    };
    st.snapshot([&] {
        st.list_cases(f, today, [&](const CaseState& c, const ClockView& v) {
            fill(c, v);
            t.measure(row);
        });
        t.print_header(out);
        st.list_cases(f, today, [&](const CaseState& c, const ClockView& v) {
            fill(c, v);
            t.print_row(out, row);
        });
    });
}

}  // namespace

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
    CLI::App app{"minsheng — case tracking for a community livelihood work station (民生工作站)", "minsheng"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show every command's options");

    Context ctx;
    ctx.out = &out;
    ctx.err = &err;
    std::string today_text;
    app.add_option("--db", ctx.db_path, "Database file (default $MINSHENG_DB, else ./minsheng.db)");
    app.add_option("--as", ctx.actor, "Acting staff member (default $MINSHENG_ACTOR)");
    app.add_option("--today", today_text,
                   "Reference date YYYY-MM-DD (default $MINSHENG_TODAY, else today in Shanghai)");
    app.add_flag("--json", ctx.json, "Machine-readable output on stdout");

    // init
    auto* init = app.add_subcommand("init", "Create the database with the shipped workflows and calendar");
    std::string init_workflows, init_calendar, init_supervisor;
    init->add_option("--workflows", init_workflows,
                     "Directory of workflow YAML files instead of the shipped ones");
    init->add_option("--calendar", init_calendar, "Calendar YAML file instead of the shipped one");
    init->add_option("--supervisor", init_supervisor, "The first supervisor (default: --as)");

    // staff
    auto* staff = app.add_subcommand("staff", "Staff members and their roles");
    staff->require_subcommand(1);
    auto* staff_add = staff->add_subcommand("add", "Register a staff member (supervisors only)");
    std::string staff_name, staff_role, staff_department;
    staff_add->add_option("NAME", staff_name, "Name")->required();
    staff_add->add_option("--role", staff_role, "coordinator or supervisor")
        ->required()
        ->check(CLI::IsMember({"coordinator", "supervisor"}));
    staff_add->add_option("--department", staff_department, "Department");
    auto* staff_passwd = staff->add_subcommand(
        "passwd", "Set a password for the web workspace (supervisors for anyone, staff for themselves)");
    bool passwd_stdin = false;
    staff_passwd->add_option("NAME", staff_name, "Name")->required();
    staff_passwd->add_flag("--password-stdin", passwd_stdin,
                           "Read the password from the first line of stdin");

    // serve
    auto* serve =
        app.add_subcommand("serve", "Serve the web workspace and its JSON API until SIGINT/SIGTERM");
    std::string serve_listen = "127.0.0.1:8311";
    bool serve_tls = false;
    std::int64_t serve_idle = 7200;
    serve->add_option("--listen", serve_listen, "ADDR:PORT (default 127.0.0.1:8311)");
    serve->add_flag("--behind-tls", serve_tls,
                    "The server sits behind a TLS reverse proxy: the session cookie gets Secure");
    serve->add_option("--session-idle", serve_idle, "Seconds a session may stay unused (default 7200)")
        ->check(CLI::Range(10, 7 * 24 * 3600));

    // workflow
    auto* workflow = app.add_subcommand("workflow", "Workflow files");
    workflow->require_subcommand(1);
    auto* wf_check = workflow->add_subcommand("check", "Validate workflow files (no database needed)");
    std::vector<std::string> wf_files;
    wf_check->add_option("FILE", wf_files, "Workflow YAML files")->required();
    auto* wf_list = workflow->add_subcommand("list", "Categories with their workflow version and deadline");
    auto* wf_load =
        workflow->add_subcommand("load", "Load workflow files (a file or a directory) into the database");
    std::string wf_load_path;
    wf_load->add_option("PATH", wf_load_path, "A workflow file or a directory of them")->required();

    // case
    auto* kase = app.add_subcommand("case", "Cases");
    kase->require_subcommand(1);
    auto* open = kase->add_subcommand("open", "Log a report (a repeat of an open case attaches to it)");
    std::string o_category, o_address, o_summary, o_reporter, o_phone, o_channel, o_at;
    bool o_new = false;
    open->add_option("--category", o_category, "Category (see `workflow list`)")->required();
    open->add_option("--address", o_address, "Where the problem is")->required();
    open->add_option("--summary", o_summary, "What the problem is")->required();
    open->add_option("--reporter", o_reporter, "Who reported it");
    open->add_option("--phone", o_phone, "Reporter's phone");
    open->add_option("--channel", o_channel, "How it was reported (来电, 来访, 网格员 …)");
    open->add_option("--at", o_at, "When it was received (default: now)");
    open->add_flag("--new", o_new, "Open a new case even when an open case at the same address exists");

    auto* show = kase->add_subcommand("show", "One case with its history");
    std::string case_id;
    show->add_option("ID", case_id, "Case id")->required();

    auto* list = kase->add_subcommand("list", "Cases matching the filters, oldest first");
    std::string l_phase, l_category, l_department;
    bool l_overdue = false;
    list->add_option("--phase", l_phase, "intake, coordination, follow_up, closed, rejected or merged");
    list->add_option("--category", l_category, "Category");
    list->add_option("--department", l_department, "Department involved");
    list->add_flag("--overdue", l_overdue, "Only cases overdue today");

    auto* act = kase->add_subcommand("do", "Perform a workflow action on a case");
    std::string d_id, d_action, d_note, d_at;
    std::vector<std::string> d_departments, d_sets;
    act->add_option("ID", d_id, "Case id")->required();
    act->add_option("ACTION", d_action, "Action (dispatch, resolve, visit, …)")->required();
    act->add_option("--department", d_departments, "Department (repeatable)");
    act->add_option("--set", d_sets, "KEY=VALUE field (repeatable)");
    act->add_option("--note", d_note, "Note, reason or reply text");
    std::string d_into;
    act->add_option("--into", d_into, "merge: the case the reports join (并案)");
    act->add_option("--at", d_at, "When it happened (default: now; not before the case's latest event)");

    auto* hist = kase->add_subcommand("history", "The events of one case, oldest first");
    hist->add_option("ID", case_id, "Case id")->required();

    // audit
    auto* audit = app.add_subcommand("audit", "Supervisors' views");
    audit->require_subcommand(1);
    auto* verify = audit->add_subcommand("verify", "Check the integrity of the event log");
    auto* overdue =
        audit->add_subcommand("overdue", "Cases overdue at the end of a date, most overdue first");
    std::string as_of_text, audit_format = "table";
    overdue->add_option("--as-of", as_of_text, "The date (default: today)");
    overdue->add_option("--format", audit_format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    auto* due_soon = audit->add_subcommand("due-soon", "Open cases with few working days left");
    int within = 3;
    due_soon->add_option("--within", within, "Working days (default 3)")->check(CLI::Range(0, 1000));

    // calendar
    auto* calendar = app.add_subcommand("calendar", "The working-day calendar");
    calendar->require_subcommand(1);
    auto* cal_add = calendar->add_subcommand("add", "The date N working days after DATE");
    std::string cal_date;
    int cal_n = 0;
    cal_add->add_option("DATE", cal_date, "YYYY-MM-DD")->required();
    cal_add->add_option("N", cal_n, "Working days")->required()->check(CLI::Range(0, 100000));
    auto* cal_info = calendar->add_subcommand("info", "Whether DATE is a working day");
    cal_info->add_option("DATE", cal_date, "YYYY-MM-DD")->required();
    auto* cal_load = calendar->add_subcommand(
        "load", "Load holiday years from a YAML file (the year's notice replaces a provisional year)");
    std::string cal_file;
    cal_load->add_option("FILE", cal_file, "Calendar YAML")->required();
    auto* cal_provisional = calendar->add_subcommand(
        "provisional",
        "Make an uncovered year provisional: statutory holidays and 补假, no 调休 (supervisors)");
    int cal_year = 0;
    cal_provisional->add_option("YEAR", cal_year, "The year, e.g. 2027")
        ->required()
        ->check(CLI::Range(1900, 9999));
    auto* cal_list =
        calendar->add_subcommand("list", "The years the calendar covers, official or provisional");

    Commands commands;
    add_report_commands(app, commands);
    add_ledger_commands(app, commands);

    try {
        // Text from the command line must be UTF-8 without control characters (newlines allowed in notes).
        for (int i = 1; i < argc; ++i)
            require_text(argv[i], "argument " + std::to_string(i), true);
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp&) {
            out << app.help();
            return 0;
        } catch (const CLI::CallForAllHelp&) {
            out << app.help("", CLI::AppFormatMode::All);
            return 0;
        } catch (const CLI::ParseError& e) {
            std::string msg = e.what();
            std::replace(msg.begin(), msg.end(), '\n', ' ');
            throw usage_error(msg + " (see `minsheng --help`)");
        }

        // The environment is text from outside like argv, and is checked the same way before any of it can
        // reach a message.
        for (const char* name : {"MINSHENG_DB", "MINSHENG_ACTOR", "MINSHENG_TODAY"})
            require_text(env(name), name);
        if (ctx.db_path.empty()) ctx.db_path = env("MINSHENG_DB");
        if (ctx.db_path.empty()) ctx.db_path = "minsheng.db";
        const bool actor_from_env = ctx.actor.empty();
        if (actor_from_env) ctx.actor = env("MINSHENG_ACTOR");
        // Staff names are kept in NFC without invisible characters; the acting person is named the same way.
        if (!trim(ctx.actor).empty())
            ctx.actor = checked_name(ctx.actor, actor_from_env ? "MINSHENG_ACTOR" : "--as");
        ctx.now = shanghai_now();
        if (today_text.empty()) today_text = env("MINSHENG_TODAY");
        if (today_text.empty()) {
            ctx.today = parse_date(ctx.now.substr(0, 10));
            ctx.default_at = ctx.now;
            ctx.latest_at = latest_allowed_at(ctx.now, std::nullopt);
        } else {
            ctx.today = parse_date(today_text);
            ctx.default_at = format_date(ctx.today) + ctx.now.substr(10);
            ctx.latest_at = latest_allowed_at(ctx.now, ctx.today);
        }

        if (*init) {
            InitOptions o;
            o.workflows = init_workflows.empty() ? shipped_workflows() : read_workflow_dir(init_workflows);
            o.calendar = init_calendar.empty() ? shipped_calendar() : read_file(init_calendar);
            o.supervisor = init_supervisor.empty() ? ctx.actor : init_supervisor;
            Station::create(ctx.db_path, o, ctx.now);
            if (ctx.json)
                out << json{{"db", ctx.db_path},
                            {"supervisor", trim(o.supervisor)},
                            {"workflows", o.workflows.size()}}
                    << '\n';
            else
                out << "created " << ctx.db_path << " with " << o.workflows.size()
                    << " workflows; supervisor " << trim(o.supervisor) << '\n';
            return 0;
        }
        if (*wf_check) {
            int problems = 0;
            // Every file is read before any problem is printed, so a missing file is the one line of output.
            std::vector<SourceFile> sources;
            for (const auto& f : wf_files)
                sources.push_back(read_file(f));
            for (const auto& src : sources) {
                for (const auto& p : load_workflow(src.text, src.name).problems) {
                    err << p.to_string() << '\n';
                    ++problems;
                }
            }
            return problems ? static_cast<int>(ErrorKind::Refused) : 0;
        }
        if (*cal_add || *cal_info) {
            std::optional<Station> st;
            const Calendar cal = calendar_for(ctx, st);
            const Date d = parse_date(cal_date);
            if (*cal_add) {
                const Date r = cal.add_working_days(d, cal_n);
                const bool provisional = cal.any_provisional(d.year(), r.year());
                if (ctx.json)
                    out << json{{"date", format_date(d)},
                                {"n", cal_n},
                                {"result", format_date(r)},
                                {"provisional", provisional}}
                        << '\n';
                else
                    out << format_date(r) << (provisional ? "（暂定）" : "") << '\n';
            } else {
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
                    out << format_date(d) << " " << weekdays[d.day_of_week().as_number()] << " " << kind
                        << '\n';
                }
            }
            return 0;
        }

        for (auto& [sub, runner] : commands) {
            if (*sub) {
                runner(ctx);
                return 0;
            }
        }

        if (*serve) {
            server::ServeOptions so;
            so.db_path = ctx.db_path;
            server::parse_listen(serve_listen, so);
            so.behind_tls = serve_tls;
            so.session_idle_seconds = serve_idle;
            if (!today_text.empty()) so.today = ctx.today;
            return server::serve(so);
        }

        Station st(ctx.db_path);
        if (*staff_passwd) {
            const std::string password = read_password(passwd_stdin, err);
            set_password(st, ctx.actor, staff_name, password, ctx.now);
            if (ctx.json)
                out << json{{"name", trim(staff_name)}} << '\n';
            else
                out << "已为 " << trim(staff_name) << " 设置密码\n";
        } else if (*staff_add) {
            st.add_staff(ctx.actor, {staff_name, *role_from_name(staff_role), staff_department}, ctx.now);
            if (ctx.json)
                out << json{{"name", trim(staff_name)}, {"role", staff_role}} << '\n';
            else
                out << "added " << trim(staff_name) << " as " << staff_role << '\n';
        } else if (*wf_list) {
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
                Table t({"类别", "名称", "版本", "时限(工作日)", "说明"});
                for (const auto& w : wfs) {
                    std::string d = description(w);
                    std::replace(d.begin(), d.end(), '\n', ' ');  // one row per workflow
                    t.add(
                        {w.category, w.name, std::to_string(w.version), std::to_string(w.deadline_days), d});
                }
                t.print(out);
            }
        } else if (*wf_load) {
            std::error_code ec;
            const auto files = fs::is_directory(wf_load_path, ec) ? read_workflow_dir(wf_load_path)
                                                                  : std::vector{read_file(wf_load_path)};
            for (const auto& loaded : st.load_workflows(files, ctx.actor, ctx.now))
                out << "loaded " << loaded << '\n';
        } else if (*cal_load || *cal_provisional) {
            const CalendarChange ch =
                *cal_load ? st.load_calendar(read_file(cal_file), ctx.actor, ctx.default_at, ctx.now)
                          : st.make_provisional(cal_year, shipped_statutory_anchors(), ctx.actor,
                                                ctx.default_at, ctx.now);
            if (ctx.json) {
                out << json{{"years", ch.years},
                            {"provisional", static_cast<bool>(*cal_provisional)},
                            {"replaced_provisional", ch.replaced_provisional},
                            {"cases_changed", ch.cases_changed}}
                    << '\n';
            } else {
                for (int y : ch.years) {
                    const bool replaced =
                        std::find(ch.replaced_provisional.begin(), ch.replaced_provisional.end(), y) !=
                        ch.replaced_provisional.end();
                    out << (*cal_provisional ? "已设定 " : "已载入 ") << y << " 年"
                        << (*cal_provisional ? "暂定日历（法定节假日及补假，未含调休）"
                            : replaced       ? "放假安排，取代暂定日历"
                                             : "放假安排")
                        << '\n';
                }
                out << "办理期限或按时结论有变化的案件：" << ch.cases_changed << " 件"
                    << (ch.cases_changed ? "（各案历史中记有新旧期限）" : "") << '\n';
            }
        } else if (*cal_list) {
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
                    t.add({std::to_string(y.year), y.provisional ? "暂定（法定节假日）" : "国务院放假通知",
                           y.source, y.loaded_at});
                t.print(out);
            }
            warn_calendar(ctx, st.calendar());
        } else if (*open) {
            // Single-line fields: a line break here would not survive an export and re-import.
            for (const auto& [value, what] : {std::pair{&o_category, "--category"},
                                              {&o_address, "--address"},
                                              {&o_reporter, "--reporter"},
                                              {&o_phone, "--phone"},
                                              {&o_channel, "--channel"}})
                require_text(*value, what);
            ReportInput r{o_address,        o_summary,
                          trim(o_reporter), trim(o_phone),
                          trim(o_channel),  o_at.empty() ? ctx.default_at : normalize_timestamp(o_at),
                          ctx.latest_at};
            const OpenCaseResult res = st.open_case(o_category, r, o_new, ctx.actor, ctx.now);
            // The report is logged whatever the calendar says; an unknown deadline is said out loud, not
            // guessed.
            if (const CaseState c = st.get_case(res.id); !c.deadline)
                err << "minsheng: 提醒：案件 " << res.id << " 暂无办理期限：" << c.deadline_problem << '\n';
            else
                warn_calendar(ctx, st.calendar());
            if (!res.similar.empty()) {
                std::string ids;
                for (const auto& id : res.similar)
                    ids += (ids.empty() ? "" : "、") + id;
                err << "minsheng: 提醒：案件 " << res.id << " 附近或同址不同类别的案件：" << ids
                    << "；如为同一问题，可并案（case do 编号 merge --into 编号 --note 原因）\n";
            }
            if (ctx.json)
                out << json{{"id", res.id}, {"repeat", res.repeat}, {"similar", res.similar}} << '\n';
            else
                out << res.id << (res.repeat ? "  (重复反映：已并入未办结的同址案件)" : "") << '\n';
        } else if (*show) {
            const CaseState c = st.get_case(case_id);
            const Calendar& cal = st.calendar();
            const ClockView v = clock_at(c, ctx.today, cal);
            const auto h = st.history(case_id);
            const auto rounds = clock_rounds(c, cal);
            if (ctx.json) {
                json j = case_object(c, v, st.workflow_label(c), &h);
                j["rounds"] = rounds_json(rounds);
                out << j.dump(2) << '\n';
            } else {
                print_case_text(out, c, v, st.workflow_label(c), h, rounds);
            }
            // What is known was shown; what the calendar cannot tell is refused, naming the year (rule 6).
            out.flush();
            require_complete_clock(c, v);
        } else if (*hist) {
            const auto h = st.history(case_id);
            if (ctx.json) {
                json a = json::array();
                for (const auto& e : h)
                    a.push_back(event_object(e));
                out << a.dump(2) << '\n';
            } else {
                Table t({"#", "时间", "动作", "经办人", "内容"});
                for (const auto& e : h)
                    t.add({std::to_string(e.seq), e.at + recorded_late_note(e),
                           e.action + (e.revoked ? "（已撤销）" : ""), e.actor, e.data.dump()});
                t.print(out);
            }
        } else if (*list) {
            CaseFilter f;
            if (!l_phase.empty()) {
                f.phase = phase_from_name(l_phase);
                if (!f.phase)
                    throw usage_error("unknown phase '" + l_phase +
                                      "': use intake, coordination, follow_up, closed, rejected or merged");
            }
            if (!l_category.empty()) f.category = l_category;
            if (!l_department.empty()) f.department = l_department;
            f.overdue_only = l_overdue;
            if (ctx.json) {
                // Streamed: one object at a time, however many cases there are; nothing is printed before the
                // first one (a refusal comes before it).
                bool first = true;
                st.list_cases(f, ctx.today, [&](const CaseState& c, const ClockView& v) {
                    out << (first ? "[\n" : ",\n") << case_object(c, v, st.workflow_label(c), nullptr).dump();
                    first = false;
                });
                out << (first ? "[]\n" : "\n]\n");
            } else {
                print_case_list(out, st, f, ctx.today);
            }
        } else if (*act) {
            ActionRequest r;
            r.action = d_action;
            for (const auto& d : d_departments) {
                require_text(d, "--department");
                r.departments.push_back(trim(d));
            }
            for (const auto& s : d_sets)
                r.sets.push_back(split_set(s));
            r.note = d_note;
            r.into = trim(d_into);
            r.at = d_at.empty() ? "" : normalize_timestamp(d_at);
            r.actor = ctx.actor;
            r.latest_at = ctx.latest_at;
            const Event e = st.do_action(d_id, r, ctx.default_at, ctx.now);
            const CaseState c = st.get_case(d_id);
            if (ctx.json) {
                out << case_object(c, clock_at(c, ctx.today, st.calendar()), st.workflow_label(c), nullptr)
                           .dump(2)
                    << '\n';
            } else {
                out << c.id << " " << e.action << " → " << phase_name(c.phase) << " / "
                    << st.workflow_label(c) << (c.suspended ? "（挂起）" : "") << '\n';
            }
        } else if (*verify) {
            const VerifyResult r = st.verify();
            if (ctx.json)
                out << json{{"ok", r.ok}, {"events", r.events}, {"cases", r.cases}, {"problem", r.problem}}
                    << '\n';
            if (!r.ok) throw storage_error("audit verify: " + r.problem);
            if (!ctx.json) out << "intact: " << r.events << " events, " << r.cases << " cases\n";
        } else if (*overdue) {
            const Date as_of = as_of_text.empty() ? ctx.today : parse_date(as_of_text);
            const std::string format = ctx.json ? "json" : audit_format;
            // Streamed in the audit's order: nothing of a case is kept once its row is written.
            auto departments = [](const CaseState& c, const char* sep) {
                std::string deps;
                for (const auto& d : c.departments())
                    deps += (deps.empty() ? "" : sep) + d;
                return deps;
            };
            if (format == "json") {
                bool first = true;
                st.overdue_as_of(
                    as_of, [&](std::size_t) { out << "["; },
                    [&](const CaseState& c, const ClockView& v) {
                        out << (first ? "\n" : ",\n")
                            << indented(case_object(c, v, st.workflow_label(c), nullptr), 2);
                        first = false;
                    });
                out << (first ? "]\n" : "\n]\n");
            } else if (format == "csv") {
                st.overdue_as_of(
                    as_of,
                    [&](std::size_t) {
                        csv_row(out, {"id", "category", "phase", "address", "received_at", "deadline",
                                      "working_days_overdue", "escalation_level", "departments"});
                    },
                    [&](const CaseState& c, const ClockView& v) {
                        csv_row(out, {c.id, c.category, std::string(phase_name(c.phase)), c.address,
                                      c.received_at, deadline_text(v), std::to_string(v.working_days_overdue),
                                      std::to_string(c.escalation_level), departments(c, ";")});
                    });
            } else {
                // The table's widths from a first pass that keeps no row, as `case list` does.
                TableLayout t({"编号", "类别", "地址", "受理", "期限", "超期(工作日)", "督办", "部门"});
                std::vector<std::string> row;
                auto fill = [&](const CaseState& c, const ClockView& v) {
                    row = {c.id,
                           c.category,
                           c.address,
                           c.received_at.substr(0, 10),
                           deadline_text(v),
                           std::to_string(v.working_days_overdue),
                           std::string(escalation_name(c.escalation_level)),
                           departments(c, "、")};
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
                    if (n == 0) return;
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
        } else if (*due_soon) {
            if (ctx.json) {
                bool first = true;
                st.due_soon(ctx.today, within, [&](const CaseState& c, const ClockView& v) {
                    out << (first ? "[\n" : ",\n")
                        << indented(case_object(c, v, st.workflow_label(c), nullptr), 2);
                    first = false;
                });
                out << (first ? "[]\n" : "\n]\n");
            } else {
                TableLayout t({"编号", "类别", "地址", "期限", "剩余(工作日)", "部门"});
                std::vector<std::string> row;
                auto fill = [&](const CaseState& c, const ClockView& v) {
                    std::string deps;
                    for (const auto& d : c.departments())
                        deps += (deps.empty() ? "" : "、") + d;
                    row = {c.id, c.category, c.address, deadline_text(v), std::to_string(v.working_days_left),
                           deps};
                };
                st.snapshot([&] {
                    st.due_soon(ctx.today, within, [&](const CaseState& c, const ClockView& v) {
                        fill(c, v);
                        t.measure(row);
                    });
                    t.print_header(out);
                    st.due_soon(ctx.today, within, [&](const CaseState& c, const ClockView& v) {
                        fill(c, v);
                        t.print_row(out, row);
                    });
                });
            }
            warn_calendar(ctx, st.calendar());  // after the answer: a refusal above says it already
        }
        return 0;
    } catch (const Error& e) {
        std::string msg = e.what();
        std::replace(msg.begin(), msg.end(), '\n', ' ');
        err << "minsheng: " << msg << '\n';
        return e.exit_code();
    } catch (const std::exception& e) {
        err << "minsheng: internal error: " << e.what() << '\n';
        return static_cast<int>(ErrorKind::Storage);
    }
}

}  // namespace minsheng::cli
