// `minsheng` becoming the full program it carries (cli/full_program.h): the full program's bytes, put in by
// the assembler's .incbin (cli/CMakeLists.txt generates the source that does it), are copied to an anonymous
// memory file and executed from there with this process's arguments and environment, so `minsheng` stays one
// file. It costs about 10 ms (a copy of the full program), paid only by `serve` and `export --format xlsx`.
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "cli/full_program.h"
#include "engine/error.h"

extern "C" const char minsheng_full_program[];
extern "C" const char minsheng_full_program_end[];
extern char** environ;

namespace minsheng::cli {

namespace {

[[noreturn]] void fail(const char* what) {
    throw storage_error(std::string("无法启动 minsheng 的网页服务和 xlsx 部分（") + what + "：" +
                        std::strerror(errno) + "）；请检查系统是否允许执行内存文件（memfd）");
}

}  // namespace

void exec_full_program(char** argv) {
    // Close-on-exec: the memory file goes away with the exec, which has mapped what it needs by then.
    const int fd = ::memfd_create("minsheng", MFD_CLOEXEC);
    if (fd < 0) fail("memfd_create");
    const char* p = minsheng_full_program;
    while (p < minsheng_full_program_end) {
        const ssize_t n = ::write(fd, p, static_cast<std::size_t>(minsheng_full_program_end - p));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            errno = e;
            fail("write");
        }
        p += n;
    }
    ::fexecve(fd, argv, environ);
    const int e = errno;
    ::close(fd);
    errno = e;
    fail("fexecve");
}

}  // namespace minsheng::cli
