// SPEC Part 2 "Speaking the station's language", "Finding cases" and the first rule of "Next steps", run
// through the built program: Chinese names wherever an id is accepted, people's output in Chinese (help and
// CLI11's own errors included), the readable history, the search filters, and `case do ID` without an action.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "test_support.h"

using Catch::Matchers::Contains;
using minsheng::test::fresh_station;
using minsheng::test::ok_json;
using minsheng::test::one_line;
using minsheng::test::run_minsheng;
using minsheng::test::RunResult;
using minsheng::test::sql_exec;
using minsheng::test::TempDir;
using nlohmann::json;

namespace {

const std::string kSupervisor = "督办甲";
const std::string kCoordinator = "王协调";

RunResult as(const std::string& db, const std::string& actor, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--db", db, "--as", actor, "--today", "2025-06-30"};
    all.insert(all.end(), args.begin(), args.end());
    return run_minsheng(all);
}

RunResult ok(const RunResult& r) {
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
}

std::string open_case(const std::string& db, const std::string& category, const std::string& address,
                      const std::string& at, const std::string& reporter = "宋长松",
                      const std::string& phone = "138-1234-5678") {
    return ok_json(
        as(db, kCoordinator,
           {"--json", "case", "open", "--category", category, "--address", address, "--summary",
            "下水道堵塞，污水漫到人行道", "--reporter", reporter, "--phone", phone, "--at", at}))["id"];
}

std::vector<std::string> ids_of(const RunResult& r) {
    std::vector<std::string> out;
    for (const auto& c : ok_json(r))
        out.push_back(c["id"]);
    return out;
}

}  // namespace

TEST_CASE("Chinese names work wherever an id does", "[cli][e2e][chinese]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "排水", "海福巷8号", "2025-06-02T09:00");
    CHECK(ok_json(as(db, kCoordinator, {"--json", "case", "show", id}))["category"] == "drainage");
    // The whole name and the id name the same category.
    open_case(db, "排水/下水道", "海福巷9号", "2025-06-02T10:00");
    CHECK(ids_of(as(db, kCoordinator, {"--json", "case", "list", "--category", "排水"})).size() == 2);
    CHECK(ids_of(as(db, kCoordinator, {"--json", "case", "list", "--category", "drainage"})).size() == 2);

    SECTION("an unknown category lists the known names; a list is refused, not printed empty") {
        const RunResult r = as(db, kCoordinator, {"case", "list", "--category", "水电"});
        CHECK(r.exit_code == 5);
        CHECK(one_line(r.err));
        CHECK_THAT(r.err, Contains("未知的类别「水电」") && Contains("排水/下水道") && Contains("drainage"));
        CHECK(r.out.empty());
    }
    SECTION("actions by label or a part of it, choices by label; 基本满意 closes the case") {
        ok(as(db, kCoordinator, {"case", "do", id, "派单", "--department", "街道城管科"}));
        ok(as(db, kCoordinator, {"case", "do", id, "办理完毕", "--set", "root_cause=主管道堵塞"}));
        const RunResult visit =
            ok(as(db, kCoordinator, {"case", "do", id, "回访", "--set", "satisfied=基本满意"}));
        CHECK_THAT(visit.out, Contains("回访") && Contains("办结归档"));
        const json c = ok_json(as(db, kCoordinator, {"--json", "case", "show", id}));
        CHECK(c["phase"] == "closed");
        CHECK(c["fields"]["satisfied"] == "basic");
        // --json keeps ids: the history names the action by its id.
        CHECK(c["history"][1]["action"] == "dispatch");
    }
    SECTION("不满意 sends the case back to coordination") {
        ok(as(db, kCoordinator, {"case", "do", id, "转办", "--department", "街道城管科"}));
        ok(as(db, kCoordinator, {"case", "do", id, "resolve", "--set", "root_cause=主管道堵塞"}));
        ok(as(db, kCoordinator, {"case", "do", id, "visit", "--set", "satisfied=不满意"}));
        CHECK(ok_json(as(db, kCoordinator, {"--json", "case", "show", id}))["phase"] == "coordination");
    }
    SECTION("phases and roles by their Chinese names") {
        CHECK(ids_of(as(db, kCoordinator, {"--json", "case", "list", "--phase", "受理"})).size() == 2);
        CHECK(ids_of(as(db, kCoordinator, {"--json", "case", "list", "--phase", "办理"})).empty());
        ok(as(db, kSupervisor, {"staff", "add", "李协调", "--role", "协调员"}));
        ok(as(db, kSupervisor, {"staff", "add", "赵督办", "--role", "督办"}));
        const RunResult bad = as(db, kSupervisor, {"staff", "add", "钱某", "--role", "主任"});
        CHECK(bad.exit_code == 2);
        CHECK_THAT(bad.err, Contains("未知的角色「主任」") && Contains("协调员"));
    }
    SECTION("an unknown action is refused with the actions possible now") {
        const RunResult r = as(db, kCoordinator, {"case", "do", id, "飞"});
        CHECK(r.exit_code == 3);
        CHECK(one_line(r.err));
        CHECK_THAT(r.err,
                   Contains("未知的动作「飞」") && Contains("现在可做") && Contains("派单/转办（dispatch）"));
    }
    SECTION("a refused action names what is possible now") {
        const RunResult r = as(db, kCoordinator, {"case", "do", id, "回访", "--set", "satisfied=满意"});
        CHECK(r.exit_code == 3);
        CHECK(one_line(r.err));
        CHECK_THAT(r.err, Contains("现在可做") && Contains("dispatch") && Contains("不予受理"));
        const std::string possible = r.err.substr(r.err.find("现在可做"));
        CHECK(possible.find("回访（visit）") == std::string::npos);
    }
}

TEST_CASE("a name two things share is a usage error listing them", "[cli][e2e][chinese]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string wf = dir.file("wf");
    std::filesystem::create_directory(wf);
    // Two workflows whose names share the part 维修.
    for (const auto& [cat, name] : {std::pair{"lift", "电梯/维修"}, std::pair{"roof", "屋面/维修"}}) {
        std::string text =
            minsheng::test::read_existing(std::string(MINSHENG_SOURCE_DIR) + "/workflows/general.yaml");
        text = std::regex_replace(text, std::regex("\ncategory: [^\n]*"), std::string("\ncategory: ") + cat);
        text = std::regex_replace(text, std::regex("\nname: [^\n]*"), std::string("\nname: ") + name);
        minsheng::test::write_text(wf + "/" + cat + ".yaml", text);
    }
    ok(as(db, kSupervisor, {"workflow", "load", wf}));
    const RunResult r =
        as(db, kCoordinator,
           {"case", "open", "--category", "维修", "--address", "海福巷8号", "--summary", "漏水"});
    CHECK(r.exit_code == 2);
    CHECK(one_line(r.err));
    CHECK_THAT(r.err, Contains("有歧义") && Contains("lift（电梯/维修）") && Contains("roof（屋面/维修）"));
}

TEST_CASE("case do ID without an action lists what the acting person may do now", "[cli][e2e][next]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "drainage", "海福巷8号", "2025-06-02T09:00");
    const json next = ok_json(as(db, kCoordinator, {"--json", "case", "do", id}));
    std::set<std::string> actions;
    for (const auto& a : next) {
        actions.insert(a["action"]);
        CHECK(a.contains("label"));
        CHECK(a["requires"].is_array());
        CHECK(a["choices"].is_object());
    }
    // In intake a coordinator may dispatch, reject, note, suspend; not visit, resolve, reopen or escalate.
    CHECK(actions.count("dispatch"));
    CHECK(actions.count("reject"));
    CHECK(actions.count("note"));
    CHECK_FALSE(actions.count("visit"));
    CHECK_FALSE(actions.count("resolve"));
    CHECK_FALSE(actions.count("reopen"));
    CHECK_FALSE(actions.count("mark-typical"));  // supervisors only
    CHECK_FALSE(actions.count("resume"));        // not suspended

    ok(as(db, kCoordinator, {"case", "do", id, "dispatch", "--department", "街道城管科"}));
    ok(as(db, kCoordinator, {"case", "do", id, "resolve", "--set", "root_cause=主管道堵塞"}));
    const json after = ok_json(as(db, kCoordinator, {"--json", "case", "do", id}));
    json visit;
    for (const auto& a : after)
        if (a["action"] == "visit") visit = a;
    REQUIRE(visit.is_object());
    CHECK(visit["requires"] == json::array({"satisfied"}));
    CHECK(visit["choices"]["satisfied"] == json::array({"yes", "basic", "no"}));

    const RunResult text = ok(as(db, kCoordinator, {"case", "do", id}));
    CHECK_THAT(text.out, Contains("现在可做") && Contains("回访") && Contains("基本满意（basic）") &&
                             Contains("--set satisfied=…"));
}

TEST_CASE("people's output is Chinese: help, CLI11's errors, history, empty answers", "[cli][e2e][chinese]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    SECTION("--help and its labels") {
        const RunResult h = ok(run_minsheng({"case", "open", "--help"}));
        CHECK_THAT(h.out,
                   Contains("用法") && Contains("选项") && Contains("登记群众反映") && Contains("（必填）"));
        CHECK(h.out.find("REQUIRED") == std::string::npos);
        CHECK(h.out.find("Usage") == std::string::npos);
        CHECK(h.out.find("OPTIONS") == std::string::npos);
        // A checked option's type and range in words, not CLI11's "INT:INT in [1900 - 9999]".
        const RunResult annual = ok(run_minsheng({"report", "annual", "--help"}));
        CHECK_THAT(annual.out, Contains("--year 整数:1900 到 9999") && Contains("--format 文字:{md,"));
        CHECK(annual.out.find("INT") == std::string::npos);
        CHECK(annual.out.find("TEXT") == std::string::npos);
        CHECK(annual.out.find(" in [") == std::string::npos);
    }
    SECTION("a missing command, an unexpected argument, a missing option") {
        const RunResult none = run_minsheng({"--db", db});
        CHECK(none.exit_code == 2);
        CHECK_THAT(none.err, Contains("缺少命令"));
        const RunResult extra =
            as(db, kCoordinator,
               {"case", "open", "--category", "排水", "--address", "海福巷8号", "车棚", "--summary", "堵"});
        CHECK(extra.exit_code == 2);
        CHECK(one_line(extra.err));
        CHECK_THAT(extra.err, Contains("多余的参数：车棚"));
        const RunResult missing = as(db, kCoordinator, {"case", "open", "--category", "排水"});
        CHECK(missing.exit_code == 2);
        CHECK_THAT(missing.err, Contains("缺少必填的 --address"));
        const RunResult range = as(db, kCoordinator, {"audit", "due-soon", "--within", "5000"});
        CHECK(range.exit_code == 2);
        CHECK_THAT(range.err, Contains("--within 的值 5000 超出范围：应在 0 到 1000 之间"));
        for (const RunResult* r : {&none, &extra, &missing, &range}) {
            CHECK(r->err.find("required") == std::string::npos);
            CHECK(r->err.find("range") == std::string::npos);
        }
    }
    SECTION(
        "only the named command's group is built, and the global options' values are never taken for it") {
        // `--as audit` names a person, not the command: the command is `case`.
        const RunResult as_audit = run_minsheng({"--db", db, "--as", "audit", "--json", "case", "list"});
        CHECK(as_audit.exit_code == 0);
        CHECK(as_audit.out == "[]\n");
        // A misspelt command is told apart from every command there is, as before.
        const RunResult misspelt = run_minsheng({"--db", db, "cas", "list"});
        CHECK(misspelt.exit_code == 2);
        CHECK(one_line(misspelt.err));
        // The top-level help lists every group; a group's help (the help flag first or after it) is its own.
        const RunResult help = ok(run_minsheng({"--help"}));
        for (const char* word : {"case", "audit", "calendar", "report", "import", "export", "staff", "serve"})
            CHECK_THAT(help.out, Contains(word));
        CHECK(ok(run_minsheng({"--help", "case"})).out == ok(run_minsheng({"case", "--help"})).out);
        // A command after another group's word is still an error of one line.
        const RunResult two = run_minsheng({"--db", db, "audit", "case", "list"});
        CHECK(two.exit_code == 2);
        CHECK(one_line(two.err));
    }
    SECTION("case history is a table of labels and words, 补录 when recorded late") {
        const std::string id = open_case(db, "drainage", "海福巷8号", "2025-06-02T09:00");
        ok(as(db, kCoordinator, {"case", "do", id, "派单", "--department", "街道城管科"}));
        const RunResult h = ok(as(db, kCoordinator, {"case", "history", id}));
        CHECK(h.out.find('{') == std::string::npos);
        CHECK_THAT(h.out, Contains("登记") && Contains("派单/转办") && Contains("受理登记 → 派单办理") &&
                              Contains("部门 街道城管科") && Contains("补录于"));
        const json events = ok_json(as(db, kCoordinator, {"--json", "case", "history", id}));
        CHECK(events.size() == 2);
        CHECK(events[1]["action"] == "dispatch");
    }
    SECTION("escalate prints the new level; a stopped clock is said in words") {
        const std::string id = open_case(db, "drainage", "海福巷8号", "2025-05-02T09:00");
        const RunResult e = ok(as(db, kSupervisor, {"case", "do", id, "催办", "--note", "请尽快处理"}));
        CHECK_THAT(e.out, Contains("督办等级：催办"));
        ok(as(db, kCoordinator, {"case", "do", id, "dispatch", "--department", "街道城管科"}));
        ok(as(db, kCoordinator, {"case", "do", id, "resolve", "--set", "root_cause=主管道堵塞"}));
        const RunResult show = ok(as(db, kCoordinator, {"case", "show", id}));
        CHECK_THAT(show.out, Contains("超期 ") && Contains(" 个工作日办结"));
        CHECK(show.out.find("已停表") == std::string::npos);
        CHECK_THAT(show.out, Contains("排水/下水道"));
    }
    SECTION("empty answers look alike") {
        CHECK(ok(as(db, kCoordinator, {"case", "list"})).out == "没有符合条件的案件\n");
        CHECK(ok(as(db, kCoordinator, {"audit", "due-soon"})).out == "没有符合条件的案件\n");
        CHECK_THAT(ok(as(db, kCoordinator, {"audit", "overdue"})).out, Contains("没有符合条件的案件\n"));
    }
    SECTION("audit overdue --format csv has Chinese headers and values") {
        open_case(db, "drainage", "海福巷8号", "2025-05-02T09:00");
        const RunResult csv = ok(as(db, kCoordinator, {"audit", "overdue", "--format", "csv"}));
        CHECK(csv.out.rfind("案件编号,类别,阶段,地址,受理时间,办理期限,超期工作日,督办等级,部门\r\n", 0) ==
              0);
        CHECK_THAT(csv.out, Contains("排水/下水道,受理,") && Contains("未督办"));
    }
}

TEST_CASE("case show, case history and verify name fields, choices and events in Chinese — --json keeps ids",
          "[cli][e2e][chinese]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "排水", "海福巷8号", "2025-06-02T09:00");
    ok(as(db, kCoordinator,
          {"case", "do", id, "派单", "--department", "街道城管科", "--set", "elderly=yes", "--at",
           "2025-06-02T10:00"}));
    ok(as(db, kCoordinator, {"case", "do", id, "办理完毕", "--set", "root_cause=主管道堵塞"}));
    ok(as(db, kCoordinator, {"case", "do", id, "回访", "--set", "satisfied=基本满意"}));
    const std::string other = open_case(db, "排水", "和平路12号", "2025-06-20T09:00");
    ok(as(db, kCoordinator,
          {"case", "do", other, "correct", "--set", "category=道路", "--set", "address=和平路13号", "--note",
           "登记时选错类别、写错门牌"}));

    const RunResult show = ok(as(db, kCoordinator, {"case", "show", id}));
    INFO(show.out);
    CHECK_THAT(show.out, Contains("根本原因") && Contains("主管道堵塞") && Contains("回访结果") &&
                             Contains("基本满意") && Contains("涉及老年人"));
    for (const char* id_word : {"root_cause", "satisfied", "elderly", "basic", "字段 ", "T09:00"})
        CHECK(show.out.find(id_word) == std::string::npos);
    const RunResult history = ok(as(db, kCoordinator, {"case", "history", id}));
    INFO(history.out);
    CHECK_THAT(history.out, Contains("根本原因：主管道堵塞") && Contains("回访结果：基本满意") &&
                                Contains("涉及老年人：是"));
    for (const char* id_word : {"root_cause", "satisfied", "elderly", "basic", "yes"})
        CHECK(history.out.find(id_word) == std::string::npos);
    const RunResult corrected = ok(as(db, kCoordinator, {"case", "history", other}));
    INFO(corrected.out);
    CHECK_THAT(corrected.out,
               Contains("类别：排水/下水道 → 道路/路面") && Contains("地址：和平路12号 → 和平路13号"));
    for (const char* id_word : {"category", "address", "drainage", "road"})
        CHECK(corrected.out.find(id_word) == std::string::npos);
    // Programs read ids.
    const json j = ok_json(as(db, kCoordinator, {"--json", "case", "show", id}));
    CHECK(j["fields"]["root_cause"] == "主管道堵塞");
    CHECK(j["fields"]["satisfied"] == "basic");
    CHECK(j["fields"]["elderly"] == "yes");

    // A bad event is named by its label: a case's action, and the station's own (添加人员), which has no
    // case.
    sql_exec(db, "UPDATE events SET actor = '伪造' WHERE action = 'dispatch'");
    RunResult verify = as(db, kCoordinator, {"audit", "verify"});
    CHECK(verify.exit_code == 1);
    CHECK_THAT(verify.err, Contains("（案件 " + id + "，派单/转办）"));
    sql_exec(db, "UPDATE events SET actor = '伪造' WHERE action = 'staff-add'");
    verify = as(db, kCoordinator, {"audit", "verify"});
    CHECK(verify.exit_code == 1);
    CHECK_THAT(verify.err, Contains("（添加人员）") && Contains("被改动过"));
    CHECK(verify.err.find("staff-add") == std::string::npos);
}

TEST_CASE("finding cases: search, reporter, phone, mine, typical, dates, all combined",
          "[cli][e2e][search]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string a =
        open_case(db, "drainage", "海福巷8号", "2025-06-02T09:00", "宋长松", "138 1234 5678");
    const std::string b = open_case(db, "road", "和平路12号", "2025-06-03T09:00", "张三", "(0571) 8765-4321");
    const std::string c = open_case(db, "drainage", "和平路15号", "2025-06-10T09:00", "李四", "13900001111");
    auto list = [&](std::vector<std::string> args, const std::string& actor = kCoordinator) {
        args.insert(args.begin(), {"--json", "case", "list"});
        return ids_of(as(db, actor, args));
    };
    using V = std::vector<std::string>;
    CHECK(list({"--search", "和平路"}) == V{b, c});
    CHECK(list({"--search", "海福巷8"}) == V{a});
    CHECK(list({"--search", "长松"}) == V{a});  // two characters: below the trigram, still found
    CHECK(list({"--search", "张三"}) == V{b});
    CHECK(list({"--search", "12345678"}) ==
          V{a});                           // the phone's digits, whatever separators it was given with
    CHECK(list({"--search", b}) == V{b});  // the case id
    CHECK(list({"--search", "污水漫到"}).size() == 3);
    CHECK(list({"--search", "100%"}).empty());
    CHECK(list({"--reporter", "李四"}) == V{c});
    CHECK(list({"--reporter", "和平"}).empty());  // an address is not a reporter
    CHECK(list({"--phone", "0571-87654321"}) == V{b});
    CHECK(list({"--phone", "139 0000 1111"}) == V{c});
    CHECK(list({"--phone", "138"}) == V{a});  // a number's beginning
    CHECK(list({"--from", "2025-06-03", "--to", "2025-06-03"}) == V{b});
    CHECK(list({"--search", "和平路", "--category", "排水"}) == V{c});
    ok(as(db, kSupervisor, {"case", "do", b, "mark-typical"}));
    CHECK(list({"--typical"}) == V{b});
    CHECK(list({"--mine"}, kSupervisor) == V{b});
    CHECK(list({"--mine"}).size() == 3);
    // The table shows the first reporter and phone in full.
    const RunResult t = ok(as(db, kCoordinator, {"case", "list", "--search", "海福巷"}));
    CHECK_THAT(t.out, Contains("宋长松") && Contains("138 1234 5678") && Contains("排水/下水道"));
    // A repeat report's reporter is found too.
    ok(as(db, kCoordinator,
          {"case", "open", "--category", "排水", "--address", "海福巷8号", "--summary", "又堵了",
           "--reporter", "周五", "--phone", "13311112222"}));
    CHECK(list({"--reporter", "周五"}) == V{a});
    CHECK(list({"--phone", "13311112222"}) == V{a});
    const RunResult bad = as(db, kCoordinator, {"case", "list", "--phone", "--"});
    CHECK(bad.exit_code == 2);
}

TEST_CASE("people's output carries no ids or English words but the ones a user types",
          "[cli][e2e][chinese]") {
    TempDir dir;
    const std::string db = fresh_station(dir);
    const std::string id = open_case(db, "排水", "海福巷8号", "2025-05-02T09:00");
    ok(as(db, kSupervisor, {"case", "do", id, "催办", "--note", "请尽快处理"}));
    ok(as(db, kCoordinator, {"case", "do", id, "派单", "--department", "街道城管科"}));
    ok(as(db, kCoordinator, {"case", "do", id, "部门签收", "--department", "街道城管科"}));
    ok(as(db, kCoordinator, {"case", "do", id, "办理完毕", "--set", "root_cause=主管道堵塞"}));
    ok(as(db, kCoordinator, {"case", "do", id, "回访", "--set", "satisfied=满意"}));
    ok(as(db, kSupervisor, {"case", "do", id, "列为典型事例"}));
    const std::string other = open_case(db, "道路", "和平路12号", "2025-06-20T09:00", "张三", "13900001111");
    ok(as(db, kCoordinator,
          {"case", "do", other, "correct", "--set", "address=和平路13号", "--note", "门牌写错"}));
    const std::vector<std::vector<std::string>> commands = {
        {"case", "show", id},
        {"case", "history", id},
        {"case", "history", other},
        {"report", "typical", id},
        {"report", "annual", "--year", "2025"},
        {"export"},
        {"case", "list"},
        {"case", "do", other},
        {"audit", "overdue", "--as-of", "2025-06-20"},
        {"audit", "due-soon", "--within", "30"},
        {"workflow", "list"},
        {"calendar", "list"},
        {"audit", "verify"},
        {"calendar", "info", "2025-10-01"},
    };
    // Words a user types or reads as names of things: case ids, the action ids shown beside labels and the
    // inputs they take (`case do ID` only: a user types them), the program's name, file names.
    const std::set<std::string> allowed = {"minsheng", "yaml",      "cn",
                                           "holidays", "workflows", "calendar"};  // the calendar's file path
    const std::set<std::string> typed_in_do = {"root_cause", "satisfied", "department", "note",
                                               "set",        "days",      "finding"};
    // `case do ID` shows each action's id beside its label (a user may type it); `workflow list` shows each
    // category's id beside its name (what --category accepts besides the name).
    std::set<std::string> action_ids, category_ids;
    for (const auto& a : ok_json(as(db, kSupervisor, {"--json", "case", "do", other}))) {
        const std::string action = a["action"];
        for (std::size_t from = 0; from <= action.size();) {
            const std::size_t dash = std::min(action.find('-', from), action.size());
            action_ids.insert(action.substr(from, dash - from));
            from = dash + 1;
        }
    }
    for (const auto& w : ok_json(as(db, kSupervisor, {"--json", "workflow", "list"})))
        category_ids.insert(w["category"]);
    // The words: runs of ASCII letters and '_' from a letter, two characters or more (std::regex recurses per
    // character and would not survive the annual report).
    auto words = [](const std::string& text) {
        std::vector<std::string> out;
        auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
        for (std::size_t i = 0; i < text.size();) {
            if (!letter(text[i])) {
                ++i;
                continue;
            }
            std::size_t end = i + 1;
            while (end < text.size() && (letter(text[end]) || text[end] == '_'))
                ++end;
            if (end - i >= 2) out.push_back(text.substr(i, end - i));
            i = end;
        }
        return out;
    };
    for (const auto& cmd : commands) {
        const RunResult r = ok(as(db, kSupervisor, cmd));
        std::string name;
        for (const auto& part : cmd)
            name += part + " ";
        INFO(name << ":\n" << r.out);
        for (const std::string& w : words(r.out)) {
            const bool in_do = cmd.size() > 1 && cmd[1] == "do";
            const bool typed = allowed.count(w) || (in_do && (action_ids.count(w) || typed_in_do.count(w))) ||
                               (cmd[0] == "workflow" && category_ids.count(w));
            if (!typed) FAIL_CHECK("English or an id in people's output: " << w);
        }
    }
}
