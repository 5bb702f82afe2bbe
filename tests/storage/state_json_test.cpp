// The projection's direct JSON writer and reader (storage/state_json.h) against the engine's state_to_json
// and state_from_json: on random states with awkward text, in the full and the slim form, and from the
// engine's own output; anything the reader does not know falls back to the engine.
#include "prelude.h"

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "engine/case.h"
#include "storage/state_json.h"

using minsheng::CaseState;
using minsheng::Date;
using minsheng::state_from_json;
using minsheng::state_to_json;
using minsheng::storage_detail::fast_state_json_agrees;
using minsheng::storage_detail::read_state_json;
using minsheng::storage_detail::state_from_text;
using minsheng::storage_detail::state_json;
using minsheng::storage_detail::write_state_json;

namespace {

class Random {
public:
    explicit Random(unsigned seed) : rng_(seed) {}
    int below(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
    bool coin() { return below(2) == 0; }
    std::string text() {
        static const char* pieces[] = {"海福巷", "3",    "号",   " ",  "\"", "\\", "\n", "\r",
                                       "\t",     "\x01", "\x1f", "/",  "é",  "😀",  "，", "a",
                                       "𠮷",     "\x7f", "'",    "{}", "[]", ":"};
        std::string s;
        const int n = below(8);
        for (int i = 0; i < n; ++i)
            s += pieces[below(static_cast<int>(sizeof pieces / sizeof *pieces))];
        return s;
    }
    std::optional<Date> date() {
        if (coin()) return std::nullopt;
        return Date(static_cast<unsigned short>(2023 + below(4)), static_cast<unsigned short>(1 + below(12)),
                    static_cast<unsigned short>(1 + below(28)));
    }
    CaseState state() {
        CaseState s;
        s.id = text();
        s.category = text();
        s.workflow_version = below(3);
        s.deadline_days = coin() ? 20 : below(60);
        s.address = text();
        s.address_key = text();
        s.summary = text();
        s.received_at = text();
        s.phase = static_cast<minsheng::Phase>(below(5));
        s.step = text();
        s.suspended = coin();
        for (int i = below(3); i > 0; --i)
            s.reporters.push_back({text(), text(), text(), text(), text()});
        s.report_count = below(4);
        for (int i = below(3); i > 0; --i)
            s.tasks.push_back(
                {text(), static_cast<minsheng::TaskStatus>(below(4)), coin(), text(), text(), text()});
        for (int i = below(3); i > 0; --i)
            s.fields[text()] = text();
        s.reopen_count = below(3);
        s.escalation_level = below(4);
        s.typical = coin();
        s.first_dispatched_at = text();
        if (auto d = date()) s.clock_start = *d;
        s.deadline = date();
        s.deadline_problem = text();
        s.suspended_since = date();
        s.resolved_on = date();
        for (int i = below(3); i > 0; --i)
            s.past_cycles.push_back(
                {Date(2024, 3, static_cast<unsigned short>(1 + below(28))), date(), date()});
        s.suspended_working_days = below(10);
        s.extended_working_days = below(10);
        s.last_event_at = text();
        s.last_seq = coin() ? 0 : static_cast<std::int64_t>(rng_() % 5000000000ULL);
        s.event_count = below(100);
        return s;
    }

private:
    std::mt19937 rng_;
};

}  // namespace

TEST_CASE("the direct writer and reader agree with the engine") {
    REQUIRE(fast_state_json_agrees());
    Random r(7);
    for (int i = 0; i < 3000; ++i) {
        const CaseState s = r.state();
        const json expected = state_to_json(s);
        std::string full, slim;
        REQUIRE(write_state_json(s, full, false));
        REQUIRE(write_state_json(s, slim, true));
        CHECK(json::parse(full) == expected);
        CHECK(state_to_json(state_from_json(json::parse(slim))) == expected);
        CHECK(slim.size() <= full.size());
        for (const std::string& text : {full, slim, expected.dump(), expected.dump(2)}) {
            CaseState back;
            REQUIRE(read_state_json(text, back));
            CHECK(state_to_json(back) == expected);
        }
        CHECK(state_to_json(state_from_text(state_json(s))) == expected);
    }
}

TEST_CASE("the slim form leaves out what a fresh case does not have") {
    CaseState s;
    s.id = "2024-0001";
    s.category = "drainage";
    s.workflow_version = 1;
    s.address = s.address_key = "海福巷3号";
    s.summary = "下水道堵塞";
    s.received_at = s.last_event_at = "2024-03-05T09:00:00";
    s.step = "received";
    s.report_count = 1;
    s.event_count = 1;
    s.last_seq = 1;
    s.reporters.push_back({"张三", "", "来电", "2024-03-05T09:00:00", ""});
    const std::string slim = state_json(s);
    const json j = json::parse(slim);
    for (const char* absent : {"tasks", "fields", "past_cycles", "resolved_on", "suspended", "typical",
                               "reopen_count", "deadline_days", "report_count"})
        CHECK_FALSE(j.contains(absent));
    CHECK(j["id"] == "2024-0001");
    CHECK(j["phase"] == "intake");
    CHECK_FALSE(j["reporters"][0].contains("phone"));
    CHECK(state_to_json(state_from_text(slim)) == state_to_json(s));
}

TEST_CASE("the reader gives up on what it does not know, and the engine reads it instead") {
    CaseState out;
    CHECK_FALSE(read_state_json(R"({"id":"a","unknown":1})", out));
    CHECK_FALSE(read_state_json(R"({"id":"a","workflow_version":1.5})", out));
    CHECK_FALSE(read_state_json(R"({"id":1})", out));
    CHECK_FALSE(read_state_json(R"({"id":"a"} trailing)", out));
    CHECK_FALSE(read_state_json(R"({"id":"a)", out));
    CHECK_FALSE(read_state_json(R"({"reporters":[{"name":"a","extra":true}]})", out));
    CHECK_FALSE(read_state_json(R"({"past_cycles":[{"deadline":null}]})", out));
    // The engine ignores unknown members: so does the fallback.
    const CaseState s = state_from_text(R"({"id":"2024-0001","phase":"closed","unknown":{"a":[1,2]}})");
    CHECK(s.id == "2024-0001");
    CHECK(s.phase == minsheng::Phase::Closed);
    // Escapes, surrogate pairs and null text members read as the engine reads them.
    const std::string text =
        R"({"id":"\u6d77\ud83d\ude00\n\/","summary":null,"deadline":null,"fields":{"k":"v"}})";
    REQUIRE(read_state_json(text, out));
    CHECK(state_to_json(out) == state_to_json(state_from_json(json::parse(text))));
    CHECK(out.id == "海😀\n/");
}

TEST_CASE("text that is not valid UTF-8 is not written by the direct writer") {
    CaseState s;
    s.summary = "\xC4\xE3\xBA\xC3";  // GBK bytes
    std::string out;
    CHECK_FALSE(write_state_json(s, out, true));
    s.summary = "\xED\xA0\x80";  // an encoded surrogate
    out.clear();
    CHECK_FALSE(write_state_json(s, out, true));
}
