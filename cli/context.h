// What every command module shares: the global options as resolved, and the way a module registers its
// subcommands so app.cpp runs the one that was parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/full_program.h"
#include "engine/calendar.h"
#include "usecases/station.h"

namespace minsheng::cli {

struct Context {
    std::string db_path;
    std::string actor;
    Date today;
    bool today_given = false;  // --today or MINSHENG_TODAY fixed it (the server keeps it for every request)
    std::string now;           // wall clock (Asia/Shanghai), recorded with each event
    std::string default_at;    // "now" as seen from --today
    std::string latest_at;     // the latest --at allowed: now, or the end of the --today date
    bool json = false;
    int exit_code = 0;  // a command that reports problems without throwing (workflow check) sets it
    std::ostream* out = nullptr;
    std::ostream* err = nullptr;
    char** argv = nullptr;
    // The server and the xlsx writer (cli/full_program.h): linked in, or how to become the program that has
    // them. One of the two is set.
    const FullProgram* full = nullptr;
    void (*exec_full)(char** argv) = nullptr;
};

// A parsed subcommand and what runs it.
using Commands = std::vector<std::pair<CLI::App*, std::function<void(Context&)>>>;

// Modules beside app.cpp. Each adds its subcommands to `app` and its runners to `commands`.
void add_station_commands(CLI::App& app, Commands& commands);   // init, staff add, workflow …
void add_case_commands(CLI::App& app, Commands& commands);      // case open|show|list|do|history
void add_audit_commands(CLI::App& app, Commands& commands);     // audit verify|overdue|due-soon
void add_calendar_commands(CLI::App& app, Commands& commands);  // calendar add|info|load|provisional|list
void add_report_commands(CLI::App& app, Commands& commands);    // report typical|annual
void add_ledger_commands(CLI::App& app, Commands& commands);    // import, export
void add_serve_commands(CLI::App& app, CLI::App& staff, Commands& commands);  // serve, staff passwd

// The printable case sheet (cli/cmd_paper.cpp): `case show ID --format html [--out FILE]`.
void write_case_sheet(const Context& ctx, Station& st, const std::string& id, const std::string& out_path);

// The year-boundary warning (SPEC Part 2): one line on stderr when the next year's notice is due.
void warn_calendar(const Context& ctx, const Calendar& cal);

// Reads a whole file; NotFound when missing.
SourceFile read_file(const std::string& path);
// Refuses a path that names no file (exit 5) or a folder (exit 2): "X 是文件夹，不是" + kind ("文件", " CSV
// 文件").
void require_input_file(const std::string& path, const std::string& kind);
// Writes `text` to `path` as a regular file (SPEC "Paper"): Usage error (exit 2) when a symbolic link,
// device, FIFO, socket or folder is there; else through a new temporary file beside it
// (O_CREAT|O_EXCL|O_NOFOLLOW, written, fsynced) renamed over `path`. Storage error (exit 1) on any write
// failure, the disk full included, with the temporary file removed.
void write_file(const std::string& path, const std::string& text);

}  // namespace minsheng::cli
