// The command line: parses argv, runs one command, and turns failures into SPEC.md's exit codes.
#pragma once

#include <ostream>

namespace minsheng::cli {

// The one place where failures become exit codes. Output goes to `out`, the one-line error to `err`.
int run(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace minsheng::cli
