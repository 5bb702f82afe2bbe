// Reports in the engine: annual figures for cases whose outcomes the test fixes (built by folding the events
// the runtime decides, no storage), masking of personal data in every format, and the write-up template.
#include "engine/report.h"

#include <sstream>

#include "engine/error.h"
#include "engine/runtime.h"
#include "prelude.h"

using namespace minsheng;
using namespace minsheng::report;

namespace {

// The shipped calendar and workflows, read from the source tree.
struct Shipped {
    Calendar calendar;
    std::map<std::string, Workflow> workflows;
    Shipped() {
        const std::string dir = std::string(MINSHENG_SOURCE_DIR) + "/workflows/";
        const std::string cal = dir + "calendar/cn-holidays.yaml";
        calendar = Calendar(parse_calendar_yaml(read_existing(cal), cal));
        for (const char* c : {"drainage", "road", "sanitation", "dibao", "general"}) {
            const std::string f = dir + c + ".yaml";
            workflows.emplace(c, load_workflow_or_throw(read_existing(f), f));
        }
    }
};

const Shipped& shipped() {
    static const Shipped s;
    return s;
}

// One case told as the runtime would record it: each action decided against the state, then folded in.
class Story {
public:
    Story(const std::string& id, const std::string& category, const std::string& at,
          const std::string& address, const std::string& summary, const std::string& reporter = "",
          const std::string& phone = "")
        : w_(shipped().workflows.at(category)) {
        ReportInput r{address, summary, reporter, phone, "来电", normalize_timestamp(at), ""};
        add(make_open_event(w_, id, r, "王协调"));
    }

    Story& report(const std::string& at, const std::string& reporter, const std::string& phone = "") {
        ReportInput r{state_.address, state_.summary, reporter, phone, "来电", normalize_timestamp(at), ""};
        add(make_report_event(state_, r, "王协调"));
        return *this;
    }

    Story& act(const std::string& action, const std::string& at, std::vector<std::string> departments = {},
               std::vector<std::pair<std::string, std::string>> sets = {}, const std::string& note = "",
               Role role = Role::Coordinator) {
        ActionRequest r;
        r.action = action;
        r.departments = std::move(departments);
        r.sets = std::move(sets);
        r.note = note;
        r.at = normalize_timestamp(at);
        r.actor = role == Role::Supervisor ? "督办甲" : "王协调";
        r.role = role;
        add(decide_action(w_, state_, r, shipped().calendar));
        return *this;
    }
    Story& supervisor(const std::string& action, const std::string& at, const std::string& note = "") {
        return act(action, at, {}, {}, note, Role::Supervisor);
    }

    const CaseState& state() const { return state_; }
    const std::vector<Event>& events() const { return events_; }
    const Workflow& workflow() const { return w_; }
    CaseRecord record() const { return {state_, events_}; }
    WriteUp write_up() const { return make_write_up(state_, events_, w_, shipped().calendar); }

private:
    void add(Event e) {
        e.seq = static_cast<std::int64_t>(events_.size()) + 1;
        apply_event(state_, e, shipped().calendar);
        events_.push_back(std::move(e));
    }
    const Workflow& w_;
    CaseState state_;
    std::vector<Event> events_;
};

const std::map<std::string, std::string> kNames = {{"drainage", "排水/下水道"},
                                                   {"road", "道路/路面"},
                                                   {"sanitation", "环境卫生"},
                                                   {"general", "其他"},
                                                   {"dibao", "低保"}};

// The 海福巷3号 story: three reports, a first repair that did not last, the root cause found on survey.
Story haifu_lane() {
    Story s("2023-0006", "drainage", "2023-06-05T09:10", "海福巷3号",
            "下水道堵塞，导致楼前平台污水满溢，无法正常行走", "宋长松", "13812345678");
    s.report("2023-06-05T15:20", "李桂兰", "13987654321").report("2023-06-06T08:30", "张建国");
    s.act("dispatch", "2023-06-06T09:00", {"街道城管科", "社区居委会"}, {{"elderly", "yes"}})
        .act("reply", "2023-06-08T11:00", {"街道城管科"}, {}, "已疏通楼前主管道")
        .act("resolve", "2023-06-09T16:00", {}, {{"root_cause", "主管道淤堵"}}, "疏通主管道")
        .act("visit", "2023-06-12T10:00", {}, {{"satisfied", "no"}},
             "宋长松说两天后又满溢了，电话13812345678")
        .act("survey", "2023-06-13T10:00", {}, {{"finding", "化粪池已满，主管道被树根堵塞"}})
        .act("resolve", "2023-06-16T17:00", {}, {{"root_cause", "化粪池长期未清掏且主管道被树根堵塞"}},
             "清掏化粪池、更换主管道")
        .act("visit", "2023-06-19T10:00", {}, {{"satisfied", "yes"}});
    return s;
}

// Eight cases received in 2023 and one in 2024, with outcomes fixed here (deadlines per the shipped
// calendar: `minsheng calendar add DATE 20`).
std::vector<Story> year_2023() {
    std::vector<Story> v;
    // A: drainage, 2023-03-01 -> resolved 03-10 (7 working days; deadline 03-29), visit satisfied.
    v.emplace_back("2023-0001", "drainage", "2023-03-01T09:00", "海福巷5号", "窨井盖破损");
    v.back()
        .act("dispatch", "2023-03-02T09:00", {"街道城管科"})
        .act("resolve", "2023-03-10T15:00")
        .act("visit", "2023-03-13T10:00", {}, {{"satisfied", "yes"}});
    // B: road, 2023-03-15 -> resolved 04-20, after its deadline 04-13 (25 working days). No visit yet.
    v.emplace_back("2023-0002", "road", "2023-03-15T09:00", "嘉陵路口", "路面坑洼积水");
    v.back().act("dispatch", "2023-03-15T10:00", {"市政部门"}).act("resolve", "2023-04-20T15:00");
    // E: general, received on a holiday, rejected.
    v.emplace_back("2023-0003", "general", "2023-05-01T10:00", "光华路8号", "咨询社保政策");
    v.back().act("reject", "2023-05-04T09:00", {}, {}, "不属于民生工作站受理范围");
    // F: the 海福巷3号 story (repeat reports, a reopening, two visits); marked typical in 2024.
    v.push_back(haifu_lane());
    v.back().supervisor("mark-typical", "2024-01-10T09:00");
    // G: general, 2023-11-01 (deadline 11-29), suspended on 11-10 and never resumed: not overdue.
    v.emplace_back("2023-0007", "general", "2023-11-01T09:00", "戎苑小区", "楼道灯不亮");
    v.back()
        .act("dispatch", "2023-11-02T09:00", {"社区居委会"})
        .act("suspend", "2023-11-10T09:00", {}, {}, "等待配件");
    // C: sanitation, 2023-11-20 (deadline 12-18); 物业 returned it; resolved only in 2024: overdue at year
    // end.
    v.emplace_back("2023-0008", "sanitation", "2023-11-20T09:00", "海福巷3号", "二楼平台堆满垃圾");
    v.back()
        .act("dispatch", "2023-11-21T09:00", {"物业"})
        .act("return", "2023-11-22T09:00", {"物业"}, {}, "该楼无物业")
        .act("dispatch", "2023-11-22T10:00", {"社区居委会"})
        .act("resolve", "2024-02-01T10:00");
    // H: general, 2023-12-01 (deadline 12-29), never handled: overdue at the end of 2023 and of 2024.
    v.emplace_back("2023-0009", "general", "2023-12-01T09:00", "光华路12号", "噪音扰民");
    // D: drainage, 2023-12-20, resolved 2024-01-05: open (not overdue) at the end of 2023.
    v.emplace_back("2023-0010", "drainage", "2023-12-20T09:00", "光华路3号", "雨水管堵塞");
    v.back().act("dispatch", "2023-12-21T09:00", {"市政部门"}).act("resolve", "2024-01-05T09:00");
    // I: 2024-03-01 (deadline 03-29), never handled.
    v.emplace_back("2024-0001", "drainage", "2024-03-01T09:00", "光华路9号", "下水道返臭");
    return v;
}

std::vector<CaseRecord> records(const std::vector<Story>& stories) {
    std::vector<CaseRecord> r;
    for (const auto& s : stories)
        r.push_back(s.record());
    return r;
}

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}
bool starts_with_text(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("annual figures for 2023 match the outcomes the stories fix", "[report][annual]") {
    const auto stories = year_2023();
    const AnnualStats st = annual_stats(records(stories), 2023, shipped().calendar, kNames);

    CHECK(st.year == 2023);
    CHECK(st.cases == 8);  // I (2024) is not counted
    CHECK(st.by_month == std::array<int, 12>{0, 0, 2, 0, 1, 1, 0, 0, 0, 0, 2, 2});
    CHECK(st.by_category ==
          std::map<std::string, int>{{"drainage", 3}, {"road", 1}, {"sanitation", 1}, {"general", 3}});
    CHECK(st.category_names.at("drainage") == "排水/下水道");
    // 物业 returned its task (退单): not counted.
    CHECK(st.by_department ==
          std::map<std::string, int>{{"街道城管科", 2}, {"市政部门", 2}, {"社区居委会", 3}});
    CHECK(st.resolved == 3);  // A, B, F; C and D were resolved only in 2024
    CHECK(st.on_time == 2);   // A and F (both of F's rounds); B was late
    REQUIRE(st.on_time_rate);
    CHECK(*st.on_time_rate == Approx(0.6667));
    REQUIRE(st.median_working_days);
    CHECK(*st.median_working_days == Approx(9));  // A 7, F 9, B 25
    CHECK(st.overdue == 2);                       // C and H; G is suspended, D's deadline is in 2024
    CHECK(st.overdue_received_in_year == 2);
    CHECK(st.reopened == 1);
    CHECK(st.repeat_reports == 2);
    CHECK(st.cases_with_repeat_reports == 1);
    CHECK(st.visits == 3);  // A yes, F no, F yes
    CHECK(st.satisfied == 2);
    REQUIRE(st.satisfaction_rate);
    CHECK(*st.satisfaction_rate == Approx(0.6667));
    CHECK(st.rejected == 1);
    CHECK(st.open == 4);  // C, D, G, H
    CHECK(st.resolved + st.rejected + st.open == st.cases);
    CHECK(st.typical == std::vector<std::string>{"2023-0006"});  // marked in 2024, still 2023's

    const nlohmann::json j = annual_json(st, {});
    for (const char* key : {"year", "cases", "by_category", "by_department", "resolved", "on_time",
                            "on_time_rate", "median_working_days", "overdue", "reopened", "repeat_reports",
                            "visits", "satisfied", "typical", "by_month", "definitions"})
        CHECK(j.contains(key));
    CHECK(j["median_working_days"] == 9);
    CHECK(j["on_time_rate"].is_number_float());
    CHECK(j["by_department"]["社区居委会"] == 3);
    CHECK(j["definitions"].contains("overdue"));
}

TEST_CASE("annual figures for 2024: overdue counts cases carried over from 2023", "[report][annual]") {
    const AnnualStats st = annual_stats(records(year_2023()), 2024, shipped().calendar, kNames);
    CHECK(st.cases == 1);
    CHECK(st.overdue == 2);  // H (2023) and I (2024)
    CHECK(st.overdue_received_in_year == 1);
    CHECK(st.resolved == 0);
    CHECK_FALSE(st.on_time_rate);
    CHECK_FALSE(st.median_working_days);
    CHECK(st.typical.empty());
    CHECK(annual_json(st, {})["on_time_rate"].is_null());
}

TEST_CASE("annual figures need the year in the calendar", "[report][annual]") {
    try {
        annual_stats(records(year_2023()), 2022, shipped().calendar, kNames);
        FAIL("a year the calendar lacks was accepted");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(contains(e.what(), "2022"));
    }
}

TEST_CASE("annual statistics of a year without cases", "[report][annual]") {
    const AnnualStats st = annual_stats({}, 2025, shipped().calendar, kNames);
    CHECK(st.cases == 0);
    CHECK(st.overdue == 0);
    CHECK_FALSE(st.on_time_rate);
    // Every format renders.
    CHECK(contains(annual_markdown(st, {}), "本年没有列为典型事例的案件"));
    CHECK(contains(annual_html(st, {}), "<svg"));
    CHECK(contains(annual_csv(st, {}), "汇总,cases,受理案件,0"));
}

TEST_CASE("every annual format states the headline figures and their definitions", "[report][annual]") {
    const auto stories = year_2023();
    const AnnualStats st = annual_stats(records(stories), 2023, shipped().calendar, kNames);
    const std::vector<WriteUp> typical = {stories[3].write_up()};

    const std::string md = annual_markdown(st, typical);
    CHECK(contains(md, "| 受理案件 | 8 件 |"));
    CHECK(contains(md, "| 按时办结率 | 66.7% |"));
    CHECK(contains(md, "| 办结用时中位数 | 9 个工作日 |"));
    CHECK(contains(md, "### 典型事例一：海福巷3号 · 排水/下水道"));
    CHECK(contains(md, "## 口径说明"));
    CHECK(contains(md, "包括往年受理、结转至本年的案件"));

    const std::string html = annual_html(st, typical);
    CHECK(contains(html, "@page { size: A4"));
    CHECK(contains(html, "Noto Sans CJK SC"));
    CHECK(contains(html, "WenQuanYi"));
    CHECK(contains(html, "<svg"));
    CHECK(contains(html, "66.7%"));
    // Self-contained: no script, nothing fetched.
    CHECK_FALSE(contains(html, "<script"));
    CHECK_FALSE(contains(html, "http://"));
    CHECK_FALSE(contains(html, "https://"));
    CHECK_FALSE(contains(html, "src="));
    CHECK_FALSE(contains(html, "url("));

    const std::string csv = annual_csv(st, typical);
    CHECK(contains(csv, "分类,键,项目,数值\r\n"));
    CHECK(contains(csv, "汇总,on_time,按时办结,2\r\n"));
    CHECK(contains(csv, "按月,2023-11,11月,2\r\n"));
    CHECK(contains(csv, "按部门,社区居委会,社区居委会,3\r\n"));
    CHECK(contains(csv, "典型事例,2023-0006,"));
}

TEST_CASE("the masker hides names, phones and ID numbers inside free text", "[report][mask]") {
    Masker m;
    m.add_name("宋长松");
    m.add_name("欧阳娜娜");
    m.add_name("宋");  // a lone surname is not a name to hunt for
    m.add_phone("025-84561234");
    CHECK(m("宋长松反映下水道堵塞") == "宋某反映下水道堵塞");
    CHECK(m("欧阳娜娜和宋长松") == "欧阳某和宋某");
    CHECK(m("宋庄") == "宋庄");
    m.add_name("网格员");  // not a name
    CHECK(m("网格员巡查发现") == "网格员巡查发现");
    CHECK(m("电话13812345678。") == "电话138****5678。");
    CHECK(m("电话 138-1234-5678 或 138 1234 5678") == "电话 138****5678 或 138****5678");
    CHECK(m("+8613812345678") == "+86138****5678");
    CHECK(m("座机025-84561234") == "座机025****1234");
    CHECK(m("全角１３８１２３４５６７８") == "全角138****5678");
    CHECK(m("身份证32010219520304123X号") == "身份证320102********123X号");
    CHECK(m("身份证320102195203041234") == "身份证320102********1234");
    // Not phone numbers: dates, amounts, a 12-digit number, a number starting 12.
    CHECK(m("2023-06-05 收到 1200 元") == "2023-06-05 收到 1200 元");
    CHECK(m("编号138123456789") == "编号138123456789");
    CHECK(m("12345678901") == "12345678901");
}

TEST_CASE("no name, phone or ID number survives in any output", "[report][mask]") {
    Story s("2023-0042", "general", "2023-06-05T09:00", "海福巷71号",
            "宋长松反映邻居宋亮占用楼道，电话13912345678，身份证32010219520304123X", "宋长松", "13812345678");
    s.report("2023-06-06T09:00", "李桂兰", "13987654321");
    s.act("dispatch", "2023-06-06T10:00", {"社区居委会"}, {{"persons", "宋亮"}}, "宋长松要求尽快处理")
        .act("reply", "2023-06-08T10:00", {"社区居委会"}, {}, "已联系李桂兰（13987654321）和宋亮")
        .act("resolve", "2023-06-09T10:00", {}, {{"root_cause", "宋亮在楼道堆放杂物，李桂兰多次劝说无效"}},
             "宋亮已清走杂物")
        .act("visit", "2023-06-12T10:00", {}, {{"satisfied", "yes"}}, "宋长松表示满意")
        .supervisor("mark-typical", "2023-06-20T10:00");
    const WriteUp w = s.write_up();
    const AnnualStats st = annual_stats({s.record()}, 2023, shipped().calendar, kNames);
    const std::vector<std::pair<std::string, std::string>> outputs = {
        {"md", write_ups_markdown({w})},       {"html", write_ups_html({w})},
        {"json", write_ups_json({w}).dump()},  {"annual md", annual_markdown(st, {w})},
        {"annual html", annual_html(st, {w})}, {"annual json", annual_json(st, {w}).dump()},
        {"annual csv", annual_csv(st, {w})},
    };
    for (const auto& [name, text] : outputs) {
        INFO(name << ":\n" << text);
        for (const char* secret : {"宋长松", "宋亮", "李桂兰", "13912345678", "13812345678", "13987654321",
                                   "32010219520304123X", "1952030412"})
            CHECK_FALSE(contains(text, secret));
    }
    const std::string plain = write_ups_json({w}).dump();
    CHECK(contains(plain, "宋某"));
    CHECK(contains(plain, "李某"));
    CHECK(contains(plain, "139****5678"));
    CHECK(contains(plain, "320102********123X"));
    // Markdown shows the asterisks literally (escaped), HTML as they are.
    CHECK(contains(write_ups_markdown({w}), "139\\*\\*\\*\\*5678"));
    CHECK(contains(write_ups_html({w}), "139****5678"));
}

TEST_CASE("case text cannot inject markup into HTML or Markdown", "[report][escape]") {
    Story s("2023-0043", "general", "2023-06-05T09:00", "<b>海福巷</b>",
            "<script>alert(1)</script>下水道 & \"管道\"");
    s.supervisor("mark-typical", "2023-06-05T10:00");
    const WriteUp w = s.write_up();
    const AnnualStats st = annual_stats({s.record()}, 2023, shipped().calendar, kNames);
    for (const std::string& html : {write_ups_html({w}), annual_html(st, {w})}) {
        CHECK_FALSE(contains(html, "<script"));
        CHECK_FALSE(contains(html, "<b>"));
        CHECK(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;下水道 &amp; &quot;管道&quot;"));
    }
    const std::string md = write_ups_markdown({w});
    CHECK_FALSE(contains(md, "<script>"));
    CHECK(contains(md, "\\<script\\>"));
}

TEST_CASE("the write-up template: placeholders, sections, inverted and nested sections",
          "[report][template]") {
    const TemplateValues v = {{"address", "海福巷3号"}, {"repeated", "是"}, {"report_times", "多次"},
                              {"reopen_count", "0"},    {"root_cause", ""}, {"fields.finding", "化粪池满"}};
    CHECK(render_template("群众{{address}}", v) == "群众海福巷3号");
    CHECK(render_template("{{ address }}", v) == "海福巷3号");
    CHECK(render_template("{{#repeated}}{{report_times}}{{/repeated}}反映", v) == "多次反映");
    CHECK(render_template("{{#root_cause}}原因：{{root_cause}}{{/root_cause}}", v).empty());
    CHECK(render_template("{{^root_cause}}原因不明{{/root_cause}}", v) == "原因不明");
    CHECK(render_template("{{#reopen_count}}重开{{/reopen_count}}{{^reopen_count}}未重开{{/reopen_count}}",
                          v) == "未重开");  // "0" counts as empty
    CHECK(render_template("{{#repeated}}A{{^root_cause}}B{{/root_cause}}C{{/repeated}}", v) == "ABC");
    CHECK(render_template("{{fields.finding}}/{{fields.nothing}}", v) == "化粪池满/");
    CHECK(render_template("{{! a comment }}x", v) == "x");
    // A section tag alone on its line takes the line with it.
    CHECK(render_template("a\n  {{#root_cause}}\nb\n{{/root_cause}}\nc\n", v) == "a\nc\n");
    CHECK(render_template("a\n{{#repeated}}\nb\n{{/repeated}}\nc", v) == "a\nb\nc");

    CHECK(template_problems("{{address}}{{#repeated}}x{{/repeated}}").empty());
    auto problems = template_problems("第一行\n{{adress}}");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 2);
    CHECK(problems[0].offset == std::string("第一行\n").size());
    CHECK(problems[0].message == "未知的占位符 \"adress\"（是 \"address\" 吗？）");
    CHECK(problems[0].to_string() == "第 2 行：未知的占位符 \"adress\"（是 \"address\" 吗？）");
    CHECK(contains(template_problems("{{zzzz}}").at(0).message, "（可用的有：id、category、"));
    CHECK(template_problems("{{#repeated}}x").size() == 1);
    CHECK(template_problems("{{#repeated}}x").at(0).message ==
          "段落 \"repeated\" 没有用 {{/repeated}} 关闭");
    CHECK(template_problems("{{#repeated}}x{{/resolved}}{{/repeated}}").at(0).message ==
          "\"{{/resolved}}\" 与尚未关闭的 \"{{#repeated}}\" 不配对：这里应是 \"{{/repeated}}\"");
    // In template order, the section never closed (reported once the end is reached) first.
    problems = template_problems("{{#repeated}}x{{nope}}");
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].offset == 0);
    CHECK(problems[1].offset == 14);
    problems = template_problems("{{#repeated}}\n{{#resolved}}\n\n{{nope}}\n");
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].line == 1);
    CHECK(problems[1].line == 2);
    CHECK(problems[2].line == 4);
    CHECK(template_problems("{{/repeated}}").size() == 1);
    CHECK(template_problems("{{address").size() == 1);
    CHECK(template_problems("{{{address}}}").size() == 1);
    CHECK(template_problems("{{}}").size() == 1);
    try {
        render_template("{{nope}}", v);
        FAIL("an unknown placeholder was rendered");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(contains(e.what(), "nope"));
    }
}

TEST_CASE("the shipped workflows' write_up templates are valid", "[report][template]") {
    for (const auto& [category, w] : shipped().workflows) {
        INFO(category);
        CHECK_FALSE(w.write_up.empty());
        CHECK(template_problems(w.write_up).empty());
    }
    CHECK(template_problems(kDefaultWriteUp).empty());
}

TEST_CASE("workflows/README.md lists exactly the placeholders the renderer knows", "[report][template]") {
    // The table under "| placeholder | value |": rows "| `{{name}}` | meaning |" in the order of
    // write_up_placeholders(), then fields.KEY.
    std::istringstream readme(read_existing(MINSHENG_SOURCE_DIR "/workflows/README.md"));
    std::string line;
    while (std::getline(readme, line) && line != "| placeholder | value |") {
    }
    REQUIRE(std::getline(readme, line));  // | --- | --- |
    std::vector<std::pair<std::string, std::string>> documented;
    const std::string open = "| `{{";
    const std::string close = "}}` | ";
    while (std::getline(readme, line) && line.rfind(open, 0) == 0) {
        const size_t end = line.find(close);
        REQUIRE(end != std::string::npos);
        const size_t meaning = end + close.size();
        REQUIRE(line.size() >= meaning + 2);
        documented.emplace_back(line.substr(open.size(), end - open.size()),
                                line.substr(meaning, line.size() - meaning - 2));
    }
    REQUIRE_FALSE(documented.empty());
    CHECK(documented.back().first == "fields.KEY");
    documented.pop_back();
    std::vector<std::pair<std::string, std::string>> known;
    for (const auto& p : write_up_placeholders())
        known.emplace_back(p.name, p.meaning);
    REQUIRE(documented.size() == known.size());
    for (size_t i = 0; i < known.size(); ++i) {
        CHECK(documented[i].first == known[i].first);
        CHECK(documented[i].second == known[i].second);
    }
}

TEST_CASE("a bad write_up template is refused naming the workflow", "[report][template]") {
    Story s("2023-0050", "general", "2023-06-05T09:00", "海福巷3号", "楼道灯不亮");
    Workflow w = s.workflow();
    w.write_up = "{{address}}{{#resolved}}";
    try {
        make_write_up(s.state(), s.events(), w, shipped().calendar);
        FAIL("a bad template was accepted");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(contains(e.what(), "general"));
        CHECK(contains(e.what(), "resolved"));
    }
    w.write_up = "";  // no template: the default one
    CHECK(contains(make_write_up(s.state(), s.events(), w, shipped().calendar).paragraphs.at(0),
                   "海福巷3号楼道灯不亮"));
}

TEST_CASE("the 海福巷3号 write-up reads like 典型事例一", "[report][writeup]") {
    const Story s = haifu_lane();
    const TemplateValues v = write_up_values(s.state(), s.events(), s.workflow(), shipped().calendar);
    CHECK(v.at("report_count") == "3");
    CHECK(v.at("report_times") == "多次");
    CHECK(v.at("reporters") == "宋某、李某、张某");
    CHECK(v.at("difficulties") == "多次反映，多次维修未彻底解决，老年人居多");
    CHECK(v.at("other_difficulties") == "多次维修未彻底解决，老年人居多");
    CHECK(v.at("lead_department") == "街道城管科");
    CHECK(v.at("co_departments") == "社区居委会");
    CHECK(v.at("departments_detail") == "街道城管科（牵头）、社区居委会（配合）");
    CHECK(v.at("first_dispatch_date") == "2023年6月6日");
    CHECK(v.at("dispatched_promptly") == "是");
    CHECK(v.at("received_date") == "2023年6月5日");
    CHECK(v.at("working_days") == "9");
    CHECK(v.at("on_time") == "是");
    CHECK(v.at("resolution") == "清掏化粪池、更换主管道");
    CHECK(v.at("actions_taken") ==
          "街道城管科反馈：已疏通楼前主管道；疏通主管道后办结；回访群众不满意，重新办理；现场勘查：化粪池已满"
          "，主管道被树根堵塞；"
          "清掏化粪池、更换主管道");
    CHECK(v.at("visit_result") ==
          "2023年6月12日回访，群众表示不满意，重新办理（宋某说两天后又满溢了，电话138****"
          "5678）；2023年6月19日回访，群众表示满意");

    const WriteUp w = s.write_up();
    REQUIRE(w.paragraphs.size() == 2);
    CHECK(starts_with_text(w.paragraphs[0],
                           "收集到群众多次反映海福巷3号下水道堵塞，导致楼前平台污水满溢，无法正常行走，多次维"
                           "修未彻底解决，老年人居多。"));
    CHECK(contains(w.paragraphs[0],
                   "民生工作站2023年6月5日接报后，于2023年6月6日迅速联系街道城管科与社区居委会一同办理"));
    CHECK(contains(w.paragraphs[0],
                   "于9个工作日内找到问题的根本原因——化粪池长期未清掏且主管道被树根堵塞，经清掏化粪池、更换主"
                   "管道，彻底根除了问题。"));
    CHECK(starts_with_text(w.paragraphs[1], "回访情况："));
    CHECK(w.heading == "海福巷3号 · 排水/下水道");
}

TEST_CASE("an unresolved case's write-up says where it stands", "[report][writeup]") {
    Story s("2023-0060", "road", "2023-06-05T09:00", "海福巷3号", "楼前道路坑洼积水");
    s.act("dispatch", "2023-06-05T10:00", {"市政部门"}, {{"no_property", "yes"}});
    const WriteUp w = s.write_up();
    REQUIRE_FALSE(w.paragraphs.empty());
    CHECK(contains(w.paragraphs[0], "收集到群众反映海福巷3号楼前道路坑洼积水，无物业。"));
    CHECK(contains(w.paragraphs[0], "目前该案正在办理中。"));
    CHECK_FALSE(contains(w.paragraphs[0], "个工作日内"));
}

TEST_CASE("dates and ordinals in Chinese", "[report]") {
    CHECK(chinese_date(parse_date("2023-06-05")) == "2023年6月5日");
    CHECK(chinese_date(parse_date("2023-12-31")) == "2023年12月31日");
    CHECK(chinese_ordinal(1) == "一");
    CHECK(chinese_ordinal(10) == "十");
    CHECK(chinese_ordinal(12) == "十二");
    CHECK(chinese_ordinal(20) == "二十");
    CHECK(chinese_ordinal(21) == "二十一");
    CHECK(markdown_escape("a*b_c") == "a\\*b\\_c");
    CHECK(html_escape("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
}

// Issue 14: the masking rules of README.md "Personal data in reports", one row each, checked in every format
// a write-up reaches (typical md, html, json; annual md, html, json, csv).
TEST_CASE("each masking rule holds in every report format", "[report][mask]") {
    struct Row {
        const char* rule;
        const char* reporter;
        const char* phone;
        const char* address;
        const char* text;                   // written by people: summary, a reply's note, the department
        const char* department;             // dispatched to
        std::vector<const char*> secrets;   // never in any output
        std::vector<const char*> expected;  // in the plain-text (JSON) write-up
    };
    const std::vector<Row> rows = {
        {"a name with any middle dot, or none",
         "阿卜杜·热合曼",
         "",
         "海福巷3号",
         "阿卜杜•热合曼反映；阿卜杜・热合曼再次反映；阿卜杜热合曼、阿卜杜 · 热合曼、阿卜杜‧热合曼都说",
         "社区居委会",
         {"热合曼", "卜杜"},
         {"阿某反映", "阿某再次反映"}},
        {"a name with spaces or invisible characters inside",
         "宋长松",
         "",
         "海福巷3号",
         "宋 长 松反映，宋\u200B长松再次反映",
         "社区居委会",
         {"长松", "长 松"},
         {"宋某反映", "宋某再次反映"}},
        {"landlines in any spelling",
         "匿名",
         "025-84561234",
         "海福巷3号",
         "座机02584561234，或(025) 8456 1234，或025－84561234，或（025）84561234",
         "社区居委会",
         {"8456", "84561234"},
         {"025****1234"}},
        {"mobiles with dots, slashes, dashes or odd spacing",
         "匿名",
         "",
         "海福巷3号",
         "电话138.7654.3210、138/7654/3210、138 - 7654 - 3210、1 38 7654 3210、138－7654－3210、+86 "
         "13876543210",
         "社区居委会",
         {"7654", "765 4"},
         {"138****3210"}},
        {"ID numbers with spaces or dashes, the last may be X",
         "匿名",
         "",
         "海福巷3号",
         "身份证110101 19900101 123X，110101-1990-0101-123x，11010119900101123X",
         "社区居委会",
         {"19900101", "1990-0101", "1990 0101"},
         {"110101********123X"}},
        {"the facts line (牵头单位) is masked too",
         "匿名",
         "",
         "海福巷3号",
         "已派单",
         "社区居委会（联系人13876543210）",
         {"13876543210", "7654"},
         {"社区居委会（联系人138****3210）"}},
        {"place, address and department names never change",
         "王府",
         "",
         "王府井大街5号",
         "王府井大街的下水道堵塞，王府反映多次，请王府井街道城管科处理",
         "王府井街道城管科",
         {"王某井"},
         {"王府井大街", "王府井街道城管科", "王某反映"}},
    };
    for (const Row& row : rows) {
        CAPTURE(row.rule);
        Story s("2023-0042", "general", "2023-06-05T09:00", row.address, row.text, row.reporter, row.phone);
        s.act("dispatch", "2023-06-06T10:00", {row.department})
            .act("reply", "2023-06-08T10:00", {row.department}, {}, row.text)
            .act("resolve", "2023-06-09T10:00", {}, {{"root_cause", row.text}}, row.text)
            .act("visit", "2023-06-12T10:00", {}, {{"satisfied", "yes"}}, row.text)
            .supervisor("mark-typical", "2023-06-20T10:00");
        const WriteUp w = s.write_up();
        const AnnualStats st = annual_stats({s.record()}, 2023, shipped().calendar, kNames);
        const std::vector<std::pair<std::string, std::string>> outputs = {
            {"md", write_ups_markdown({w})},       {"html", write_ups_html({w})},
            {"json", write_ups_json({w}).dump()},  {"annual md", annual_markdown(st, {w})},
            {"annual html", annual_html(st, {w})}, {"annual json", annual_json(st, {w}).dump()},
            {"annual csv", annual_csv(st, {w})},
        };
        for (const auto& [name, text] : outputs) {
            INFO(name << ":\n" << text);
            for (const char* secret : row.secrets)
                CHECK_FALSE(contains(text, secret));
        }
        const std::string plain = write_ups_json({w}).dump();
        INFO(plain);
        for (const char* e : row.expected)
            CHECK(contains(plain, e));
    }
}

TEST_CASE("resident text cannot give a Markdown report structure", "[report][escape]") {
    const std::string text = "第一段\n\n- 列表项\n---\n1. 编号项\n# 标题\n+ 加号\n> 引用\n    缩进代码\n===";
    Story s("2023-0044", "general", "2023-06-05T09:00", "海福巷3号", text);
    s.act("dispatch", "2023-06-06T10:00", {"社区居委会"})
        .act("reply", "2023-06-08T10:00", {"社区居委会"}, {}, text)
        .act("resolve", "2023-06-09T10:00", {}, {}, text)
        .supervisor("mark-typical", "2023-06-20T10:00");
    const WriteUp w = s.write_up();
    const AnnualStats st = annual_stats({s.record()}, 2023, shipped().calendar, kNames);
    for (const std::string& md : {write_ups_markdown({w}), annual_markdown(st, {w})}) {
        INFO(md);
        std::istringstream in(md);
        std::string line;
        while (std::getline(in, line)) {
            CAPTURE(line);
            // No line a resident wrote starts a list, a rule, a numbered item, a heading, a quote or a code
            // block: only the report's own headings, quote (the facts line) and notes do.
            for (const char* marker : {"- 列表项", "+ 加号", "---", "===", "1. 编号项", "    缩进", "# 标题",
                                       "> 引用", "列表项", "编号项", "标题", "加号", "引用", "缩进代码"})
                CHECK_FALSE(line.rfind(marker, 0) == 0);
            CHECK((line.find("列表项") == std::string::npos || line.find("第一段") != std::string::npos));
        }
    }
    // The text stays in one paragraph of the write-up.
    size_t with_text = 0;
    for (const auto& p : w.paragraphs)
        with_text += contains(p, "第一段");
    CHECK(with_text >= 1);
    for (const auto& p : w.paragraphs)
        if (contains(p, "第一段")) CHECK(contains(p, "编号项"));
    CHECK(markdown_escape("- a\n\n1. b\n---\n# c") == "\\- a 1. b --- \\# c");
    CHECK(markdown_escape("1. b") == "1\\. b");
    CHECK(markdown_escape("---") == "\\---");
}

// Issue 16: every shipped template, on a case done in two rounds and escalated, reads as Chinese: no word
// said twice where two values meet, no "经已", no internal names; the rounds and the escalation are told.
TEST_CASE("each shipped write-up tells two rounds apart, mentions the escalation and does not stutter",
          "[report][write-up]") {
    for (const char* category : {"drainage", "road", "sanitation", "dibao", "general"}) {
        CAPTURE(category);
        const Workflow& wf = shipped().workflows.at(category);
        Story s("2025-0001", category, "2025-03-03T09:00", "车棚", "车棚顶上漏水", "张桂芳", "13851234567");
        s.act("dispatch", "2025-03-03T10:00", {wf.departments.front()})
            .act("resolve", "2025-03-05T10:00", {}, {}, "已疏通")
            .act("visit", "2025-03-06T10:00", {}, {{"satisfied", "no"}})
            .supervisor("escalate", "2025-04-08T10:00", "逾期未办")
            .supervisor("escalate", "2025-04-09T10:00", "仍未办")
            .supervisor("escalate", "2025-04-10T10:00", "全街道通报")
            .act("resolve", "2025-04-11T10:00", {}, {{"root_cause", "管道老化"}}, "已更换管道")
            .act("visit", "2025-04-14T10:00", {}, {{"satisfied", "yes"}});
        const WriteUp w = s.write_up();
        std::string text;
        for (const auto& p : w.paragraphs)
            text += p + "\n";
        for (const auto& [label, value] : w.facts)
            text += label + "：" + value + "\n";
        INFO(text);
        CHECK_FALSE(contains(text, "车棚车棚"));
        CHECK_FALSE(contains(text, "经已"));
        CHECK(contains(text, "通报"));
        CHECK(contains(text, "首轮"));
        // Never "N working days, within the limit" for the whole of a case done in rounds.
        CHECK_FALSE(contains(text, "（时限20个工作日，按时办结）"));
        for (const char* internal : {"_", "case do", "{{", "}}", "mark-typical"})
            CHECK_FALSE(contains(text, internal));
    }
}

TEST_CASE("the annual footnotes name no internal key or command", "[report][annual]") {
    for (const auto& [key, text] : annual_definitions(2025)) {
        CAPTURE(key);
        for (const char* internal : {"_", "case do", "mark-typical"})
            CHECK_FALSE(contains(text, internal));
    }
}
