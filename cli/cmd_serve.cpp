// serve, staff passwd (SPEC Part 2 "The web workspace and its API"): the web server over the same station,
// and the passwords its sign-in checks.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/context.h"
#include "cli/full_program.h"
#include "engine/error.h"
#include "engine/text.h"
#include "usecases/signin.h"
#include "usecases/texts.h"

namespace minsheng::cli {

namespace {

using nlohmann::json;

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

struct ServeOptions {
    ServeCommand serve;
    std::string passwd_name;
    bool passwd_stdin = false;
};

}  // namespace

void add_serve_commands(CLI::App& app, CLI::App& staff, Commands& commands) {
    using texts::help;
    auto o = std::make_shared<ServeOptions>();
    auto* passwd = staff.add_subcommand("passwd", help("staff.passwd"));
    passwd->add_option("NAME", o->passwd_name, help("staff.passwd.NAME"))->required();
    passwd->add_flag("--password-stdin", o->passwd_stdin, help("staff.passwd.--password-stdin"));
    commands.emplace_back(passwd, [o](Context& ctx) {
        Station st(ctx.db_path);
        const std::string password = read_password(o->passwd_stdin, *ctx.err);
        set_password(st, ctx.actor, o->passwd_name, password, ctx.now);
        if (ctx.json)
            *ctx.out << json{{"name", trim(o->passwd_name)}} << '\n';
        else
            *ctx.out << "已为 " << trim(o->passwd_name) << " 设置密码\n";
    });

    auto* serve = app.add_subcommand("serve", help("serve"));
    serve->add_option("--listen", o->serve.listen, help("serve.--listen"));
    serve->add_flag("--behind-tls", o->serve.behind_tls, help("serve.--behind-tls"));
    serve->add_option("--session-idle", o->serve.idle_seconds, help("serve.--session-idle"))
        ->check(CLI::Range(10, 7 * 24 * 3600));
    commands.emplace_back(
        serve, [o](Context& ctx) { ctx.exit_code = require_full_program(ctx).serve(ctx, o->serve); });
}

}  // namespace minsheng::cli
