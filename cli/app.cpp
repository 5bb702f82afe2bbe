// The command tree (CLI11) and the one place where failures become exit codes (SPEC.md "Command line").
// The commands themselves live in the cmd_*.cpp modules beside this file; they only parse, call the
// application layer, and print: no business rule lives here.
#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <ctime>

#include "cli/context.h"
#include "engine/error.h"
#include "engine/text.h"
#include "usecases/texts.h"

namespace minsheng::cli {

using nlohmann::json;

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

// CLI11's parse errors in the station's language, by their type: one line saying what was wrong and what to
// do. CLI11 words its messages in English; the parts that name the user's own input are kept.
std::string parse_error_text(const CLI::ParseError& e) {
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    auto after = [&](const std::string& prefix) {
        const auto at = msg.find(prefix);
        return at == std::string::npos ? std::string() : trim(msg.substr(at + prefix.size()));
    };
    auto before = [&](const std::string& suffix) {
        const auto at = msg.find(suffix);
        return at == std::string::npos ? msg : trim(msg.substr(0, at));
    };
    if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
        std::string extra = after("expected:");
        return "多余的参数：" + extra + "（命令名写错了，还是含空格的文字忘了加引号？）";
    }
    if (dynamic_cast<const CLI::RequiredError*>(&e)) {
        if (msg.find("subcommand") != std::string::npos) return "缺少命令：请在后面写出要做的事";
        return "缺少必填的 " + before(" is required");
    }
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) return before(":") + " 后面缺少它的值";
    if (dynamic_cast<const CLI::ConversionError*>(&e)) return "值写得不对：" + after("convert:");
    if (dynamic_cast<const CLI::ValidationError*>(&e)) {
        const std::string option = before(":");
        std::string detail = after(":");
        // CLI::Range: "Value 5000 not in range 0 to 1000".
        if (const auto range = detail.find(" not in range ");
            detail.rfind("Value ", 0) == 0 && range != std::string::npos) {
            const std::string bounds = detail.substr(range + 14);
            const auto to = bounds.find(" to ");
            return option + " 的值 " + detail.substr(6, range - 6) + " 超出范围：应在 " +
                   bounds.substr(0, to) + " 到 " +
                   (to == std::string::npos ? std::string() : bounds.substr(to + 4)) + " 之间";
        }
        if (detail.find(" not in ") != std::string::npos) {
            const auto at = detail.find(" not in ");
            return option + " 的值「" + detail.substr(0, at) + "」不可用；可用的有：" + detail.substr(at + 8);
        }
        return option + " 的值不可用：" + detail;
    }
    return "命令行有误：" + msg;
}

// CLI11's help screen with the station's labels (用法, 选项, 命令 …), its columns aligned by display width
// (CLI11 counts bytes, which puts a Chinese name's description out of line).
class ChineseFormatter : public CLI::Formatter {
public:
    ChineseFormatter() {
        for (const auto& [theirs, ours] : texts::help_labels())
            label(std::string(theirs), std::string(ours));
        column_width(kWidth);
    }
    std::string make_option(const CLI::Option* opt, bool is_positional) const override {
        return line(make_option_name(opt, is_positional) + chinese_opts(make_option_opts(opt)),
                    make_option_desc(opt));
    }
    std::string make_subcommand(const CLI::App* sub) const override {
        return line(sub->get_display_name(true), sub->get_description());
    }

private:
    static constexpr int kWidth = 30;
    // A checked option's type as CLI11 writes it, "INT:INT in [0 - 1000]" or "TEXT:{md,html}", in the
    // station's words: 整数:0 到 1000, 文字:{md,html}.
    static std::string chinese_opts(std::string s) {
        for (std::size_t in = s.find(" in ["); in != std::string::npos; in = s.find(" in [", in)) {
            const std::size_t close = s.find(']', in);
            if (close == std::string::npos) break;
            const std::size_t from = s.find_last_of(": ", in - 1) + 1;  // npos + 1 == 0
            std::string bounds = s.substr(in + 5, close - in - 5);
            if (const std::size_t dash = bounds.find(" - "); dash != std::string::npos)
                bounds.replace(dash, 3, " 到 ");
            s.replace(from, close + 1 - from, bounds);
            in = from + bounds.size();
        }
        for (const auto& [theirs, ours] : texts::help_labels()) {
            if (theirs != "INT" && theirs != "UINT" && theirs != "TEXT" && theirs != "FLOAT") continue;
            for (std::size_t at = s.find(theirs); at != std::string::npos; at = s.find(theirs, at)) {
                const std::size_t after = at + theirs.size();
                const bool whole = (at == 0 || s[at - 1] == ' ' || s[at - 1] == ':') &&
                                   (after == s.size() || s[after] == ' ' || s[after] == ':');
                if (whole) s.replace(at, theirs.size(), ours);
                at += whole ? ours.size() : theirs.size();
            }
        }
        return s;
    }
    static std::string line(const std::string& name, const std::string& description) {
        const std::string left = "  " + name;
        std::string out = display_width(left) >= kWidth ? left + "\n" + std::string(kWidth, ' ')
                                                        : pad_to_width(left, kWidth);
        return out + description + "\n";
    }
};

// The first word after the global options and their values: the command (case, audit, import, …) when there
// is one. "" when a help flag or anything else comes first, or nothing does.
std::string_view first_word(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--db" || a == "--as" || a == "--today") {
            ++i;  // its value, whatever it says
            continue;
        }
        if (a == "--json" || a.starts_with("--db=") || a.starts_with("--as=") || a.starts_with("--today="))
            continue;
        return a.starts_with("-") ? "" : a;
    }
    return "";
}

// Each group of commands, with the top-level words that need it.
struct CommandGroup {
    std::vector<std::string_view> words;
    void (*add)(CLI::App&, Commands&);
};

const std::vector<CommandGroup>& command_groups() {
    static const std::vector<CommandGroup> groups = {
        {{"init", "staff", "workflow", "serve"}, add_station_commands},
        {{"case"}, add_case_commands},
        {{"audit"}, add_audit_commands},
        {{"calendar"}, add_calendar_commands},
        {{"report"}, add_report_commands},
        {{"import", "export"}, add_ledger_commands},
        // `staff passwd` and `serve`, beside the station group's `staff`.
        {{"staff", "serve"},
         [](CLI::App& app, Commands& c) { add_serve_commands(app, *app.get_subcommand("staff"), c); }},
    };
    return groups;
}

// Every help flag in the same group as the options (CLI11 makes them before the group is set).
void group_help_flags(CLI::App& app, const std::string& group) {
    if (auto* h = app.get_help_ptr()) h->group(group);
    if (const auto* h = app.get_help_all_ptr())
        const_cast<CLI::Option*>(h)->group(group);  // CLI11 2.1 has no mutable getter
    for (auto* sub : app.get_subcommands({})) {
        sub->group(std::string(texts::help_labels()[2].second));  // 命令
        group_help_flags(*sub, group);
    }
}

}  // namespace

const FullProgram& require_full_program(const Context& ctx) {
    if (ctx.full) return *ctx.full;
    if (ctx.exec_full) {
        ctx.out->flush();
        ctx.err->flush();
        ctx.exec_full(ctx.argv);  // returns only by throwing
    }
    throw storage_error("这个程序没有网页服务和 xlsx 部分：请用随 minsheng 构建的完整程序");
}

int run(int argc, char** argv, std::ostream& out, std::ostream& err, Parts parts) {
    using texts::help;
    CLI::App app{help("app"), "minsheng"};
    app.formatter(std::make_shared<ChineseFormatter>());
    app.option_defaults()->group(std::string(texts::help_labels()[1].second));  // 选项
    app.set_help_flag("-h,--help", help("global.--help"));
    app.set_help_all_flag("--help-all", help("global.--help-all"));
    app.require_subcommand(1);

    Context ctx;
    ctx.out = &out;
    ctx.err = &err;
    ctx.argv = argv;
    ctx.full = parts.full;
    ctx.exec_full = parts.exec_full;
    std::string today_text;
    app.add_option("--db", ctx.db_path, help("global.--db"));
    app.add_option("--as", ctx.actor, help("global.--as"));
    app.add_option("--today", today_text, help("global.--today"));
    app.add_flag("--json", ctx.json, help("global.--json"));

    // Only the named command's groups are built when argv names one (CLI11's whole tree of every command and
    // option is about a million instructions, 14% of a `case open`); otherwise — help, no command, anything
    // unexpected — every group, and CLI11 parses and words its errors as it always did.
    const std::string_view word = first_word(argc, argv);
    auto names = [&word](const CommandGroup& g) {
        return std::find(g.words.begin(), g.words.end(), word) != g.words.end();
    };
    const bool named = std::any_of(command_groups().begin(), command_groups().end(), names);
    Commands commands;
    for (const CommandGroup& g : command_groups())
        if (!named || names(g)) g.add(app, commands);
    group_help_flags(app, std::string(texts::help_labels()[1].second));

    try {
        // Text from the command line must be UTF-8 without control characters (newlines allowed in notes).
        for (int i = 1; i < argc; ++i)
            require_text(argv[i], "第 " + std::to_string(i) + " 个参数", true);
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp&) {
            out << app.help();
            return 0;
        } catch (const CLI::CallForAllHelp&) {
            out << app.help("", CLI::AppFormatMode::All);
            return 0;
        } catch (const CLI::ParseError& e) {
            throw usage_error(parse_error_text(e) + "（用法见 minsheng --help）");
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
            ctx.today_given = true;
            ctx.default_at = format_date(ctx.today) + ctx.now.substr(10);
            ctx.latest_at = latest_allowed_at(ctx.now, ctx.today);
        }
        for (auto& [sub, runner] : commands) {
            if (*sub) {
                runner(ctx);
                return ctx.exit_code;
            }
        }
        return 0;
    } catch (const Error& e) {
        std::string msg = e.what();
        std::replace(msg.begin(), msg.end(), '\n', ' ');
        err << "minsheng: " << msg << '\n';
        return e.exit_code();
    } catch (const Busy& e) {
        err << "minsheng: " << e.what() << '\n';
        return static_cast<int>(ErrorKind::Storage);
    } catch (const std::exception& e) {
        err << "minsheng: 内部错误：" << e.what() << '\n';
        return static_cast<int>(ErrorKind::Storage);
    }
}

}  // namespace minsheng::cli
