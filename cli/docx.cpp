#include "cli/docx.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "engine/error.h"

extern char** environ;

namespace minsheng::cli {

extern const unsigned char kReferenceDocx[];
extern const std::size_t kReferenceDocx_size;

namespace {

namespace fs = std::filesystem;

const char* const kMissing =
    "生成 Word 文件（--format docx）需要 pandoc：请安装 Debian 软件包 pandoc（apt-get install pandoc）";

// The converter to run: $MINSHENG_PANDOC, else `pandoc` on PATH; "" when there is none.
std::string find_pandoc() {
    if (const char* given = std::getenv("MINSHENG_PANDOC"); given && *given)
        return ::access(given, X_OK) == 0 ? given : "";
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/pandoc";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

void write_bytes(const fs::path& p, const char* data, std::size_t size) {
    std::ofstream out(p, std::ios::binary);
    out.write(data, static_cast<std::streamsize>(size));
    if (!out) throw storage_error("无法写入临时文件 " + p.string() + "：" + std::strerror(errno));
}

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A scratch folder removed with everything in it.
struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string t = (fs::temp_directory_path() / "minsheng-docx-XXXXXX").string();
        if (!::mkdtemp(t.data()))
            throw storage_error(std::string("无法建立临时文件夹：") + std::strerror(errno));
        path = t;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace

std::string markdown_to_docx(const std::string& markdown) {
    const std::string pandoc = find_pandoc();
    if (pandoc.empty()) throw storage_error(kMissing);
    ScratchDir dir;
    const fs::path reference = dir.path / "reference.docx";
    const fs::path input = dir.path / "report.md";
    const fs::path output = dir.path / "report.docx";
    const fs::path errors = dir.path / "pandoc.err";
    write_bytes(reference, reinterpret_cast<const char*>(kReferenceDocx), kReferenceDocx_size);
    write_bytes(input, markdown.data(), markdown.size());

    std::vector<std::string> args = {pandoc,
                                     "--from=markdown-smart",
                                     "--to=docx",
                                     "--shift-heading-level-by=-1",  // the report's # heading is the title
                                     "--reference-doc=" + reference.string(),
                                     "--output=" + output.string(),
                                     input.string()};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, pandoc.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT || rc == EACCES) throw storage_error(kMissing);
    if (rc != 0) throw storage_error(std::string("无法启动 pandoc：") + std::strerror(rc));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw storage_error(std::string("等待 pandoc 时出错：") + std::strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string why = read_bytes(errors);
        why = why.substr(0, why.find('\n'));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127) throw storage_error(kMissing);
        throw storage_error("pandoc 未能生成 Word 文件" + (why.empty() ? std::string() : "：" + why));
    }
    std::string docx = read_bytes(output);
    if (docx.empty()) throw storage_error("pandoc 没有生成 Word 文件");
    return docx;
}

}  // namespace minsheng::cli
