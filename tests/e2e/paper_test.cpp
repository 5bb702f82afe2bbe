// Paper (SPEC Part 2): the printable case sheet `case show ID --format html`, printed to an A4 PDF by
// headless Chromium and read back with pdftotext, as the annual report's HTML is.

#include <filesystem>
#include <string>
#include <vector>

#include "prelude.h"

namespace {

namespace fs = std::filesystem;

const std::string kCoordinator = "王协调";

std::string step(const std::string& db, std::vector<std::string> args,
                 const std::string& actor = kCoordinator) {
    std::vector<std::string> all = {"--db", db, "--as", actor, "--today", "2023-06-30"};
    all.insert(all.end(), args.begin(), args.end());
    const RunResult r = run_minsheng(all);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out.substr(0, r.out.find('\n'));
}

// The PDF Chromium prints of `html`, as text (pdftotext -layout).
std::string print_to_text(const TempDir& dir, const std::string& html) {
    const std::string chromium = "/usr/bin/chromium";
    const std::string pdftotext = "/usr/bin/pdftotext";
    if (!fs::exists(chromium) || !fs::exists(pdftotext))
        FAIL("this test needs "
             << chromium << " and " << pdftotext
             << " (Debian packages chromium, poppler-utils, fonts-noto-cjk); run `make test`");
    const std::string pdf = dir.file("sheet.pdf");
    std::vector<std::string> args = {"--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-quic",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--no-pdf-header-footer",
                                     "--user-data-dir=" + dir.file("chromium-profile"),
                                     "--print-to-pdf=" + pdf,
                                     "file://" + html};
    std::string program = chromium;
    if (fs::exists("/usr/bin/timeout")) {
        args.insert(args.begin(), {"180", chromium});
        program = "/usr/bin/timeout";
    }
    const RunResult browser = run_program(program, args);
    INFO("chromium stderr: " << browser.err);
    REQUIRE(browser.exit_code == 0);
    REQUIRE(fs::exists(pdf));
    const std::string txt = dir.file("sheet.txt");
    REQUIRE(run_program(pdftotext, {"-layout", pdf, txt}).exit_code == 0);
    // A4: 595 x 842 points.
    const RunResult info = run_program("/usr/bin/pdfinfo", {pdf});
    if (info.exit_code == 0) CHECK(info.out.find("(A4)") != std::string::npos);
    return read_text(txt);
}

bool has(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("case show --format html: the A4 工单, then the 办结单, with signature lines, printed to PDF",
          "[paper][e2e][pdf]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id =
        step(db, {"case", "open", "--category", "drainage", "--address", "海福巷3号", "--summary",
                  "下水道堵塞，楼前平台污水满溢", "--reporter", "宋长松", "--phone", "13812345678",
                  "--channel", "来访", "--at", "2023-06-05T09:10"});
    step(db,
         {"case", "open", "--category", "drainage", "--address", "海福巷3号", "--summary", "又堵了",
          "--reporter", "李桂兰", "--phone", "13987654321", "--channel", "来电", "--at", "2023-06-05T15:20"});
    step(db, {"case", "do", id, "dispatch", "--department", "街道城管科", "--at", "2023-06-06T09:00"});

    const std::string html = dir.file("sheet.html");
    auto r = run_minsheng({"--db", db, "--as", kCoordinator, "--today", "2023-06-30", "case", "show", id,
                           "--format", "html", "--out", html});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.empty());
    CHECK(has(read_text(html), "size: A4"));
    std::string text = print_to_text(dir, html);
    INFO(text);
    CHECK(has(text, "民生工作站工单"));
    CHECK(has(text, id));
    CHECK(has(text, "海福巷3号"));
    CHECK(has(text, "宋长松"));
    CHECK(has(text, "13812345678"));  // staff paper: phones in full
    CHECK(has(text, "李桂兰"));
    CHECK(has(text, "街道城管科"));
    CHECK(has(text, "承办人（签字）"));
    CHECK(has(text, "督办（签字）"));
    CHECK_FALSE(has(text, "办结单"));

    step(db, {"case", "do", id, "resolve", "--set", "root_cause=主管道淤堵", "--at", "2023-06-08T16:00"});
    step(db, {"case", "do", id, "visit", "--set", "satisfied=yes", "--at", "2023-06-12T10:00"});
    r = run_minsheng({"--db", db, "--as", kCoordinator, "--today", "2023-06-30", "case", "show", id,
                      "--format", "html", "--out", html});
    REQUIRE(r.exit_code == 0);
    text = print_to_text(dir, html);
    CHECK(has(text, "民生工作站办结单"));
    CHECK(has(text, "主管道淤堵"));
    CHECK(has(text, "满意"));
    // The history names fields and choices in Chinese, as `case history` does (SPEC Part 2).
    const std::string sheet = read_text(html);
    CHECK(has(sheet, "根本原因：主管道淤堵"));
    CHECK(has(sheet, "回访结果：满意"));
    CHECK_FALSE(has(sheet, "root_cause"));
    CHECK_FALSE(has(sheet, "satisfied"));
    CHECK(has(text, "承办人（签字）"));

    // --out follows the rule of every --out: never through a symbolic link.
    fs::create_symlink(dir.file("elsewhere.html"), dir.file("link.html"));
    r = run_minsheng({"--db", db, "--as", kCoordinator, "case", "show", id, "--format", "html", "--out",
                      dir.file("link.html")});
    CHECK(r.exit_code == 2);
    CHECK_FALSE(fs::exists(dir.file("elsewhere.html")));
}

namespace {

// A .docx read back as text by pandoc (-s: the title too), and one of its parts by Python's zipfile.
std::string docx_text(const std::string& docx) {
    const RunResult r = run_program("/usr/bin/pandoc", {"-s", "-t", "plain", docx});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::string zip_member(const std::string& zip, const std::string& member) {
    auto r = run_program("/usr/bin/python3",
                         {"-c",
                          "import sys,zipfile; "
                          "sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode('utf-8'))",
                          zip, member});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

// A closed typical case whose visit note names the reporter and his phone (which the reports must mask).
std::string typical_case(const std::string& db) {
    const std::string id =
        step(db, {"case", "open", "--category", "drainage", "--address", "海福巷3号", "--summary",
                  "下水道堵塞，楼前平台污水满溢", "--reporter", "宋长松", "--phone", "13812345678",
                  "--channel", "来访", "--at", "2023-06-05T09:10"});
    step(db, {"case", "do", id, "dispatch", "--department", "街道城管科", "--at", "2023-06-06T09:00"});
    step(db, {"case", "do", id, "resolve", "--set", "root_cause=主管道淤堵", "--at", "2023-06-08T16:00"});
    step(db, {"case", "do", id, "visit", "--set", "satisfied=yes", "--note",
              "宋长松表示满意，联系电话13812345678", "--at", "2023-06-12T10:00"});
    step(db, {"case", "do", id, "mark-typical", "--at", "2023-06-12T11:00"}, "督办甲");
    return id;
}

}  // namespace

TEST_CASE("report typical|annual --format docx: Word files with 公文 styles, headline figures, masked names",
          "[paper][e2e][docx]") {
    if (!fs::exists("/usr/bin/pandoc"))
        FAIL("this test needs /usr/bin/pandoc (Debian package pandoc); run `make test`, which installs it");
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = typical_case(db);

    const std::string typical = dir.file("typical.docx");
    auto r = run_minsheng({"--db", db, "--as", kCoordinator, "--today", "2023-06-30", "report", "typical", id,
                           "--format", "docx", "--out", typical});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::string text = docx_text(typical);
    INFO(text);
    CHECK(has(text, "典型事例一"));
    CHECK(has(text, "主管道淤堵"));
    CHECK(has(text, id));
    CHECK_FALSE(has(text, "宋长松"));
    CHECK_FALSE(has(text, "13812345678"));

    // The annual report on stdout: its title is the document's Title, the figures are there.
    r = run_minsheng({"--db", db, "--as", kCoordinator, "--today", "2023-12-31", "report", "annual", "--year",
                      "2023", "--format", "docx"});
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.out.rfind("PK", 0) == 0);
    const std::string annual = dir.file("annual.docx");
    write_text(annual, r.out);
    text = docx_text(annual);
    CHECK(has(text, "2023年度民生工作站工作统计"));
    CHECK(has(text, "受理案件"));
    CHECK(has(text, "1 件"));
    CHECK(has(text, "按时办结率"));
    CHECK(has(text, "100.0%"));
    CHECK_FALSE(has(text, "宋长松"));
    CHECK_FALSE(has(text, "13812345678"));

    // The styles the reference document gives: A4 with 公文 margins, page numbers in the footer, 仿宋 三号
    // body, the title in 小标宋 二号 centred, 黑体 first-level headings.
    const std::string document = zip_member(annual, "word/document.xml");
    CHECK(has(document, "<w:pStyle w:val=\"Title\" />"));
    CHECK(has(document, "w:h=\"16838\""));
    CHECK(has(document, "w:w=\"11906\""));
    CHECK(has(document, "footerReference"));
    CHECK(has(zip_member(annual, "word/footer1.xml"), " PAGE "));
    const std::string styles = zip_member(annual, "word/styles.xml");
    CHECK(has(styles, "w:eastAsia=\"仿宋\""));
    CHECK(has(styles, "<w:sz w:val=\"32\" />"));  // 三号
    CHECK(has(styles, "w:styleId=\"Title\""));
    CHECK(has(styles, "w:eastAsia=\"方正小标宋简体\""));
    CHECK(has(styles, "<w:sz w:val=\"44\" />"));  // 二号
    CHECK(has(styles, "w:eastAsia=\"黑体\""));

    // Without the converter: one Chinese line naming the package, exit 1, nothing written.
    const std::string none = dir.file("none.docx");
    r = run_minsheng({"--db", db, "--as", kCoordinator, "--today", "2023-12-31", "report", "annual", "--year",
                      "2023", "--format", "docx", "--out", none},
                     {"MINSHENG_PANDOC=/nonexistent/pandoc"});
    CHECK(r.exit_code == 1);
    CHECK(one_line(r.err));
    CHECK(has(r.err, "pandoc"));
    CHECK(has(r.err, "apt-get install pandoc"));
    CHECK_FALSE(fs::exists(none));
}
