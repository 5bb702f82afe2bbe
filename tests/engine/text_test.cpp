// Address keys for repeat matching, display width for aligned tables, and masking of personal data.
#include "prelude.h"

#include "engine/error.h"
#include "engine/text.h"

using namespace minsheng;

TEST_CASE("addresses that differ only in spacing and full-width digits share a key", "[text]") {
    auto [a, b] = GENERATE(table<std::string, std::string>({
        {"海福巷3号", "海福巷 3 号"},
        {"海福巷3号", "海福巷３号"},
        {"海福巷3号", "  海福巷　３　号 "},  // ideographic spaces
        {"光华路12号B栋", "光华路１２号Ｂ栋"},
    }));
    CAPTURE(a, b);
    CHECK(normalize_address(a) == normalize_address(b));
    CHECK(normalize_address(b) == a);
}

TEST_CASE("different addresses keep different keys", "[text]") {
    CHECK(normalize_address("海福巷3号") != normalize_address("海福巷31号"));
    CHECK(normalize_address("海福巷3号") != normalize_address("海福巷8号"));
}

TEST_CASE("display width counts CJK characters as two columns", "[text]") {
    CHECK(display_width("abc") == 3);
    CHECK(display_width("海福巷3号") == 9);
    CHECK(display_width("") == 0);
    CHECK(pad_to_width("办理", 6) == "办理  ");
    CHECK(pad_to_width("toolong", 3) == "toolong");
}

TEST_CASE("names mask to surname plus 某, phones to 3+4 digits", "[text][privacy]") {
    CHECK(mask_name("宋长松") == "宋某");
    CHECK(mask_name("宋亮") == "宋某");
    CHECK(mask_name("欧阳娜娜") == "欧阳某");
    CHECK(mask_name(" 王 ") == "王某");
    CHECK(mask_phone("13812341234") == "138****1234");
    CHECK(mask_phone("138-1234-1234") == "138****1234");
    CHECK(mask_phone("12345") == "*****");
}

TEST_CASE("where a file stops being UTF-8 — line and character", "[text]") {
    CHECK_FALSE(first_non_utf8("海福巷3号\n第二行\n"));
    const auto gbk = first_non_utf8("第一行\nab海福\xCF\xEF\n");  // 巷 in GBK
    REQUIRE(gbk);
    CHECK(gbk->line == 2);
    CHECK(gbk->column == 5);
    const auto cut = first_non_utf8("\xe6\xb5");  // a sequence cut short
    REQUIRE(cut);
    CHECK(cut->line == 1);
    CHECK(cut->column == 1);
}

TEST_CASE("text from the command line must be UTF-8 without control characters", "[text]") {
    CHECK(is_valid_utf8("海福巷"));
    CHECK_FALSE(is_valid_utf8("\xff\xfe"));
    CHECK_FALSE(is_valid_utf8("\xe6\xb5"));  // truncated sequence
    CHECK_NOTHROW(require_text("多行\n备注", "note", true));
    CHECK_THROWS_AS(require_text("多行\n备注", "address"), Error);
    CHECK_THROWS_AS(require_text("bell\x07", "note", true), Error);
    try {
        require_text("\xc3\x28", "地址");
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Usage);
        CHECK(std::string(e.what()).find("地址 不是有效的 UTF-8 文本") != std::string::npos);
    }
}

TEST_CASE("trim removes ASCII and ideographic white space at both ends only", "[text]") {
    CHECK(trim("  海福巷 3号\t") == "海福巷 3号");
    CHECK(trim("　宋长松　") == "宋长松");
    CHECK(trim("") == "");
    CHECK(trim(" \t　 ") == "");
    CHECK(trim("\xC2\xA0反映人\r\n") == "反映人");  // no-break space, CRLF
    CHECK(trim("张 三") == "张 三");
    CHECK(trim(" \xFF ") == " \xFF ");  // not UTF-8: left as it is
}

TEST_CASE("csv_field quotes only what RFC 4180 needs quoted, doubling quotes", "[text]") {
    CHECK(csv_field("海福巷3号") == "海福巷3号");
    CHECK(csv_field("") == "");
    CHECK(csv_field("堵塞, 满溢") == "\"堵塞, 满溢\"");
    CHECK(csv_field("他说\"又堵了\"") == "\"他说\"\"又堵了\"\"\"");
    CHECK(csv_field("第一行\n第二行") == "\"第一行\n第二行\"");
    CHECK(csv_field("a\rb") == "\"a\rb\"");
}
