// Files the commands read and write: whole input files, and --out written safely (SPEC "Paper").

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/context.h"
#include "cli/out_file.h"
#include "engine/error.h"

namespace minsheng::cli {

namespace fs = std::filesystem;

void require_input_file(const std::string& path, const std::string& kind) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw not_found("找不到文件：" + path);
    if (fs::is_directory(path, ec)) throw usage_error(path + " 是文件夹，不是" + kind);
}

SourceFile read_file(const std::string& path) {
    require_input_file(path, "文件");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw not_found("无法读取 " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return {path, ss.str()};
}

void write_file(const std::string& path, const std::string& text) {
    // One way to write --out (cli/out_file.h): the refusals, the temporary file and the rename are its.
    OutFile out(path);
    out.stream() << text;
    out.commit();
}

}  // namespace minsheng::cli
