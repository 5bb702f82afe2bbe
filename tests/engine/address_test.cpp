// Address keys (SPEC "Addresses and repeat reports"): the folding repeat matching compares, and when two
// different keys are "similar" for the warning on `case open`.
#include <string>
#include <vector>

#include "prelude.h"

#include "engine/text.h"

using minsheng::normalize_address;
using minsheng::similar_address_keys;
using minsheng::similar_address_prefixes;

TEST_CASE("one address written several ways folds to one key", "[address]") {
    const std::string key = normalize_address("海福巷3号");
    CHECK(key == "海福巷3号");
    CHECK(normalize_address("海福巷 3 號") == key);   // white space, traditional 號
    CHECK(normalize_address("海福巷三号") == key);    // a Chinese numeral before 号
    CHECK(normalize_address("海福巷０３号") == key);  // full-width digits, a leading zero
    CHECK(normalize_address("海福巷03号") == key);
    CHECK(normalize_address("海福巷〇三号") == key);
    CHECK(normalize_address("海福巷十二号") == "海福巷12号");
    CHECK(normalize_address("海福巷二十号") == "海福巷20号");
    CHECK(normalize_address("海福巷二十三号") == "海福巷23号");
    CHECK(normalize_address("海福巷一百零五号") == "海福巷105号");
    CHECK(normalize_address("幸福小區3號樓2單元") == "幸福小区3号楼2单元");
    CHECK(normalize_address("幸福小区三号楼二单元") == "幸福小区3号楼2单元");
    CHECK(normalize_address("海福巷3号") != normalize_address("海福巷30号"));
}

TEST_CASE("numerals that are part of a name stay as they are", "[address]") {
    CHECK(normalize_address("五一路8号") == "五一路8号");
    CHECK(normalize_address("三里屯街道") == "三里屯街道");
    CHECK(normalize_address("二环路") == "二环路");
}

TEST_CASE("similar keys: one extends the other at a boundary, and the shorter names a number", "[address]") {
    CHECK(similar_address_keys("海福巷3号", "海福巷3号楼"));
    CHECK(similar_address_keys("海福巷3号楼", "海福巷3号"));
    CHECK(similar_address_keys("海福巷3号", "海福巷3号2单元"));
    CHECK_FALSE(similar_address_keys("海福巷3号", "海福巷3号"));   // equal is a repeat, not "similar"
    CHECK_FALSE(similar_address_keys("海福巷3", "海福巷31号"));    // a cut inside a number
    CHECK_FALSE(similar_address_keys("海福巷3号", "海福巷31号"));  // neither extends the other
    CHECK_FALSE(similar_address_keys("海福巷", "海福巷3号"));      // a whole street is near every house
    CHECK_FALSE(similar_address_keys("海福巷3号楼", "海福巷3号院"));
    CHECK(similar_address_prefixes("海福巷3号楼") == std::vector<std::string>{"海福巷3号", "海福巷3"});
    CHECK(similar_address_prefixes("海福巷").empty());
}

// normalize_address asks OpenCC only about text holding a key of a t2s dictionary, a character or a phrase
// (the tables are read from the dictionaries at build time). This holds them to the dictionaries installed
// now: every CJK character the check passes, alone and in runs, comes back from OpenCC unchanged; and the
// traditional characters an address is likely to hold are caught.
TEST_CASE("OpenCC changes no text without a key, so folding may skip it", "[address]") {
    using minsheng::opencc_t2s;
    using minsheng::t2s_may_change;
    auto utf8 = [](char32_t cp) {
        std::string s;
        if (cp < 0x800) {
            s += static_cast<char>(0xC0 | (cp >> 6));
        } else if (cp < 0x10000) {
            s += static_cast<char>(0xE0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        } else {
            s += static_cast<char>(0xF0 | (cp >> 18));
            s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        }
        s += static_cast<char>(0x80 | (cp & 0x3F));
        return s;
    };
    std::string run;  // the characters outside the table, 64 at a time
    int outside = 0, inside = 0;
    for (char32_t cp = 0x3400; cp <= 0x9FFF; ++cp) {
        const std::string c = utf8(cp);
        if (t2s_may_change(c)) {
            ++inside;
            continue;
        }
        ++outside;
        run += c;
        if (run.size() >= 64 * 3 || cp == 0x9FFF) {
            INFO(run);
            CHECK((t2s_may_change(run) || opencc_t2s(run) == run));
            run.clear();
        }
    }
    CHECK(inside > 2000);
    CHECK(outside > 20000);
    for (const char* traditional : {"號", "樓", "棟", "區", "單", "園", "門", "廣", "場", "莊"}) {
        INFO(traditional);
        CHECK(t2s_may_change(traditional));
        CHECK(opencc_t2s(traditional) != traditional);
    }
    CHECK_FALSE(t2s_may_change("海福巷3号"));
    CHECK_FALSE(t2s_may_change("鼓楼区虎踞路881号32栋"));
    CHECK_FALSE(t2s_may_change("Room 3"));
    CHECK(minsheng::normalize_address("海福巷3號") == "海福巷3号");
}
