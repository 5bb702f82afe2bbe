#include "cli/out_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "engine/error.h"

namespace minsheng::cli {

namespace {

namespace fs = std::filesystem;

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

std::string write_failure(const std::string& path, int err) {
    if (err == ENOSPC || err == EDQUOT)
        return "无法写入 " + path + "：磁盘已满（" + std::strerror(err) + "）";
    return "无法写入 " + path + "：" + std::strerror(err);
}

}  // namespace

OutFile::OutFile(std::string path) : path_(std::move(path)) {
    if (const std::string what = not_a_regular_file(path_); !what.empty())
        throw usage_error("--out " + path_ + " 是" + what +
                          "，不是普通文件：--out 只写普通文件，请换一个文件名");
    const fs::path p(path_);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::random_device rd;
    // O_EXCL refuses any name that exists, a symbolic link planted there included.
    for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%08x%04x.tmp", static_cast<unsigned>(rd()),
                      static_cast<unsigned>(attempt));
        tmp_ = (dir / ("." + p.filename().string() + suffix)).string();
        fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd_ < 0 && errno != EEXIST) break;
    }
    if (fd_ < 0) throw storage_error(write_failure(path_, errno));
    buf_ = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(fd_, std::ios::out, 1 << 16);
    stream_ = std::make_unique<std::ostream>(buf_.get());
}

OutFile::~OutFile() {
    if (committed_) return;
    stream_.reset();
    buf_.reset();  // closes fd_
    ::unlink(tmp_.c_str());
}

void OutFile::commit() {
    stream_->flush();
    const bool ok = static_cast<bool>(*stream_);
    const int err = ok ? 0 : (errno ? errno : EIO);
    auto fail = [&](int e) { return storage_error(write_failure(path_, e)); };
    if (!ok) throw fail(err);
    // A writer that wrote to temp_path() by name replaced nothing: the fd still names the same file.
    if (::fsync(fd_) != 0) throw fail(errno);
    stream_.reset();
    if (buf_->close() == nullptr) {
        buf_.reset();
        throw fail(errno ? errno : EIO);
    }
    buf_.reset();
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
        const int e = errno;
        if (e == EISDIR) throw usage_error("--out " + path_ + " 是文件夹，不是普通文件：--out 只写普通文件");
        throw fail(e);
    }
    committed_ = true;
}

}  // namespace minsheng::cli
