// End-to-end tests of the spreadsheet ledger (台账) commands through the built program: `import` (RFC 4180,
// BOM, Chinese headers, GBK, repeats inside the file, all-or-nothing with FILE:LINE errors, --dry-run) and
// `export` (CSV with BOM that round-trips through import, JSON), including a 100,000-row round trip.

#include <iconv.h>

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
    std::vector<std::vector<std::string>> expected;  // received_at, category id, address, summary, reporter,
                                                     // phone, channel
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
        char norm[32];
        std::snprintf(norm, sizeof norm, "%04d-%02d-%02dT%02d:%02d:00", year, month, dom, minute / 60,
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
        l.expected.push_back({norm, ids[c], address, expected_summary, reporter, phone, channel});
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
        for (const char* k :
             {"received_at", "category", "address", "summary", "reporter", "phone", "channel"}) {
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
    CHECK_THAT(bad.err, Contains("b.csv:2: unknown category '排'") && Contains("drainage (排水/下水道)"));
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
        {"a bad timestamp", "2024-13-01 09:00,road,某路1号,坑洼,丙,,来电\r\n", "received_at"},
        {"a date without a time that is not a date", "昨天,road,某路1号,坑洼,丙,,来电\r\n", "received_at"},
        {"an unknown category", "2024-02-01 09:00,水电,某路1号,停水,丙,,来电\r\n", "unknown category '水电'"},
        {"an empty address", "2024-02-01 09:00,road,  ,坑洼,丙,,来电\r\n", "address"},
        {"an empty summary", "2024-02-01 09:00,road,某路1号,,丙,,来电\r\n", "summary"},
        {"too many fields", "2024-02-01 09:00,road,某路1号,坑洼,丙,,来电,多余\r\n", "fields"},
        {"too few fields", "2024-02-01 09:00,road,某路1号\r\n", "fields"},
        {"a quote inside an unquoted cell", "2024-02-01 09:00,road,某路\"1\"号,坑洼,丙,,来电\r\n", "quote"},
        {"a control character", "2024-02-01 09:00,road,某路1号,坑\x01洼,丙,,来电\r\n", "control"},
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
    CHECK_THAT(r.err, Contains("q.csv:3: ") && Contains("unterminated"));
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
    CHECK_THAT(r.err, Contains("t.csv:3: ") && Contains("before the case's latest event"));
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
    CHECK_THAT(text.out, Contains("nothing written") && Contains("3 rows: 2 new cases, 1 repeat report\n"));
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
        CHECK_THAT(r.err, Contains("h.csv:1: ") && Contains("address (地址)"));
    }
    SECTION("a column named twice (3)") {
        write_text(dir.file("h.csv"),
                   "received_at,category,address,地址,summary\r\n2024-06-05,road,a,b,坑洼\r\n");
        auto r = ms(db, {"import", dir.file("h.csv")});
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Contains("h.csv:1: ") && Contains("twice"));
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

TEST_CASE("export: CSV with a byte-order mark and one column per case-object key, JSON as an array") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    SECTION("an empty station") {
        auto csv = ms(db, {"export"});
        REQUIRE(csv.exit_code == 0);
        CHECK_THAT(csv.out, StartsWith("\xEF\xBB\xBF"
                                       "id,category,"));
        CHECK(parse_csv(csv.out).size() == 1);
        CHECK(export_json(db) == json::array());
    }
    SECTION("a worked case") {
        auto open = ms(db, {"--json", "case", "open", "--category", "drainage", "--address", "海福巷3号",
                            "--summary", "下水道堵塞", "--reporter", "张桂芳", "--phone", "13851234567",
                            "--channel", "来电", "--at", "2024-06-05T09:10"});
        REQUIRE(open.exit_code == 0);
        const std::string id = json::parse(open.out)["id"];
        REQUIRE(ms(db, {"case", "do", id, "dispatch", "--department", "街道城管科", "--department",
                        "市政部门", "--at", "2024-06-05T10:00"})
                    .exit_code == 0);
        REQUIRE(
            ms(db, {"case", "do", id, "resolve", "--set", "root_cause=接口塌陷", "--at", "2024-06-20T10:00"})
                .exit_code == 0);
        const json j = export_json(db);
        REQUIRE(j.size() == 1);
        CHECK(j[0]["id"] == id);
        CHECK(j[0]["phase"] == "follow_up");
        CHECK(j[0].contains("deadline"));
        CHECK_FALSE(j[0].contains("history"));

        const auto rows = parse_csv(ms(db, {"export"}).out);
        REQUIRE(rows.size() == 2);
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < rows[0].size(); ++i)
            row[rows[0][i]] = rows[1][i];
        CHECK(row["id"] == id);
        CHECK(row["phase"] == "follow_up");
        CHECK(row["departments"] == "街道城管科;市政部门");
        CHECK(json::parse(row["fields"]) == json{{"root_cause", "接口塌陷"}});
        CHECK(json::parse(row["department_tasks"]).size() == 2);
        CHECK(row["overdue"] == "false");
        CHECK(row["deadline"] == j[0]["deadline"]);
        CHECK(row["reporter"] == "张桂芳");
        CHECK(row["phone"] == "13851234567");
        CHECK(row["channel"] == "来电");
        // Every key of the case object has its column.
        for (auto& [key, value] : j[0].items())
            CHECK(row.count(key) == 1);
    }
}
