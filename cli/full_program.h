// The two parts of minsheng that need large shared libraries: the web server (`serve`: cpp-httplib, which
// loads OpenSSL and brotli) and the xlsx ledger (`export --format xlsx`: libxlsxwriter, with minizip and
// zlib). Every command is a new process, so a library linked into the program is mapped and relocated at the
// start of every `case show`; these two doubled it (bench/RESULTS.md, "Start-up"). So the program is built
// twice: the full program (cli/main_full.cpp) links them, and `minsheng` — the one file that is installed —
// links neither and carries the full program inside it; a command that needs one of these parts becomes the
// full program (cli/exec_full.cpp), with the same arguments, before it has done anything else.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace minsheng::cli {

struct Context;

// Rows of the ledger written as they come (the xlsx file; export streams).
class LedgerSink {
public:
    virtual ~LedgerSink() = default;
    virtual void add(const std::vector<std::string>& cells) = 0;
    virtual void close() = 0;  // finishes the file; a sink destroyed unclosed leaves nothing of use
};

// `serve`'s options as the command line gives them.
struct ServeCommand {
    std::string listen = "127.0.0.1:8311";
    bool behind_tls = false;
    std::int64_t idle_seconds = 7200;
};

struct FullProgram {
    std::unique_ptr<LedgerSink> (*open_xlsx_ledger)(const std::string& file);
    int (*serve)(const Context& ctx, const ServeCommand& command);  // the exit code
};

// The parts, in a program that links them (cli/full_program.cpp, library minsheng_cli_full).
const FullProgram& full_program();

// In `minsheng`: runs the full program it carries with these arguments in place of this process; returns
// only to throw a storage error saying why it could not.
[[noreturn]] void exec_full_program(char** argv);

// What a command that needs one of the parts calls first, before any work: the parts when linked in, or
// else the process becomes the full program (ctx.exec_full), which runs the same command from the start.
const FullProgram& require_full_program(const Context& ctx);

}  // namespace minsheng::cli
