// The command line: parses argv, runs one command, and turns failures into SPEC.md's exit codes.
#pragma once

#include <ostream>

#include "cli/full_program.h"

namespace minsheng::cli {

// How a run reaches the server and the xlsx writer (cli/full_program.h): the parts themselves, linked into
// this program, or a function that replaces the process with the full program. One of the two.
struct Parts {
    const FullProgram* full = nullptr;
    void (*exec_full)(char** argv) = nullptr;
};

// The one place where failures become exit codes. Output goes to `out`, the one-line error to `err`.
int run(int argc, char** argv, std::ostream& out, std::ostream& err, Parts parts);

}  // namespace minsheng::cli
