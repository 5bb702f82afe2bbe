// The RFC 4180 reader (see csv_reader.h): a state machine over a refilled buffer that copies runs of plain
// bytes at once.
#include "cli/csv_reader.h"

#include <cstring>

namespace minsheng::cli {

CsvReader::CsvReader(Source source, std::size_t chunk)
    : source_(std::move(source)), buf_(new char[chunk < 16 ? 16 : chunk]), cap_(chunk < 16 ? 16 : chunk) {}

bool CsvReader::fill() {
    if (eof_) return false;
    if (pos_ > 0) {
        std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    if (end_ == cap_) return false;  // never: callers fill only when the buffer is used up
    const std::size_t n = source_(buf_.get() + end_, cap_ - end_);
    if (n == 0) {
        eof_ = true;
        return false;
    }
    end_ += n;
    return true;
}

bool CsvReader::next(std::vector<std::string>& fields) {
    if (!started_) {
        started_ = true;
        while (end_ - pos_ < 3 && fill()) {
        }
        if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
    }
    if (peek() < 0) return false;
    record_line_ = line_;
    const char* b = buf_.get();
    std::size_t n = 0;
    for (;;) {
        if (n == fields.size()) fields.emplace_back();
        std::string& f = fields[n++];
        f.clear();
        if (peek() == '"') {
            const long opened = line_;
            ++pos_;
            for (;;) {
                if (pos_ == end_ && !fill())
                    throw CsvError(opened, "引号未闭合：第 " + std::to_string(opened) + " 行开始的引号一直没有结束");
                b = buf_.get();
                std::size_t i = pos_;
                while (i < end_ && b[i] != '"' && b[i] != '\n' && b[i] != '\r')
                    ++i;
                f.append(b + pos_, i - pos_);
                pos_ = i;
                if (pos_ == end_) continue;
                const char ch = b[pos_++];
                if (ch == '"') {
                    if (peek() == '"') {
                        f.push_back('"');
                        ++pos_;
                        continue;
                    }
                    break;  // the closing quote
                }
                // A line break inside the quotes belongs to the field.
                f.push_back(ch);
                if (ch == '\r' && peek() == '\n') {
                    f.push_back('\n');
                    ++pos_;
                }
                ++line_;
            }
            const int c = peek();
            if (c != ',' && c != '\r' && c != '\n' && c != -1)
                throw CsvError(line_,
                               "右引号后面还有文字（带引号的字段里，引号要写两次：\"\"）");
        } else {
            for (;;) {
                if (pos_ == end_ && !fill()) break;
                b = buf_.get();
                std::size_t i = pos_;
                while (i < end_ && b[i] != ',' && b[i] != '\n' && b[i] != '\r' && b[i] != '"')
                    ++i;
                f.append(b + pos_, i - pos_);
                pos_ = i;
                if (pos_ < end_) {
                    if (b[pos_] == '"')
                        throw CsvError(
                            line_,
                            "未加引号的字段里有引号（请给整个字段加引号，并把其中的引号写两次：\"a \"\"b\"\" c\"）");
                    break;
                }
            }
        }
        const int c = peek();
        if (c == ',') {
            ++pos_;
            continue;
        }
        if (c == '\r') {
            ++pos_;
            if (peek() == '\n') ++pos_;
            ++line_;
        } else if (c == '\n') {
            ++pos_;
            ++line_;
        }
        break;
    }
    fields.resize(n);
    return true;
}

CsvReader::Source file_source(std::FILE* file) {
    return [file](char* buf, std::size_t capacity) { return std::fread(buf, 1, capacity, file); };
}

}  // namespace minsheng::cli
