// A streaming RFC 4180 reader for spreadsheet ledgers (台账): quoted fields with embedded commas, quotes ("")
// and line breaks, CRLF, LF or lone-CR record ends, a UTF-8 byte-order mark skipped. Reads from a byte source
// in chunks, so memory does not grow with the file; records keep the physical line they start on.
#pragma once

#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace minsheng::cli {

// Malformed CSV: an unterminated quoted field, a quote inside an unquoted field, text after a closing quote.
class CsvError : public std::runtime_error {
public:
    CsvError(long line, const std::string& message) : std::runtime_error(message), line_(line) {}
    long line() const { return line_; }  // physical line (1-based) where the problem is

private:
    long line_;
};

class CsvReader {
public:
    // Fills `buf` with up to `capacity` bytes; returns how many, 0 at the end of the input.
    using Source = std::function<std::size_t(char* buf, std::size_t capacity)>;

    explicit CsvReader(Source source, std::size_t chunk = 1 << 16);

    // Reads the next record into `fields` (resized to the record's field count; the strings' storage is
    // reused). Returns false at the end of the input. A blank line is a record of one empty field.
    bool next(std::vector<std::string>& fields);

    long record_line() const { return record_line_; }  // where the record last returned starts
    long line() const { return line_; }                // the current physical line

private:
    bool fill();  // more input into buf_; false at the end
    int peek() {
        if (pos_ == end_ && !fill()) return -1;
        return static_cast<unsigned char>(buf_[pos_]);
    }

    Source source_;
    std::unique_ptr<char[]> buf_;
    std::size_t cap_ = 0, pos_ = 0, end_ = 0;
    bool eof_ = false;
    bool started_ = false;  // the byte-order mark check is done
    long line_ = 1;
    long record_line_ = 0;
};

// A source reading a file descriptor-like C stream.
CsvReader::Source file_source(std::FILE* file);

}  // namespace minsheng::cli
