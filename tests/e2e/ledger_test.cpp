// End-to-end tests of the spreadsheet ledger (台账) commands through the built program: `import` (RFC 4180,
// BOM, Chinese headers, GBK, repeats inside the file, all-or-nothing with FILE:LINE errors, --dry-run) and
// `export` (CSV with BOM that round-trips through import, JSON), including a 100,000-row round trip.

#include <iconv.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/csv_reader.h"
#include "prelude.h"

using Catch::Matchers::StartsWith;

namespace {

const std::string kToday = "2026-11-25";
const std::string kHeader = "received_at,category,address,summary,reporter,phone,channel\r\n";

minsheng::test::RunResult ms(const std::string& db, std::vector<std::string> args,
                             const std::string& actor = "王协调") {
    std::vector<std::string> all = {"--db", db, "--as", actor, "--today", kToday};
    all.insert(all.end(), args.begin(), args.end());
    return run_minsheng(all);
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    auto pos = std::make_shared<size_t>(0);
    minsheng::cli::CsvReader reader([&text, pos](char* buf, size_t cap) {
        const size_t n = std::min(cap, text.size() - *pos);
        std::memcpy(buf, text.data() + *pos, n);
        *pos += n;
        return n;
    });
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> fields;
    while (reader.next(fields))
        out.push_back(fields);
    return out;
}

// The state of a database as the tests compare it: the verify line and the export.
struct Snapshot {
    std::string verify;
    std::string exported;
    bool operator==(const Snapshot& o) const { return verify == o.verify && exported == o.exported; }
};

Snapshot snapshot(const std::string& db) {
    auto v = ms(db, {"audit", "verify"});
    REQUIRE(v.exit_code == 0);
    auto e = ms(db, {"export"});
    REQUIRE(e.exit_code == 0);
    return {v.out, e.out};
}

json import_json(const std::string& db, const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--json", "import", file};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = ms(db, args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
}

json export_json(const std::string& db) {
    auto r = ms(db, {"export", "--format", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
}

std::string to_gbk(const std::string& utf8) {
    iconv_t cd = iconv_open("GBK", "UTF-8");
    REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
    std::string out(utf8.size() * 2 + 16, '\0');
    char* in = const_cast<char*>(utf8.data());
    size_t in_left = utf8.size();
    char* o = out.data();
    size_t out_left = out.size();
    const size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
    iconv_close(cd);
    REQUIRE(rc != static_cast<size_t>(-1));
    out.resize(out.size() - out_left);
    return out;
}

// A ledger of `n` rows, each its own case (distinct addresses), holding every kind of awkward cell: ASCII
// commas, doubled quotes, line breaks (LF and CRLF) inside quoted cells, Chinese, categories by id and by
// Chinese name. Returns the file text and, per row, the expected import columns after normalization.
struct Ledger {
    std::string text;
    std::vector<std::vector<std::string>> expected;  // 受理时间, 类别 (name), 地址, 问题描述, 反映人,
                                                     // 联系电话, 反映渠道 as the export shows them
};

std::string quote(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

Ledger make_ledger(int n) {
    static const char* ids[] = {"drainage", "road", "sanitation", "dibao", "general"};
    static const char* names[] = {"排水/下水道", "道路/路面", "环境卫生", "低保", "其他"};
    static const char* surnames[] = {"王", "李", "张", "欧阳", "陈"};
    static const char* channels[] = {"来电", "来访", "网格员", "12345"};
    Ledger l;
    l.text = kHeader;
    l.text.reserve(static_cast<size_t>(n) * 160);
    for (int i = 0; i < n; ++i) {
        // 2024-01-01 .. spread over 2024-2025, one row every ~10 minutes, in time order.
        const int day = i / 144, minute = (i % 144) * 10;
        const int month = 1 + (day / 28) % 12, year = 2024 + day / (28 * 12), dom = 1 + day % 28;
        char at[32];
        std::snprintf(at, sizeof at, "%04d-%02d-%02d %02d:%02d:00", year, month, dom, minute / 60,
                      minute % 60);
        const int c = i % 5;
        const std::string address = "鼓楼区海福巷" + std::to_string(i) + "号";
        std::string summary = "下水道堵塞，第" + std::to_string(i) + "次";
        std::string expected_summary = summary;
        switch (i % 7) {
            case 0:
                summary += ", 污水满溢";
                expected_summary = summary;
                break;
            case 1:
                summary += "，居民说\"已经反映过三次\"";
                expected_summary = summary;
                break;
            case 2:
                summary += "\n补充：晚上更严重";
                expected_summary = summary;
                break;
            case 3:
                expected_summary = summary + "\n第二行,\"引号\"";
                summary += "\r\n第二行,\"引号\"";  // CRLF inside the cell is stored as LF
                break;
            default:
                break;
        }
        const std::string reporter = std::string(surnames[i % 5]) + "某" + std::to_string(i % 10);
        const std::string phone = i % 3 == 0 ? "" : "138" + std::to_string(10000000 + i);
        const std::string channel = channels[i % 4];
        l.text += std::string(at) + "," + (i % 2 ? ids[c] : names[c]) + "," + quote(address) + "," +
                  quote(summary) + "," + quote(reporter) + "," + phone + "," + channel + "\r\n";
        // The export shows the time with a space and the category by its name (SPEC Part 2 "Ledgers").
        l.expected.push_back({at, names[c], address, expected_summary, reporter, phone, channel});
    }
    return l;
}

// The import columns of an export, keyed by the export's header.
std::vector<std::vector<std::string>> import_columns(const std::string& exported) {
    REQUIRE(exported.rfind("\xEF\xBB\xBF", 0) == 0);
    const auto rows = parse_csv(exported);
    REQUIRE(!rows.empty());
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < rows[0].size(); ++i)
        col[rows[0][i]] = i;
    std::vector<std::vector<std::string>> out;
    for (size_t r = 1; r < rows.size(); ++r) {
        std::vector<std::string> row;
        for (const char* k : {"受理时间", "类别", "地址", "问题描述", "反映人", "联系电话", "反映渠道"}) {
            REQUIRE(col.count(k));
            row.push_back(rows[r][col[k]]);
        }
        out.push_back(row);
    }
    return out;
}

}  // namespace

TEST_CASE("a 100,000-row ledger round-trips exactly through import and export") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const Ledger ledger = make_ledger(100000);
    write_text(dir.file("ledger.csv"), ledger.text);

    const json r = import_json(db, dir.file("ledger.csv"));
    CHECK(r["rows"] == 100000);
    CHECK(r["cases"] == 100000);
    CHECK(r["repeats"] == 0);

    const auto e1 = ms(db, {"export"});
    REQUIRE(e1.exit_code == 0);
    const auto columns = import_columns(e1.out);
    REQUIRE(columns.size() == ledger.expected.size());
    for (size_t i = 0; i < columns.size(); ++i) {
        INFO("row " << i);
        REQUIRE(columns[i] == ledger.expected[i]);
    }

    // The export imports into a fresh station as the same cases, and exports again byte for byte.
    TempDir dir2;
    const std::string db2 = fresh_station(dir2);
    write_text(dir2.file("export.csv"), e1.out);
    const json r2 = import_json(db2, dir2.file("export.csv"));
    CHECK(r2["cases"] == 100000);
    CHECK(r2["repeats"] == 0);
    const auto e2 = ms(db2, {"export"});
    REQUIRE(e2.exit_code == 0);
    CHECK(e2.out == e1.out);
    CHECK(ms(db2, {"audit", "verify"}).exit_code == 0);
}

TEST_CASE("import with a byte-order mark and Chinese headers, columns in any order, unknown ones skipped") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(
        dir.file("a.csv"),
        "\xEF\xBB\xBF"
        "备注,地址,受理时间,问题描述,类别,反映人,联系电话,反映渠道\r\n"
        "随便写,海福巷3号,2024/6/5 9:10,\"下水道堵塞, 污水满溢\",排水/下水道,张桂芳,13851234567,来电\r\n"
        ",戎苑路8号,2024-06-06,路面坑洼,road,,,\r\n");
    const json r = import_json(db, dir.file("a.csv"));
    CHECK(r == json{{"cases", 2}, {"repeats", 0}, {"rows", 2}, {"dry_run", false}});
    const json cases = export_json(db);
    REQUIRE(cases.size() == 2);
    CHECK(cases[0]["category"] == "drainage");
    CHECK(cases[0]["address"] == "海福巷3号");
    CHECK(cases[0]["summary"] == "下水道堵塞, 污水满溢");
    CHECK(cases[0]["received_at"] == "2024-06-05T09:10:00");
    CHECK(cases[0]["reporters"][0]["name"] == "张桂芳");
    CHECK(cases[0]["reporters"][0]["phone"] == "13851234567");
    CHECK(cases[0]["reporters"][0]["channel"] == "来电");
    CHECK(cases[1]["category"] == "road");
    CHECK(cases[1]["received_at"] == "2024-06-06T00:00:00");
}

TEST_CASE("a ledger's 类别 may say one part of a category's name: 排水 or 下水道 for 排水/下水道") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(dir.file("a.csv"),
               "受理时间,类别,地址,问题描述\n"
               "2024-06-05 09:10,排水,海福巷3号,下水道堵塞\n"
               "2024-06-05 10:00,路面,戎苑路8号,路面坑洼\n"
               "2024-06-06 09:00, 下水道 ,海福巷3号,又堵了\n"
               "2024-06-06 11:00,道路/路面,戎苑路9号,积水\n");
    const json r = import_json(db, dir.file("a.csv"));
    CHECK(r == json{{"cases", 3}, {"repeats", 1}, {"rows", 4}, {"dry_run", false}});
    const json cases = export_json(db);
    REQUIRE(cases.size() == 3);
    CHECK(cases[0]["category"] == "drainage");
    CHECK(cases[0]["repeat_count"] == 1);
    CHECK(cases[1]["category"] == "road");
    CHECK(cases[2]["category"] == "road");

    // A word that is no part of any name is still refused, naming the categories there are.
    write_text(dir.file("b.csv"), "受理时间,类别,地址,问题描述\n2024-06-07 09:00,排,海福巷3号,x\n");
    const Snapshot before = snapshot(db);
    const auto bad = ms(db, {"import", dir.file("b.csv")});
    CHECK(bad.exit_code == 3);
    CHECK_THAT(bad.err, Contains("b.csv:2: 未知的类别「排」") && Contains("drainage（排水/下水道）"));
    CHECK(snapshot(db) == before);
}

TEST_CASE("a GBK ledger, as Chinese Excel and WPS save it, imports with --encoding gbk") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string utf8 =
        "受理时间,类别,地址,问题描述,反映人,联系电话,反映渠道\r\n"
        "2024-06-05 "
        "09:10,排水/"
        "下水道,海福巷3号,\"下水道堵塞，导致楼前平台污水满溢\n无法正常行走\",张桂芳,13851234567,来电\r\n"
        "2024-06-06 15:30,drainage,海福巷 ３ 号,楼前平台又满溢了,李秀英,,来访\r\n";
    const std::string gbk = to_gbk(utf8);
    REQUIRE(gbk != utf8);
    write_text(dir.file("gbk.csv"), gbk);

    // Read as UTF-8 it is refused with a hint, and nothing is written.
    const Snapshot before = snapshot(db);
    auto bad = ms(db, {"import", dir.file("gbk.csv")});
    CHECK(bad.exit_code == 3);
    CHECK_THAT(bad.err, Contains("gbk.csv:") && Contains("UTF-8") && Contains("--encoding gbk"));
    CHECK(snapshot(db) == before);

    const json r = import_json(db, dir.file("gbk.csv"), {"--encoding", "gbk"});
    CHECK(r["cases"] == 1);
    CHECK(r["repeats"] == 1);
    const json cases = export_json(db);
    REQUIRE(cases.size() == 1);
    CHECK(cases[0]["summary"] == "下水道堵塞，导致楼前平台污水满溢\n无法正常行走");
    CHECK(cases[0]["address"] == "海福巷3号");
    CHECK(cases[0]["repeat_count"] == 1);
    CHECK(cases[0]["reporters"][1]["name"] == "李秀英");
}

TEST_CASE("rows repeating an open case attach to it, also cases opened earlier in the same file") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    // One case opened by `case open` before the import, then the file repeats it and a case of its own.
    REQUIRE(ms(db, {"case", "open", "--category", "drainage", "--address", "海福巷3号", "--summary",
                    "下水道堵塞", "--at", "2024-06-01T08:00"})
                .exit_code == 0);
    write_text(dir.file("r.csv"), kHeader +
                                      "2024-06-05 09:00,drainage,海福巷 ３ 号,又堵了,甲,,来电\r\n"
                                      "2024-06-05 10:00,road,海福巷3号,路面坑洼,乙,,来访\r\n"
                                      "2024-06-05 11:00,道路/路面,海福巷３号,路面还是坑洼,丙,,来访\r\n"
                                      "2024-06-05 12:00,road,戎苑路1号,路灯坏了,丁,,来电\r\n"
                                      "2024-06-05 13:00,road,戎苑路 1 号,路灯还是坏,戊,,来电\r\n");
    const json r = import_json(db, dir.file("r.csv"));
    CHECK(r["rows"] == 5);
    CHECK(r["cases"] == 2);
    CHECK(r["repeats"] == 3);
    const json cases = export_json(db);
    REQUIRE(cases.size() == 3);
    CHECK(cases[0]["category"] == "drainage");
    CHECK(cases[0]["repeat_count"] == 1);
    CHECK(cases[1]["category"] == "road");
    CHECK(cases[1]["address"] == "海福巷3号");
    CHECK(cases[1]["repeat_count"] == 1);
    CHECK(cases[2]["repeat_count"] == 1);
    CHECK(ms(db, {"audit", "verify"}).exit_code == 0);
}

TEST_CASE("a bad row anywhere rejects the whole file, naming its physical line, and writes nothing") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    // Existing data the failed imports must leave as it is.
    write_text(dir.file("base.csv"), kHeader + "2024-01-02 09:00,drainage,旧案1号,旧问题,甲,,来电\r\n");
    import_json(db, dir.file("base.csv"));
    const Snapshot before = snapshot(db);

    // 300 good rows, every tenth with a line break inside a quoted cell, so physical lines run ahead of rows.
    std::vector<std::string> rows;
    std::vector<int> line_of;  // physical line where row i starts
    int line = 2;
    for (int i = 0; i < 300; ++i) {
        std::string summary = "问题" + std::to_string(i);
        if (i % 10 == 0) summary = "\"第一行\n第二行," + std::to_string(i) + "\"";
        rows.push_back("2024-02-01 09:00,sanitation,清凉门大街" + std::to_string(i) + "号," + summary +
                       ",乙,,来电\r\n");
        line_of.push_back(line);
        line += i % 10 == 0 ? 2 : 1;
    }
    struct Bad {
        const char* what;
        std::string row;
        const char* message;
    };
    const std::vector<Bad> bads = {
        {"a bad timestamp", "2024-13-01 09:00,road,某路1号,坑洼,丙,,来电\r\n", "受理时间"},
        {"a date without a time that is not a date", "昨天,road,某路1号,坑洼,丙,,来电\r\n", "受理时间"},
        {"an unknown category", "2024-02-01 09:00,水电,某路1号,停水,丙,,来电\r\n", "未知的类别「水电」"},
        {"an empty address", "2024-02-01 09:00,road,  ,坑洼,丙,,来电\r\n", "地址"},
        {"an empty summary", "2024-02-01 09:00,road,某路1号,,丙,,来电\r\n", "问题描述"},
        {"too many fields", "2024-02-01 09:00,road,某路1号,坑洼,丙,,来电,多余\r\n", "列"},
        {"too few fields", "2024-02-01 09:00,road,某路1号\r\n", "列"},
        {"a quote inside an unquoted cell", "2024-02-01 09:00,road,某路\"1\"号,坑洼,丙,,来电\r\n", "引号"},
        {"a control character", "2024-02-01 09:00,road,某路1号,坑\x01洼,丙,,来电\r\n", "控制字符"},
        {"invalid UTF-8", "2024-02-01 09:00,road,\xC4\xE3\xBA\xC3,坑洼,丙,,来电\r\n", "UTF-8"},
    };
    for (const auto& bad : bads) {
        for (size_t at : {size_t{0}, size_t{150}, size_t{300}}) {
            DYNAMIC_SECTION(bad.what << " at row " << at) {
                std::string text = kHeader;
                for (size_t i = 0; i < at; ++i)
                    text += rows[i];
                text += bad.row;
                for (size_t i = at; i < rows.size(); ++i)
                    text += rows[i];
                const std::string file = dir.file("bad.csv");
                write_text(file, text);
                const int expected_line = at < rows.size() ? line_of[at] : line;
                for (bool dry : {false, true}) {
                    std::vector<std::string> args = {"import", file};
                    if (dry) args.push_back("--dry-run");
                    auto r = ms(db, args);
                    CHECK(r.exit_code == 3);
                    CHECK_THAT(r.err,
                               StartsWith("minsheng: " + file + ":" + std::to_string(expected_line) + ": "));
                    CHECK_THAT(r.err, Contains(bad.message));
                    CHECK(r.out.empty());
                }
                CHECK(snapshot(db) == before);
            }
        }
    }
}

TEST_CASE("an unterminated quote rejects the file naming the line where the quote opened") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const Snapshot before = snapshot(db);
    write_text(dir.file("q.csv"), kHeader +
                                      "2024-02-01 09:00,road,某路1号,坑洼,丙,,来电\r\n"
                                      "2024-02-01 10:00,road,某路2号,\"没有结束的引号,丙,,来电\r\n"
                                      "2024-02-01 11:00,road,某路3号,坑洼,丙,,来电\r\n");
    auto r = ms(db, {"import", dir.file("q.csv")});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Contains("q.csv:3: ") && Contains("引号未闭合"));
    CHECK(snapshot(db) == before);
}

TEST_CASE("a row whose time lies before the case it repeats is refused like case open refuses it") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const Snapshot before = snapshot(db);
    write_text(dir.file("t.csv"), kHeader +
                                      "2024-06-05 09:00,drainage,海福巷3号,堵了,甲,,来电\r\n"
                                      "2024-06-04 09:00,drainage,海福巷3号,又堵了,乙,,来电\r\n");
    auto r = ms(db, {"import", dir.file("t.csv")});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Contains("t.csv:3: ") && Contains("早于该案最近一次记录"));
    CHECK(snapshot(db) == before);
}

TEST_CASE("a dry run (--dry-run) reports what would happen and writes nothing") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(dir.file("d.csv"), kHeader +
                                      "2024-06-05 09:00,drainage,海福巷3号,堵了,甲,,来电\r\n"
                                      "2024-06-05 10:00,drainage,海福巷 3 号,又堵了,乙,,来电\r\n"
                                      "2024-06-05 11:00,road,戎苑路1号,坑洼,丙,,来电\r\n");
    const Snapshot before = snapshot(db);
    const std::string size_before = std::to_string(std::filesystem::file_size(db));
    const json r = import_json(db, dir.file("d.csv"), {"--dry-run"});
    CHECK(r == json{{"cases", 2}, {"repeats", 1}, {"rows", 3}, {"dry_run", true}});
    CHECK(snapshot(db) == before);
    CHECK(std::to_string(std::filesystem::file_size(db)) == size_before);
    auto text = ms(db, {"import", dir.file("d.csv"), "--dry-run"});
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.out, Contains("未写入") && Contains("3 行：新案件 2 件，重复反映 1 次\n"));
    // The real import does what the dry run said.
    CHECK(import_json(db, dir.file("d.csv")) ==
          json{{"cases", 2}, {"repeats", 1}, {"rows", 3}, {"dry_run", false}});
}

TEST_CASE("import refuses what it cannot read or who may not write") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const Snapshot before = snapshot(db);
    write_text(dir.file("ok.csv"), kHeader + "2024-06-05 09:00,drainage,海福巷3号,堵了,甲,,来电\r\n");

    SECTION("a missing file is not found (5)") {
        auto r = ms(db, {"import", dir.file("nope.csv")});
        CHECK(r.exit_code == 5);
        CHECK_THAT(r.err, Contains("nope.csv"));
    }
    SECTION("an unknown actor is not allowed (4)") {
        auto r = ms(db, {"import", dir.file("ok.csv")}, "路人甲");
        CHECK(r.exit_code == 4);
    }
    SECTION("a missing required column names it (3)") {
        write_text(dir.file("h.csv"), "received_at,category,summary\r\n2024-06-05,road,坑洼\r\n");
        auto r = ms(db, {"import", dir.file("h.csv")});
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Contains("h.csv:1: ") && Contains("地址（address）"));
    }
    SECTION("a column named twice (3)") {
        write_text(dir.file("h.csv"),
                   "received_at,category,address,地址,summary\r\n2024-06-05,road,a,b,坑洼\r\n");
        auto r = ms(db, {"import", dir.file("h.csv")});
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Contains("h.csv:1: ") && Contains("出现了两次"));
    }
    SECTION("an empty file (3)") {
        write_text(dir.file("e.csv"), "");
        auto r = ms(db, {"import", dir.file("e.csv")});
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Contains("e.csv:1: "));
    }
    SECTION("an unknown encoding is a usage error (2)") {
        auto r = ms(db, {"import", dir.file("ok.csv"), "--encoding", "big5"});
        CHECK(r.exit_code == 2);
    }
    CHECK(snapshot(db) == before);
}

TEST_CASE("a header-only file and blank lines import nothing and succeed") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(dir.file("h.csv"), kHeader + "\r\n,,,,,,\r\n");
    CHECK(import_json(db, dir.file("h.csv")) ==
          json{{"cases", 0}, {"repeats", 0}, {"rows", 0}, {"dry_run", false}});
}

TEST_CASE("export: the station's ledger in Chinese columns, labels not ids, no JSON — JSON as an array") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::vector<std::string> headers = {
        "编号",       "类别",       "地址",     "问题描述", "受理时间", "反映人",   "联系电话", "反映渠道",
        "反映次数",   "其他反映人", "阶段",     "当前步骤", "牵头部门", "配合部门", "办理期限", "剩余工作日",
        "超期工作日", "根本原因",   "办结时间", "回访结果", "督办级别", "典型事例"};
    SECTION("an empty station") {
        auto csv = ms(db, {"export"});
        REQUIRE(csv.exit_code == 0);
        CHECK_THAT(csv.out, StartsWith("\xEF\xBB\xBF"
                                       "编号,类别,"));
        const auto rows = parse_csv(csv.out);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0] == headers);
        CHECK(export_json(db) == json::array());
    }
    SECTION("a worked case") {
        auto open = ms(db, {"--json", "case", "open", "--category", "drainage", "--address", "海福巷3号",
                            "--summary", "下水道堵塞", "--reporter", "张桂芳", "--phone", "13851234567",
                            "--channel", "来电", "--at", "2024-06-05T09:10"});
        REQUIRE(open.exit_code == 0);
        const std::string id = json::parse(open.out)["id"];
        REQUIRE(
            ms(db, {"case", "open", "--category", "drainage", "--address", "海福巷3号", "--summary", "又堵了",
                    "--reporter", "李四", "--phone", "139", "--channel", "来访", "--at", "2024-06-05T10:00"})
                .exit_code == 0);
        REQUIRE(ms(db, {"case", "do", id, "dispatch", "--department", "街道城管科", "--department",
                        "市政部门", "--at", "2024-06-05T11:00"})
                    .exit_code == 0);
        REQUIRE(
            ms(db, {"case", "do", id, "resolve", "--set", "root_cause=接口塌陷", "--at", "2024-06-20T10:00"})
                .exit_code == 0);
        REQUIRE(ms(db, {"case", "do", id, "visit", "--set", "satisfied=yes", "--at", "2024-06-21T10:00"})
                    .exit_code == 0);
        const json j = export_json(db);  // json keeps Part 1's case objects
        REQUIRE(j.size() == 1);
        CHECK(j[0]["id"] == id);
        CHECK(j[0]["phase"] == "closed");
        CHECK(j[0].contains("deadline"));
        CHECK_FALSE(j[0].contains("history"));

        const auto rows = parse_csv(ms(db, {"export"}).out);
        REQUIRE(rows.size() == 2);
        REQUIRE(rows[0] == headers);
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < rows[0].size(); ++i)
            row[rows[0][i]] = rows[1][i];
        CHECK(row["编号"] == id);
        CHECK(row["类别"] == "排水/下水道");
        CHECK(row["受理时间"] == "2024-06-05 09:10:00");
        CHECK(row["反映人"] == "张桂芳");
        CHECK(row["联系电话"] == "13851234567");
        CHECK(row["反映渠道"] == "来电");
        CHECK(row["反映次数"] == "2");
        CHECK(row["其他反映人"] == "2024-06-05 10:00:00，李四，139，来访");
        CHECK(row["牵头部门"] == "街道城管科");
        CHECK(row["配合部门"] == "市政部门");
        CHECK(row["办理期限"] == j[0]["deadline"]);
        CHECK(row["剩余工作日"].empty());  // a closed case has no days left
        CHECK(row["根本原因"] == "接口塌陷");
        CHECK(row["办结时间"] == "2024-06-21 10:00:00");
        CHECK(row["回访结果"] == "满意");
        CHECK(row["督办级别"].empty());
        CHECK(row["典型事例"] == "否");
        for (const auto& [k, v] : row) {
            INFO(k << " = " << v);
            CHECK(v.find('{') == std::string::npos);  // no JSON in any cell
            CHECK(v.find("drainage") == std::string::npos);
            CHECK(v.find("closed") == std::string::npos);
        }
    }
}

TEST_CASE("import knows SPEC's column synonyms and date forms, and keeps 备注 as a note on the case") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(dir.file("s.csv"),
               "反映时间,问题类别,问题地址,反映内容,姓名,电话,渠道,备注\r\n"
               "2025年10月16日 9:05,排水,海福巷3号,堵了,甲,131,来电,老问题了\r\n"
               "2025/10/16 09:05:00,road,路1号,坑,乙,132,来访,\r\n"
               "2025.10.16T09:05,road,路2号,坑,丙,133,网格员,\r\n"
               "2025-10-16,road,路3号,坑,丁,134,12345,\r\n"
               "2025年1月6日,road,路4号,坑,戊,135,来电,\r\n"
               "2025.1.6 9:05,road,路5号,坑,己,136,来电,\r\n");
    CHECK(import_json(db, dir.file("s.csv")) ==
          json{{"cases", 6}, {"repeats", 0}, {"rows", 6}, {"dry_run", false}});
    const json cases = export_json(db);
    REQUIRE(cases.size() == 6);
    std::map<std::string, json> by_address;
    for (const auto& c : cases)
        by_address[c["address"]] = c;
    CHECK(by_address["海福巷3号"]["received_at"] == "2025-10-16T09:05:00");
    CHECK(by_address["路1号"]["received_at"] == "2025-10-16T09:05:00");
    CHECK(by_address["路2号"]["received_at"] == "2025-10-16T09:05:00");
    CHECK(by_address["路3号"]["received_at"] == "2025-10-16T00:00:00");
    CHECK(by_address["路4号"]["received_at"] == "2025-01-06T00:00:00");
    CHECK(by_address["路5号"]["received_at"] == "2025-01-06T09:05:00");
    CHECK(by_address["路1号"]["reporters"][0]["phone"] == "132");
    CHECK(by_address["路1号"]["reporters"][0]["channel"] == "来访");
    CHECK(by_address["路1号"]["reporters"][0]["name"] == "乙");
    const std::string id = by_address["海福巷3号"]["id"];
    const auto h = ms(db, {"--json", "case", "history", id});
    REQUIRE(h.exit_code == 0);
    const json events = json::parse(h.out);
    REQUIRE(events.size() == 2);
    CHECK(events[1]["action"] == "note");
    CHECK(h.out.find("老问题了") != std::string::npos);
}

TEST_CASE("an unknown column is refused naming it and the known names, unless --ignore-unknown") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const Snapshot before = snapshot(db);
    write_text(dir.file("u.csv"),
               "受理时间,类别,地址,问题描述,街道,电话\r\n2025-10-16,road,路1号,坑,鼓楼,131\r\n");
    auto r = ms(db, {"import", dir.file("u.csv")});
    CHECK(r.exit_code == 3);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Contains("u.csv:1: ") && Contains("'街道'") &&
                          Contains("联系电话（phone；或 电话/手机/联系方式）") &&
                          Contains("--ignore-unknown"));
    CHECK(snapshot(db) == before);
    auto dry = ms(db, {"import", dir.file("u.csv"), "--dry-run"});
    CHECK(dry.exit_code == 3);
    CHECK(import_json(db, dir.file("u.csv"), {"--ignore-unknown"}) ==
          json{{"cases", 1}, {"repeats", 0}, {"rows", 1}, {"dry_run", false}});
    CHECK(export_json(db)[0]["reporters"][0]["phone"] == "131");
}

TEST_CASE("a bad row says what is wrong with the ledger, and the flag only where a flag fixes it") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const Snapshot before = snapshot(db);
    // A 受理时间 after today: the row's user typed no --at.
    write_text(dir.file("f.csv"), "受理时间,类别,地址,问题描述\r\n2027-01-05 09:00,road,路1号,坑\r\n");
    auto future = ms(db, {"import", dir.file("f.csv")});
    CHECK(future.exit_code == 3);
    CHECK(one_line(future.err));
    CHECK_THAT(future.err, Contains("f.csv:2: ") && Contains("在将来"));
    CHECK(future.err.find("--at") == std::string::npos);
    // A cell saved as GBK in a file read as UTF-8: --encoding gbk fixes it.
    write_text(dir.file("g.csv"),
               "受理时间,类别,地址,问题描述,反映人\r\n2025-10-16,road,路1号,坑," + to_gbk("张桂芳") + "\r\n");
    auto gbk = ms(db, {"import", dir.file("g.csv")});
    CHECK(gbk.exit_code == 3);
    CHECK_THAT(gbk.err, Contains("g.csv:2: ") && Contains("--encoding gbk"));
    CHECK(snapshot(db) == before);
}

TEST_CASE("a refused import lists every bad row, at most 20, then how many more, and writes nothing") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const Snapshot before = snapshot(db);
    std::string text = kHeader;
    for (int i = 1; i <= 30; ++i) {
        const std::string n = std::to_string(i);
        if (i % 10 == 3)
            text +=
                "2025-10-16 09:00,水电," + std::string("路") + n + "号,坑,甲,,来电\r\n";  // unknown category
        else if (i <= 25 && i % 2 == 0)
            text += "2025-13-16 09:00,road,路" + n + "号,坑,甲,,来电\r\n";  // bad date
        else if (i == 27)
            text += "2025-10-16 09:00,road,路" + n + "号\r\n";  // too few fields
        else
            text += "2025-10-16 09:00,road,路" + n + "号,坑,甲,,来电\r\n";
    }
    write_text(dir.file("b.csv"), text);
    for (bool dry : {false, true}) {
        std::vector<std::string> args = {"import", dir.file("b.csv")};
        if (dry) args.push_back("--dry-run");
        auto r = ms(db, args);
        CHECK(r.exit_code == 3);
        CHECK(r.out.empty());
        // Bad rows: 3, 13, 23 (category), the even rows 2..24 (date), 27 (fields): 3 + 12 + 1 = 16.
        std::vector<std::string> lines;
        std::istringstream in(r.err);
        for (std::string l; std::getline(in, l);)
            lines.push_back(l);
        REQUIRE(lines.size() == 16);
        CHECK_THAT(lines[0], StartsWith("minsheng: " + dir.file("b.csv") + ":3: ") && Contains("受理时间"));
        CHECK_THAT(lines[1], StartsWith("minsheng: " + dir.file("b.csv") + ":4: ") && Contains("水电"));
        CHECK_THAT(lines[15],
                   StartsWith("minsheng: " + dir.file("b.csv") + ":28: ") && Contains("列，而表头只有"));
    }
    CHECK(snapshot(db) == before);

    // More than 20: the first 20, then how many more.
    std::string many = kHeader;
    for (int i = 0; i < 45; ++i)
        many += "昨天,road,路" + std::to_string(i) + "号,坑,甲,,来电\r\n";
    write_text(dir.file("m.csv"), many);
    auto r = ms(db, {"import", dir.file("m.csv")});
    CHECK(r.exit_code == 3);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 21);
    CHECK_THAT(r.err, Contains("m.csv:21: ") && !Contains("m.csv:22: ") && Contains("另有 25 行有误"));
    CHECK(snapshot(db) == before);
}

TEST_CASE("a dry run prints, per row, whether it opens a new case or joins which case") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(dir.file("d.csv"), kHeader +
                                      "2024-06-05 09:00,drainage,海福巷3号,堵了,甲,,来电\r\n"
                                      "2024-06-05 10:00,drainage,海福巷 3 号,又堵了,乙,,来电\r\n"
                                      "2024-06-05 11:00,road,戎苑路1号,坑洼,丙,,来电\r\n");
    auto r = ms(db, {"import", dir.file("d.csv"), "--dry-run"});
    REQUIRE(r.exit_code == 0);
    const std::string f = dir.file("d.csv");
    CHECK(r.out == f + ":2: 新立案件 2024-0001\n" + f + ":3: 并入案件 2024-0001\n" + f +
                       ":4: 新立案件 2024-0002\n" + "试导入（未写入）：" + f +
                       " 共 3 行：新案件 2 件，重复反映 1 次\n");
}

TEST_CASE(
    "round trip: a 10,000-case station exported as csv imports into a fresh station as the same cases") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    // 10,000 cases, every third with one or two repeat reports (other people, phones, channels, times), some
    // cells that need the formula guard, a name holding a full-width comma.
    static const char* channels[] = {"来电", "来访", "网格员", "12345"};
    std::string text = kHeader;
    int rows = 0;
    for (int i = 0; i < 10000; ++i) {
        const int day = i / 100, slot = i % 100;  // 100 cases a day, 5 minutes apart
        char at[40];
        const int month = 1 + (day / 28) % 12, dom = 1 + day % 28;
        auto stamp = [&](int minutes) {
            std::snprintf(at, sizeof at, "2024-%02d-%02d %02d:%02d", month, dom, 8 + minutes / 60,
                          minutes % 60);
            return std::string(at);
        };
        const std::string address = "鼓楼区清凉门大街" + std::to_string(i) + "号";
        std::string summary = i % 97 == 0 ? "=SUM(A1:A9)" : "路灯不亮，第" + std::to_string(i) + "次";
        const std::string reporter = i % 89 == 0 ? "@张三" : "居民" + std::to_string(i % 50);
        text += stamp(slot * 5) + ",road," + quote(address) + "," + quote(summary) + "," + reporter + ",138" +
                std::to_string(10000000 + i) + "," + channels[i % 4] + "\r\n";
        ++rows;
        if (i % 3 == 0) {
            const std::string name = i % 9 == 0 ? "欧阳，小明" : "邻居" + std::to_string(i % 7);
            const std::string phone = i % 2 ? "" : "139" + std::to_string(20000000 + i);
            text += stamp(slot * 5 + 1) + ",road," + quote(address) + ",又坏了," + quote(name) + "," + phone +
                    "," + channels[(i + 1) % 4] + "\r\n";
            ++rows;
            if (i % 6 == 0) {
                text += stamp(slot * 5 + 2) + ",road," + quote(address) + ",还是不亮,-王五,,\r\n";
                ++rows;
            }
        }
    }
    write_text(dir.file("in.csv"), text);
    const json r = import_json(db, dir.file("in.csv"));
    REQUIRE(r["cases"] == 10000);
    REQUIRE(r["rows"] == rows);
    // One case worked to the end, and a new case at its address after it closed: two cases that a naive
    // re-import would merge into one.
    REQUIRE(
        ms(db, {"case", "do", "2024-0001", "dispatch", "--department", "市政", "--at", "2026-06-01T09:00"})
            .exit_code == 0);
    REQUIRE(ms(db, {"case", "do", "2024-0001", "resolve", "--set", "root_cause=线路老化", "--at",
                    "2026-06-02T09:00"})
                .exit_code == 0);
    REQUIRE(ms(db, {"case", "do", "2024-0001", "visit", "--set", "satisfied=yes", "--at", "2026-06-03T09:00"})
                .exit_code == 0);
    REQUIRE(ms(db, {"case", "open", "--category", "road", "--address", "鼓楼区清凉门大街0号", "--summary",
                    "又坏了", "--reporter", "新人", "--at", "2026-06-04T09:00"})
                .exit_code == 0);

    const auto e1 = ms(db, {"export"});
    REQUIRE(e1.exit_code == 0);
    CHECK(e1.out.find(",'=SUM(A1:A9),") != std::string::npos);  // the formula guard
    CHECK(e1.out.find(",'@张三,") != std::string::npos);
    TempDir dir2;
    const std::string db2 = fresh_station(dir2);
    write_text(dir2.file("export.csv"), e1.out);
    const json r2 = import_json(db2, dir2.file("export.csv"));
    CHECK(r2["cases"] == 10001);
    CHECK(r2["repeats"] == 0);

    const json a = export_json(db);
    const json b = export_json(db2);
    REQUIRE(a.size() == 10001);
    REQUIRE(b.size() == a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        INFO("case " << a[i]["id"]);
        REQUIRE(b[i]["id"] == a[i]["id"]);
        REQUIRE(b[i]["category"] == a[i]["category"]);
        REQUIRE(b[i]["address"] == a[i]["address"]);
        REQUIRE(b[i]["summary"] == a[i]["summary"]);
        REQUIRE(b[i]["received_at"] == a[i]["received_at"]);
        REQUIRE(b[i]["repeat_count"] == a[i]["repeat_count"]);
        REQUIRE(b[i]["reporters"].size() == a[i]["reporters"].size());
        for (size_t k = 0; k < a[i]["reporters"].size(); ++k)
            for (const char* key : {"name", "phone", "channel", "at"})
                REQUIRE(b[i]["reporters"][k].value(key, "") == a[i]["reporters"][k].value(key, ""));
    }
    CHECK(a[0]["reporters"].size() == 3);
    CHECK(a[0]["reporters"][1]["name"] == "欧阳，小明");
    CHECK(a[0]["reporters"][2]["name"] == "-王五");
    CHECK(ms(db2, {"audit", "verify"}).exit_code == 0);
}

namespace {

// One member of a zip archive (an xlsx), read with Python's zipfile.
std::string zip_member(const std::string& zip, const std::string& member) {
    auto r =
        run_program("/usr/bin/python3",
                    {"-c",
                     "import sys,zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2])"
                     ".decode('utf-8'))",
                     zip, member});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

}  // namespace

TEST_CASE("export --format xlsx: one sheet 台账, frozen header, filters, widths, real dates, plain strings") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(dir.file("a.csv"), kHeader +
                                      "2024-06-05 09:10,drainage,海福巷3号,=1+1,甲,131,来电\r\n"
                                      "2024-06-06 10:00,road,路1号,坑,乙,,来访\r\n");
    import_json(db, dir.file("a.csv"));
    REQUIRE(ms(db, {"case", "do", "2024-0002", "reject", "--note", "不属实", "--at", "2024-06-06T11:00"})
                .exit_code == 0);
    const std::string out = dir.file("ledger.xlsx");
    auto r = ms(db, {"export", "--format", "xlsx", "--out", out});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.empty());
    CHECK_THAT(zip_member(out, "xl/workbook.xml"), Contains("<sheet name=\"台账\""));
    const std::string sheet = zip_member(out, "xl/worksheets/sheet1.xml");
    CHECK_THAT(
        sheet,
        Contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"));
    CHECK_THAT(sheet, Contains("<autoFilter ref=\"A1:V3\"/>"));
    CHECK_THAT(sheet, Contains("<col min=\"3\" max=\"3\" width=\"26.7109375\" customWidth=\"1\"/>"));
    CHECK_THAT(sheet, Contains("<col min=\"4\" max=\"4\" width=\"40.7109375\" customWidth=\"1\"/>"));
    CHECK_THAT(sheet, Contains("<is><t>编号</t></is>") && Contains("<is><t>典型事例</t></is>"));
    // 受理时间 is a number with a date style (Excel serial 45448.381944… for 2024-06-05 09:10), not text.
    CHECK_THAT(sheet, Contains("<c r=\"E2\" s=\"") && Contains("<v>45448.38194444"));
    // The formula guard in xlsx: a plain string, never a formula.
    CHECK_THAT(sheet, Contains("<t>=1+1</t>"));
    CHECK(sheet.find("<f>") == std::string::npos);
    CHECK_THAT(zip_member(out, "xl/styles.xml"), Contains("yyyy-mm-dd"));
    // On stdout too, byte for byte a zip.
    auto s = ms(db, {"export", "--format", "xlsx"});
    REQUIRE(s.exit_code == 0);
    CHECK(s.out.rfind("PK", 0) == 0);
}

TEST_CASE("export --out writes a regular file: never through a link, over a device, a FIFO or a folder") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    write_text(dir.file("target.txt"), "keep me");
    std::filesystem::create_symlink(dir.file("target.txt"), dir.file("link.csv"));
    std::filesystem::create_directory(dir.file("folder"));
    REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
    for (const std::string& bad :
         {dir.file("link.csv"), dir.file("folder"), dir.file("fifo"), std::string("/dev/null")})
        for (const char* format : {"csv", "xlsx", "json"}) {
            INFO(bad << " " << format);
            auto r = ms(db, {"export", "--format", format, "--out", bad});
            CHECK(r.exit_code == 2);
            CHECK(one_line(r.err));
        }
    CHECK(read_text(dir.file("target.txt")) == "keep me");
    auto ok = ms(db, {"export", "--out", dir.file("ok.csv")});
    REQUIRE(ok.exit_code == 0);
    CHECK(ok.out.empty());
    CHECK_THAT(read_text(dir.file("ok.csv")), StartsWith("\xEF\xBB\xBF编号,"));
    // No temporary file is left behind by the refusals.
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
}
