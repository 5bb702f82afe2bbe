// minsheng: case tracking for a community livelihood work station (民生工作站).
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
    return minsheng::cli::run(argc, argv, std::cout, std::cerr);
}
