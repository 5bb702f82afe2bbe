// Files the commands read and write: whole input files, and --out written safely (SPEC "Paper").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "cli/context.h"
#include "engine/error.h"

namespace minsheng::cli {

namespace fs = std::filesystem;

SourceFile read_file(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw not_found("no such file: " + path);
    if (fs::is_directory(path, ec)) throw usage_error(path + " is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw not_found("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return {path, ss.str()};
}

namespace {

// What lies at `path` when it is not a regular file, in words for the refusal; "" when it is one or is
// absent.
std::string not_a_regular_file(const std::string& path) {
    struct stat sb {};
    if (::lstat(path.c_str(), &sb) != 0) return "";
    if (S_ISREG(sb.st_mode)) return "";
    if (S_ISLNK(sb.st_mode)) return "符号链接";
    if (S_ISDIR(sb.st_mode)) return "文件夹";
    if (S_ISFIFO(sb.st_mode)) return "管道（FIFO）";
    if (S_ISSOCK(sb.st_mode)) return "套接字";
    if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode)) return "设备";
    return "特殊文件";
}

// A new file beside `path` that nobody else can have prepared: O_EXCL refuses any name that exists (a
// symbolic link planted there included, which O_NOFOLLOW refuses too). Returns its fd and sets `tmp`.
int create_temp_beside(const std::string& path, std::string& tmp) {
    const fs::path p(path);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%08x%04x.tmp", static_cast<unsigned>(rd()),
                      static_cast<unsigned>(attempt));
        tmp = (dir / ("." + p.filename().string() + suffix)).string();
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) return fd;
        if (errno != EEXIST) return -1;
    }
    errno = EEXIST;
    return -1;
}

std::string write_failure(const std::string& path, int err) {
    if (err == ENOSPC || err == EDQUOT)
        return "无法写入 " + path + "：磁盘已满（" + std::strerror(err) + "）";
    return "无法写入 " + path + "：" + std::strerror(err);
}

}  // namespace

void write_file(const std::string& path, const std::string& text) {
    // SPEC "Paper": --out writes a regular file, never through a link, over a device, a FIFO or a folder.
    if (const std::string what = not_a_regular_file(path); !what.empty())
        throw usage_error("--out " + path + " 是" + what +
                          "，不是普通文件：--out 只写普通文件，请换一个文件名");
    std::string tmp;
    const int fd = create_temp_beside(path, tmp);
    if (fd < 0) throw storage_error(write_failure(path, errno));
    auto fail = [&](int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return storage_error(write_failure(path, err));
    };
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw fail(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) throw fail(errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw storage_error(write_failure(path, err));
    }
    // rename replaces whatever name is at `path` itself, never what a link there would point to.
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        if (err == EISDIR) throw usage_error("--out " + path + " 是文件夹，不是普通文件：--out 只写普通文件");
        throw storage_error(write_failure(path, err));
    }
}

}  // namespace minsheng::cli
