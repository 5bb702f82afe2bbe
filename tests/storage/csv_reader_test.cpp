// The RFC 4180 reader behind `import`: quoting, embedded commas, quotes and line breaks, CRLF/LF/CR record
// ends, the UTF-8 byte-order mark, physical line numbers of records, malformed input, and records that
// straddle the reader's buffer refills.
#include "prelude.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cli/csv_reader.h"

using minsheng::cli::CsvError;
using minsheng::cli::CsvReader;

namespace {

using Records = std::vector<std::vector<std::string>>;

// A source that hands out `text` at most `step` bytes at a time, to exercise refills at every position.
CsvReader::Source string_source(const std::string& text, std::size_t step) {
    auto pos = std::make_shared<std::size_t>(0);
    return [text, step, pos](char* buf, std::size_t cap) {
        const std::size_t n = std::min({step, cap, text.size() - *pos});
        std::memcpy(buf, text.data() + *pos, n);
        *pos += n;
        return n;
    };
}

struct Parsed {
    Records records;
    std::vector<long> lines;
};

Parsed parse(const std::string& text, std::size_t step = 1 << 16, std::size_t chunk = 1 << 16) {
    CsvReader reader(string_source(text, step), chunk);
    Parsed p;
    std::vector<std::string> fields;
    while (reader.next(fields)) {
        p.records.push_back(fields);
        p.lines.push_back(reader.record_line());
    }
    return p;
}

// The same text read whole and in pieces of every small size must give the same records.
Parsed parse_all_ways(const std::string& text) {
    const Parsed whole = parse(text);
    for (std::size_t step : {1, 2, 3, 5, 7}) {
        for (std::size_t chunk : {16, 17, 64}) {
            const Parsed p = parse(text, step, chunk);
            CHECK(p.records == whole.records);
            CHECK(p.lines == whole.lines);
        }
    }
    return whole;
}

long error_line(const std::string& text, std::string* message = nullptr) {
    try {
        parse(text);
    } catch (const CsvError& e) {
        if (message) *message = e.what();
        return e.line();
    }
    return -1;
}

}  // namespace

TEST_CASE("plain records with LF, CRLF and lone CR record ends") {
    const Parsed p = parse_all_ways("a,b,c\nd,e,f\r\ng,h,i\rj,k,l");
    REQUIRE(p.records == Records{{"a", "b", "c"}, {"d", "e", "f"}, {"g", "h", "i"}, {"j", "k", "l"}});
    CHECK(p.lines == std::vector<long>{1, 2, 3, 4});
}

TEST_CASE("a final line break does not make an extra record") {
    CHECK(parse_all_ways("a,b\r\n").records == Records{{"a", "b"}});
    CHECK(parse_all_ways("a,b\n").records == Records{{"a", "b"}});
    CHECK(parse_all_ways("").records.empty());
}

TEST_CASE("empty fields, trailing commas and blank lines") {
    const Parsed p = parse_all_ways("a,,c\n,\n\nx,y,\n");
    REQUIRE(p.records == Records{{"a", "", "c"}, {"", ""}, {""}, {"x", "y", ""}});
    CHECK(p.lines == std::vector<long>{1, 2, 3, 4});
}

TEST_CASE("quoted fields hold commas, doubled quotes and line breaks") {
    const std::string text =
        "id,summary\r\n"
        "1,\"下水道堵塞, 污水满溢\"\r\n"
        "2,\"居民说\"\"已经反映过三次\"\"\"\r\n"
        "3,\"第一行\r\n第二行\n第三行\"\r\n"
        "4,\"\"\r\n"
        "5,\"\"\"\"\r\n";
    const Parsed p = parse_all_ways(text);
    REQUIRE(p.records.size() == 6);
    CHECK(p.records[1] == std::vector<std::string>{"1", "下水道堵塞, 污水满溢"});
    CHECK(p.records[2] == std::vector<std::string>{"2", "居民说\"已经反映过三次\""});
    CHECK(p.records[3] == std::vector<std::string>{"3", "第一行\r\n第二行\n第三行"});
    CHECK(p.records[4] == std::vector<std::string>{"4", ""});
    CHECK(p.records[5] == std::vector<std::string>{"5", "\""});
    // Records start on the physical line where they begin: record 3 spans lines 4-6.
    CHECK(p.lines == std::vector<long>{1, 2, 3, 4, 7, 8});
}

TEST_CASE("a UTF-8 byte-order mark is skipped, only at the very start") {
    const Parsed p = parse_all_ways("\xEF\xBB\xBF受理时间,类别\n2024-01-02,drainage\n");
    REQUIRE(p.records == Records{{"受理时间", "类别"}, {"2024-01-02", "drainage"}});
    // Later in the file it is data.
    CHECK(parse_all_ways("a\n\xEF\xBB\xBF"
                         "b\n")
              .records == Records{{"a"},
                                  {"\xEF\xBB\xBF"
                                   "b"}});
    // A file that is only a byte-order mark has no records.
    CHECK(parse_all_ways("\xEF\xBB\xBF").records.empty());
}

TEST_CASE("quoted and unquoted fields mix and spaces are kept") {
    const Parsed p = parse_all_ways(" a ,\"b\", c \n");
    CHECK(p.records == Records{{" a ", "b", " c "}});
}

TEST_CASE("fields longer than the buffer") {
    const std::string big(100000, 'x');
    const std::string quoted = "\"" + std::string(50000, ',') + "\"\"" + std::string(50000, '\n') + "\"";
    const Parsed p = parse(big + "," + quoted + "\n" + "z\n", 4096, 64);
    REQUIRE(p.records.size() == 2);
    CHECK(p.records[0][0] == big);
    CHECK(p.records[0][1] == std::string(50000, ',') + "\"" + std::string(50000, '\n'));
    CHECK(p.lines == std::vector<long>{1, 50002});
}

TEST_CASE("an unterminated quote is an error naming the line where it opened") {
    std::string message;
    CHECK(error_line("a,b\nc,\"never closed\nmore\nlines", &message) == 2);
    CHECK_THAT(message, Catch::Matchers::Contains("引号未闭合"));
    CHECK(error_line("\"") == 1);
}

TEST_CASE("a quote inside an unquoted field is an error") {
    std::string message;
    CHECK(error_line("a,b\nc,d\"e\n", &message) == 2);
    CHECK_THAT(message, Catch::Matchers::Contains("未加引号"));
}

TEST_CASE("text after a closing quote is an error") {
    std::string message;
    CHECK(error_line("x\n\"a\"b,c\n", &message) == 2);
    CHECK_THAT(message, Catch::Matchers::Contains("右引号"));
    // A closing quote at the end of the input is fine.
    CHECK(parse_all_ways("\"a\"").records == Records{{"a"}});
    CHECK(error_line("\"a\" \n") == 1);
}

TEST_CASE("an error after a multi-line record names the right line") {
    CHECK(error_line("h\n\"1\n2\n3\"\nok\nbad\"\n") == 6);
}

TEST_CASE("records are read one at a time and the field vector is reused") {
    CsvReader reader(string_source("a,b,c\nd\ne,f\n", 3), 16);
    std::vector<std::string> fields;
    REQUIRE(reader.next(fields));
    CHECK(fields.size() == 3);
    REQUIRE(reader.next(fields));
    CHECK(fields == std::vector<std::string>{"d"});
    REQUIRE(reader.next(fields));
    CHECK(fields == std::vector<std::string>{"e", "f"});
    CHECK_FALSE(reader.next(fields));
    CHECK_FALSE(reader.next(fields));
}
