// The hand-written case JSON of the lists and audits (usecases/views.h append_case_json) against
// nlohmann's dump of case_object, byte for byte, compact and indented, on tricky text: Chinese, quotes,
// backslashes, every control character, DEL, emoji, empty and full arrays, each optional key present and
// absent, every clock state.
#include <string>
#include <vector>

#include "cli/output.h"
#include "prelude.h"
#include "usecases/views.h"

using minsheng::CaseState;
using minsheng::ClockView;

namespace {

std::string all_controls() {
    std::string s;
    for (int c = 1; c < 0x20; ++c)
        s += static_cast<char>(c);
    return s + "\x7f" + std::string(1, '\0') + "尾";
}

std::vector<CaseState> cases() {
    std::vector<CaseState> out;
    CaseState bare;  // every member at its default: empty texts, arrays and fields
    out.push_back(bare);
    CaseState c;
    c.id = "2026-0000123";
    c.category = "drainage";
    c.workflow_version = 3;
    c.address = "海福巷 3 号 \"东\" 门\\侧";
    c.summary = "下水道堵塞 😀 已两天\n第二行\t制表";
    c.received_at = "2026-03-05T09:00:00";
    c.phase = minsheng::Phase::Coordination;
    c.step = "dispatched";
    c.suspended = true;
    c.report_count = 3;
    c.reopen_count = 2;
    c.escalation_level = 2;
    c.typical = true;
    c.resolved_on = minsheng::parse_date("2026-03-20");
    c.fields = {{"elderly", "独居老人"}, {"a\"b", all_controls()}, {"z", ""}, {"Zed", "🏠"}};
    c.tasks = {{"街道城管科", minsheng::TaskStatus::Signed, true, "2026-03-05T10:00:00",
                "2026-03-06T10:00:00", "已签收 \"马上\" 处理"},
               {"市政部门", minsheng::TaskStatus::Returned, false, "2026-03-05T10:00:00",
                "2026-03-07T10:00:00", all_controls()}};
    c.reporters = {{"张三", "138 0013 8000", "来电", "2026-03-05T09:00:00", ""},
                   {"李\\四", "", "12345", "2026-03-06T09:00:00", "又堵了 😡"}};
    out.push_back(c);
    c.tasks.clear();
    c.fields.clear();
    c.resolved_on.reset();
    out.push_back(c);
    return out;
}

std::vector<ClockView> clocks() {
    std::vector<ClockView> out;
    ClockView none;  // no deadline
    none.problem = "日历缺少 2027 年";
    out.push_back(none);
    ClockView running;
    running.deadline = minsheng::parse_date("2026-04-01");
    running.working_days_left = 5;
    out.push_back(running);
    ClockView overdue = running;
    overdue.overdue = true;
    overdue.working_days_left = -3;
    overdue.working_days_overdue = 3;
    overdue.deadline_provisional = true;
    out.push_back(overdue);
    ClockView unknown = running;
    unknown.days_known = false;
    unknown.undecidable = true;
    unknown.problem = "是否超期取决于 2027 年的日历";
    out.push_back(unknown);
    ClockView no_deadline_undecidable;
    no_deadline_undecidable.undecidable = true;
    out.push_back(no_deadline_undecidable);
    return out;
}

}  // namespace

TEST_CASE("the lists' case JSON is byte for byte nlohmann's dump of the case object", "[views][json]") {
    for (const auto& c : cases()) {
        for (const auto& v : clocks()) {
            for (const std::string label : {"派单处置", "", "\"引号\"\x01"}) {
                const nlohmann::json tree = minsheng::case_object(c, v, label, nullptr);
                std::string compact;
                minsheng::append_case_json(compact, c, v, label);
                CHECK(compact == tree.dump());
                std::string pretty = "前缀";
                minsheng::append_case_json(pretty, c, v, label, 2);
                CHECK(pretty == "前缀" + minsheng::cli::indented(tree, 2));
                std::string flush;
                minsheng::append_case_json(flush, c, v, label, 0);
                CHECK(flush == tree.dump(2));
            }
        }
    }
}

TEST_CASE("text that is not UTF-8 is refused as nlohmann refuses it", "[views][json]") {
    CaseState c;
    c.address = "坏\xff字节";
    const ClockView v;
    std::string out;
    CHECK_THROWS_AS(minsheng::case_object(c, v, "", nullptr).dump(), nlohmann::json::type_error);
    CHECK_THROWS_AS(minsheng::append_case_json(out, c, v, ""), nlohmann::json::type_error);
    c.address = "截断\xe6\xb5";
    CHECK_THROWS_AS(minsheng::append_case_json(out, c, v, ""), nlohmann::json::type_error);
}
