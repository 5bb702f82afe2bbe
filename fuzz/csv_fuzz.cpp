// libFuzzer target for the ledger CSV reader (cli/csv_reader.h). Any bytes must give records or a CsvError,
// never a crash, a hang or another exception; and the streaming reader must agree with a plain reference
// reading of RFC 4180 (the semantics csv_reader.h documents) whatever its buffer size and however the source
// hands out the bytes — the refill boundaries are where a streaming parser breaks.
//
// The checking is in minsheng::fuzz::check_csv so the Catch2 regression test (tests/faults) runs the very
// same code over the kept inputs; define MINSHENG_FUZZ_NO_ENTRY to leave out libFuzzer's entry point.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/csv_reader.h"

namespace minsheng::fuzz {

// What reading a whole input gives.
struct CsvParse {
    std::vector<std::vector<std::string>> records;
    std::vector<long> lines;  // each record's first physical line
    bool failed = false;
    long error_line = 0;
    std::string error;

    bool operator==(const CsvParse& o) const {
        return records == o.records && lines == o.lines && failed == o.failed && error_line == o.error_line &&
               error == o.error;
    }
};

inline std::string csv_describe(const CsvParse& p) {
    std::string s = std::to_string(p.records.size()) + " records";
    for (size_t i = 0; i < p.records.size() && i < 8; ++i) {
        s += " | line " + std::to_string(p.lines[i]) + ":";
        for (const auto& f : p.records[i])
            s += " [" + (f.size() > 40 ? f.substr(0, 40) + "..." : f) + "]";
    }
    if (p.failed) s += " | error at line " + std::to_string(p.error_line) + ": " + p.error;
    return s;
}

// The reader under test. `chunk` is its buffer size; the source hands out at most `feed[i % n]` bytes per
// call (0 in `feed` means "as many as fit").
inline CsvParse csv_read(const std::string& data, std::size_t chunk, const std::vector<std::size_t>& feed) {
    std::size_t at = 0, call = 0;
    cli::CsvReader reader(
        [&](char* buf, std::size_t cap) {
            std::size_t n = std::min(cap, data.size() - at);
            if (!feed.empty()) {
                const std::size_t limit = feed[call++ % feed.size()];
                if (limit > 0) n = std::min(n, limit);
            }
            std::copy(data.begin() + static_cast<std::ptrdiff_t>(at),
                      data.begin() + static_cast<std::ptrdiff_t>(at + n), buf);
            at += n;
            return n;
        },
        chunk);
    CsvParse p;
    std::vector<std::string> fields;
    try {
        // Bounded: every record consumes at least one byte, so more records than bytes means a loop.
        for (std::size_t guard = 0; guard <= data.size() + 1; ++guard) {
            if (!reader.next(fields)) break;
            p.records.push_back(fields);
            p.lines.push_back(reader.record_line());
        }
    } catch (const cli::CsvError& e) {
        p.failed = true;
        p.error_line = e.line();
        p.error = e.what();
    }
    return p;
}

// The reference: RFC 4180 as csv_reader.h describes it, written for clarity, not speed. A UTF-8 byte-order
// mark at the start is skipped; records end at CRLF, LF or a lone CR; a blank line is a record of one empty
// field; the end of the input ends the last record (no empty record after a final line break); quoted fields
// hold commas, doubled quotes and line breaks. Errors: an unterminated quoted field (on the line it opened),
// text after a closing quote, a quote inside an unquoted field (both on the current line).
inline CsvParse csv_reference(const std::string& d) {
    CsvParse p;
    std::size_t i = d.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    long line = 1;
    auto fail = [&](long at, const std::string& why) {
        p.failed = true;
        p.error_line = at;
        p.error = why;
    };
    while (i < d.size()) {
        const long record_line = line;
        std::vector<std::string> fields;
        for (;;) {
            std::string f;
            if (i < d.size() && d[i] == '"') {
                const long opened = line;
                ++i;
                bool closed = false;
                while (i < d.size()) {
                    const char c = d[i++];
                    if (c == '"') {
                        if (i < d.size() && d[i] == '"') {
                            f += '"';
                            ++i;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    f += c;
                    if (c == '\r' && i < d.size() && d[i] == '\n') {
                        f += '\n';
                        ++i;
                    }
                    if (c == '\r' || c == '\n') ++line;
                }
                if (!closed) {
                    fail(opened, "引号未闭合：第 " + std::to_string(opened) + " 行开始的引号一直没有结束");
                    return p;
                }
                if (i < d.size() && d[i] != ',' && d[i] != '\r' && d[i] != '\n') {
                    fail(line,
                         "右引号后面还有文字（带引号的字段里，引号要写两次：\"\"）");
                    return p;
                }
            } else {
                while (i < d.size() && d[i] != ',' && d[i] != '\r' && d[i] != '\n') {
                    if (d[i] == '"') {
                        fail(line,
                             "未加引号的字段里有引号（请给整个字段加引号，并把其中的引号写两次：\"a \"\"b\"\" c\"）");
                        return p;
                    }
                    f += d[i++];
                }
            }
            fields.push_back(std::move(f));
            if (i < d.size() && d[i] == ',') {
                ++i;
                continue;
            }
            if (i < d.size() && d[i] == '\r') {
                ++i;
                if (i < d.size() && d[i] == '\n') ++i;
                ++line;
            } else if (i < d.size() && d[i] == '\n') {
                ++i;
                ++line;
            }
            break;
        }
        p.records.push_back(std::move(fields));
        p.lines.push_back(record_line);
    }
    return p;
}

// Returns "" when the reader keeps its contract on `data`, else what went wrong.
inline std::string check_csv(const std::uint8_t* bytes, std::size_t size) {
    const std::string data(reinterpret_cast<const char*>(bytes), size);
    const CsvParse expected = csv_reference(data);
    // The first byte picks an odd feeding pattern; the others are fixed.
    const std::size_t pick = size ? bytes[0] : 0;
    const std::vector<std::vector<std::size_t>> feeds = {{0}, {1}, {1, 2, 3, 5, 8}, {pick % 17 + 1, 1, 0}};
    const std::vector<std::size_t> chunks = {1 << 16, 16, 17, pick % 48 + 16};
    for (std::size_t k = 0; k < feeds.size(); ++k) {
        const CsvParse got = csv_read(data, chunks[k], feeds[k]);
        if (!(got == expected))
            return "csv reader (buffer " + std::to_string(chunks[k]) + ", feed pattern " + std::to_string(k) +
                   ") disagrees with the reference:\n  reader:    " + csv_describe(got) +
                   "\n  reference: " + csv_describe(expected);
    }
    return "";
}

}  // namespace minsheng::fuzz

#ifndef MINSHENG_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string problem = minsheng::fuzz::check_csv(data, size);
    if (!problem.empty()) {
        std::fprintf(stderr, "%s\n", problem.c_str());
        std::abort();
    }
    return 0;
}
#endif
