// The full program: minsheng with the web server and the xlsx writer linked in (cli/full_program.h). It is
// not installed on its own: `minsheng` carries it and becomes it when a command needs those parts.
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
    using namespace minsheng::cli;
    return run(argc, argv, std::cout, std::cerr, Parts{&full_program(), nullptr});
}
