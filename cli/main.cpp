// minsheng: case tracking for a community livelihood work station (民生工作站).
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
    using namespace minsheng::cli;
    return run(argc, argv, std::cout, std::cerr, Parts{nullptr, &exec_full_program});
}
