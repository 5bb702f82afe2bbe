// `--out FILE` as a stream (SPEC "Paper"): the file is written through a new temporary file beside it and
// renamed over FILE only when everything was written, so a reader never sees half a file and a failure leaves
// FILE as it was. Refused (usage error, exit 2) when a symbolic link, device, FIFO, socket or folder is at
// FILE; a write failure, the disk full included, is a storage error (exit 1) with the temporary file removed.
#pragma once

#include <ext/stdio_filebuf.h>

#include <memory>
#include <ostream>
#include <string>

namespace minsheng::cli {

class OutFile {
public:
    explicit OutFile(std::string path);
    ~OutFile();  // removes the temporary file unless committed
    OutFile(const OutFile&) = delete;
    OutFile& operator=(const OutFile&) = delete;

    std::ostream& stream() { return *stream_; }
    // Where a writer that wants a file name (libxlsxwriter) writes instead of stream().
    const std::string& temp_path() const { return tmp_; }
    // Flushes, fsyncs and renames the temporary file over the path.
    void commit();

private:
    std::string path_;
    std::string tmp_;
    int fd_ = -1;
    std::unique_ptr<__gnu_cxx::stdio_filebuf<char>> buf_;
    std::unique_ptr<std::ostream> stream_;
    bool committed_ = false;
};

}  // namespace minsheng::cli
