// Issue 16 through the command line: mistakes, duplicates and second rounds. correct, revoke and merge (each
// an event of the chain, shown in the history, with its effect on every report), repeat matching across ways
// of writing one address, the similar-address warning, a second round after a reopen, and the write-ups.
#include <string>
#include <vector>

#include "prelude.h"

namespace {

const std::string kSupervisor = "督办甲";
const std::string kCoordinator = "王协调";
const std::string kToday = "2025-12-31";

struct Station {
    TempDir dir;
    std::string db = fresh_station(dir);

    RunResult as(const std::string& actor, std::vector<std::string> args) {
        std::vector<std::string> all = {"--db", db, "--as", actor, "--today", kToday};
        all.insert(all.end(), args.begin(), args.end());
        return run_minsheng(all);
    }
    RunResult ok(const std::string& actor, std::vector<std::string> args) {
        RunResult r = as(actor, std::move(args));
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        return r;
    }
    RunResult open_raw(const std::string& category, const std::string& address, const std::string& at,
                       const std::string& summary = "下水道堵塞", const std::string& reporter = "张桂芳") {
        return ok(kCoordinator,
                  {"--json", "case", "open", "--category", category, "--address", address, "--summary",
                   summary, "--reporter", reporter, "--phone", "13851234567", "--at", at});
    }
    json open(const std::string& category, const std::string& address, const std::string& at,
              const std::string& summary = "下水道堵塞", const std::string& reporter = "张桂芳") {
        return ok_json(open_raw(category, address, at, summary, reporter));
    }
    std::string open_id(const std::string& category, const std::string& address, const std::string& at) {
        return open(category, address, at).at("id").get<std::string>();
    }
    void act(const std::string& actor, const std::string& id, std::vector<std::string> args) {
        std::vector<std::string> all = {"case", "do", id};
        all.insert(all.end(), args.begin(), args.end());
        ok(actor, all);
    }
    json show(const std::string& id) { return ok_json(as(kCoordinator, {"--json", "case", "show", id})); }
    std::string show_text(const std::string& id) { return ok(kCoordinator, {"case", "show", id}).out; }
    json annual(int year) {
        return ok_json(
            as(kSupervisor, {"report", "annual", "--year", std::to_string(year), "--format", "json"}));
    }
};

void check_refused(Station& st, const RunResult& r, int code) {
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == code);
    CHECK(one_line(r.err));
    CHECK(r.out.empty());
    CHECK(audit_verify_json(st.db).at("ok") == true);
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// correct

TEST_CASE(
    "correct fixes a mistyped address: the current value changes, repeats match the new address, the "
    "history shows old -> new",
    "[e2e][correct]") {
    Station st;
    const std::string id = st.open_id("drainage", "海福巷30号", "2025-03-03T09:00");
    st.act(kCoordinator, id,
           {"correct", "--set", "address=海福巷3号", "--note", "登记时多打了0", "--at", "2025-03-03T10:00"});
    const json c = st.show(id);
    CHECK(c.at("address") == "海福巷3号");
    const json& last = c.at("history").back();
    CHECK(last.at("action") == "correct");
    CHECK(last.at("was").at("address") == "海福巷30号");
    CHECK(last.at("set").at("address") == "海福巷3号");
    CHECK(contains(st.show_text(id), "海福巷30号 → 海福巷3号"));
    // The next report at the right address joins the case.
    const json again = st.open("drainage", "海福巷3号", "2025-03-04T09:00");
    CHECK(again.at("id") == id);
    CHECK(again.at("repeat") == true);
    CHECK(audit_verify_json(st.db).at("ok") == true);
}

TEST_CASE("correct changes the reporter, phone, channel and summary — category only in intake",
          "[e2e][correct]") {
    Station st;
    const std::string id = st.open_id("drainage", "海福巷3号", "2025-03-03T09:00");
    st.act(kCoordinator, id,
           {"correct", "--set", "reporter=张桂兰", "--set", "phone=13900000000", "--set", "channel=来访",
            "--set", "summary=雨水井堵塞", "--note", "核对来电记录"});
    const json c = st.show(id);
    CHECK(c.at("summary") == "雨水井堵塞");
    CHECK(c.at("reporters").at(0).at("name") == "张桂兰");
    CHECK(c.at("reporters").at(0).at("phone") == "13900000000");
    CHECK(c.at("reporters").at(0).at("channel") == "来访");

    // Category: the case moves to that workflow, in intake.
    st.act(kCoordinator, id, {"correct", "--set", "category=road", "--note", "实为路面塌陷"});
    CHECK(st.show(id).at("category") == "road");
    CHECK(st.show(id).at("phase") == "intake");
    st.act(kCoordinator, id, {"dispatch", "--department", "市政部门"});
    check_refused(
        st, st.as(kCoordinator, {"case", "do", id, "correct", "--set", "category=drainage", "--note", "x"}),
        3);
    // Fields it does not know, a missing note, no change: refused.
    check_refused(
        st, st.as(kCoordinator, {"case", "do", id, "correct", "--set", "root_cause=x", "--note", "x"}), 3);
    check_refused(st, st.as(kCoordinator, {"case", "do", id, "correct", "--set", "summary=井盖缺失"}), 3);
    check_refused(
        st, st.as(kCoordinator, {"case", "do", id, "correct", "--set", "summary=雨水井堵塞", "--note", "x"}),
        3);
}

// ---------------------------------------------------------------------------------------------------------
// revoke

TEST_CASE("revoke undoes a resolve entered on the wrong case: no reopen, no visit, the event marked 已撤销",
          "[e2e][revoke]") {
    Station st;
    const std::string id = st.open_id("drainage", "海福巷3号", "2025-03-03T09:00");
    st.act(kCoordinator, id, {"dispatch", "--department", "街道城管科", "--at", "2025-03-03T10:00"});
    st.act(kCoordinator, id, {"resolve", "--at", "2025-03-05T10:00"});
    st.act(kCoordinator, id, {"visit", "--set", "satisfied=yes", "--at", "2025-03-06T10:00"});
    REQUIRE(st.show(id).at("phase") == "closed");

    // Coordinators may not revoke.
    check_refused(st, st.as(kCoordinator, {"case", "do", id, "revoke", "--note", "错案"}), 4);
    // The visit, then the resolve: the case is as before them, in handling, its clock running.
    st.act(kSupervisor, id, {"revoke", "--note", "回访记错了案件", "--at", "2025-03-07T09:00"});
    CHECK(st.show(id).at("phase") == "follow_up");
    st.act(kSupervisor, id, {"revoke", "--note", "办结也记错了案件", "--at", "2025-03-07T09:01"});
    json c = st.show(id);
    CHECK(c.at("phase") == "coordination");
    CHECK(c.at("reopen_count") == 0);
    CHECK_FALSE(c.contains("resolved_on"));
    CHECK(c.at("fields").empty());
    int revoked = 0;
    for (const auto& e : c.at("history"))
        revoked += e.value("revoked", false);
    CHECK(revoked == 2);
    const std::string text = st.show_text(id);
    CHECK(contains(text, "办理完毕（已撤销）"));
    CHECK(contains(text, "回访（已撤销）"));

    // The revoked events count nowhere.
    const json a = st.annual(2025);
    CHECK(a.at("visits") == 0);
    CHECK(a.at("satisfied") == 0);
    CHECK(a.at("resolved") == 0);
    CHECK(a.at("reopened") == 0);
    CHECK(a.at("open") == 1);

    // The projection is what a replay of the log gives (verify), and a rebuild gives the same.
    CHECK(audit_verify_json(st.db).at("ok") == true);

    // Next the dispatch; never the opening.
    st.act(kSupervisor, id, {"revoke", "--note", "派错", "--at", "2025-03-07T09:02"});
    CHECK(st.show(id).at("phase") == "intake");
    CHECK(st.show(id).at("departments").empty());
    check_refused(st, st.as(kSupervisor, {"case", "do", id, "revoke", "--note", "再撤"}), 3);
}

// ---------------------------------------------------------------------------------------------------------
// merge

TEST_CASE("merge joins a duplicate's reports to the other case — the duplicate ends 并案, never 不予受理",
          "[e2e][merge]") {
    Station st;
    const std::string a = st.open_id("drainage", "海福巷3号", "2025-03-03T09:00");
    const json bj = st.open("drainage", "海福巷3号楼", "2025-03-04T09:00", "楼前污水外溢", "李四");
    const std::string b = bj.at("id");
    REQUIRE(b != a);
    st.act(kCoordinator, b, {"merge", "--into", a, "--note", "同一处下水道", "--at", "2025-03-04T10:00"});

    const json merged = st.show(b);
    CHECK(merged.at("phase") == "merged");
    CHECK(merged.at("merged_into") == a);
    const json into = st.show(a);
    CHECK(into.at("repeat_count") == 1);
    CHECK(into.at("merged_from").at(0) == b);
    REQUIRE(into.at("reporters").size() == 2);
    CHECK(into.at("reporters").at(1).at("name") == "李四");
    CHECK(into.at("reporters").at(1).at("summary") == "楼前污水外溢");
    // The repeat report's own words under its reporter.
    CHECK(contains(st.show_text(a), "楼前污水外溢"));
    CHECK(contains(st.show_text(a), "并入本案"));
    CHECK(contains(st.show_text(b), "并入案件 " + a));

    // Nothing more happens on the merged case; a report at its address joins the other.
    check_refused(st, st.as(kCoordinator, {"case", "do", b, "dispatch", "--department", "街道城管科"}), 3);
    check_refused(st, st.as(kCoordinator, {"case", "do", a, "merge", "--into", b, "--note", "x"}), 3);
    check_refused(st, st.as(kCoordinator, {"case", "do", a, "merge", "--into", a, "--note", "x"}), 3);
    const json again = st.open("drainage", "海福巷3号楼", "2025-03-05T09:00");
    CHECK(again.at("repeat") == false);  // 海福巷3号楼 is its own address; the merged case takes no report
    CHECK(again.at("id") != b);

    const json y = st.annual(2025);
    CHECK(y.at("merged") == 1);
    CHECK(y.at("rejected") == 0);
    CHECK(y.at("repeat_reports") == 1);
    CHECK(y.at("cases") == 3);
    CHECK(y.at("open") == 2);
    CHECK(audit_verify_json(st.db).at("ok") == true);

    // case list --phase merged finds it.
    const json l = ok_json(st.as(kCoordinator, {"--json", "case", "list", "--phase", "merged"}));
    REQUIRE(l.size() == 1);
    CHECK(l.at(0).at("id") == b);
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

TEST_CASE("海福巷 3 號, 海福巷三号 and 海福巷０３号 are repeats of 海福巷3号", "[e2e][address]") {
    Station st;
    const std::string id = st.open_id("drainage", "海福巷3号", "2025-03-03T09:00");
    for (const std::string addr : {"海福巷 3 號", "海福巷三号", "海福巷０３号", "海福巷03号"}) {
        INFO(addr);
        const json j = st.open("drainage", addr, "2025-03-04T09:00");
        CHECK(j.at("id") == id);
        CHECK(j.at("repeat") == true);
    }
    CHECK(st.show(id).at("repeat_count") == 4);
}

TEST_CASE("case open warns of similar addresses and of the same address under another category",
          "[e2e][address]") {
    Station st;
    const std::string a = st.open_id("drainage", "海福巷3号", "2025-03-03T09:00");
    const std::string closed = st.open_id("sanitation", "海福巷3号", "2025-01-06T09:00");
    st.act(kCoordinator, closed, {"dispatch", "--department", "街道城管科", "--at", "2025-01-06T10:00"});
    st.act(kCoordinator, closed, {"resolve", "--at", "2025-01-08T10:00"});
    st.act(kCoordinator, closed, {"visit", "--set", "satisfied=yes", "--at", "2025-01-09T10:00"});
    const std::string old = st.open_id("road", "海福巷3号门口", "2024-06-03T09:00");
    st.act(kCoordinator, old, {"dispatch", "--department", "市政部门", "--at", "2024-06-03T10:00"});
    st.act(kCoordinator, old, {"resolve", "--at", "2024-06-05T10:00"});
    st.act(kCoordinator, old, {"visit", "--set", "satisfied=yes", "--at", "2024-06-06T10:00"});
    st.open_id("drainage", "海福巷31号", "2025-03-03T09:00");  // not similar: another number

    // 海福巷3号楼 beside 海福巷3号 (open) and 海福巷3号 of another category (closed 54 days before); not
    // 海福巷3号门口 (closed a year ago) nor 海福巷31号.
    const RunResult r = st.open_raw("drainage", "海福巷3号楼", "2025-03-03T11:00");
    const json j = ok_json(r);
    CHECK(j.at("similar") == json::array({a, closed}));
    CHECK(one_line(r.err));
    CHECK(contains(r.err, "minsheng: 提醒："));
    CHECK(contains(r.err, a));

    // The same address under another category.
    const json k = st.open("road", "海福巷三号", "2025-03-03T12:00");
    CHECK(k.at("repeat") == false);
    CHECK(k.at("similar").size() >= 1);
    CHECK(k.at("similar").at(0) == a);

    // Nothing similar: no warning, an empty list.
    const RunResult none = st.open_raw("drainage", "清河路8号", "2025-03-03T13:00");
    CHECK(none.err.empty());
    CHECK(ok_json(none).at("similar").empty());
}

// ---------------------------------------------------------------------------------------------------------
// Rounds, departments, visits

TEST_CASE(
    "after a reopen the department is dispatched and replies again — the first round's answers go to the "
    "history",
    "[e2e][rounds]") {
    Station st;
    const std::string id = st.open_id("general", "海福巷3号", "2025-03-03T09:00");
    st.act(kCoordinator, id, {"dispatch", "--department", "街道城管科", "--at", "2025-03-03T10:00"});
    st.act(kCoordinator, id,
           {"reply", "--department", "街道城管科", "--note", "已清理", "--at", "2025-03-04T10:00"});
    st.act(kCoordinator, id, {"resolve", "--at", "2025-03-05T10:00"});
    st.act(kCoordinator, id, {"visit", "--set", "satisfied=yes", "--at", "2025-03-06T10:00"});
    st.act(kSupervisor, id, {"reopen", "--note", "又堵了", "--at", "2025-03-20T10:00"});

    json c = st.show(id);
    CHECK_FALSE(c.at("fields").contains("satisfied"));
    CHECK(c.at("department_tasks").at(0).at("status") == "dispatched");
    st.act(kCoordinator, id, {"dispatch", "--department", "街道城管科", "--at", "2025-03-20T11:00"});
    st.act(kCoordinator, id,
           {"reply", "--department", "街道城管科", "--note", "更换管道", "--at", "2025-03-24T10:00"});
    st.act(kCoordinator, id, {"resolve", "--set", "root_cause=管道老化", "--at", "2025-03-25T10:00"});
    c = st.show(id);
    REQUIRE(c.at("rounds").size() == 2);
    CHECK(c.at("rounds").at(0).at("on_time") == true);
    CHECK(c.at("rounds").at(1).at("on_time") == true);
    const std::string text = st.show_text(id);
    CHECK(contains(text, "第1轮办理"));
    CHECK(contains(text, "第2轮办理"));
}

TEST_CASE("a department given to an action that takes none is refused, not ignored", "[e2e][department]") {
    Station st;
    const std::string id = st.open_id("general", "海福巷3号", "2025-03-03T09:00");
    check_refused(
        st, st.as(kCoordinator, {"case", "do", id, "note", "--note", "x", "--department", "派出所户籍"}), 3);
}

// ---------------------------------------------------------------------------------------------------------
// Write-ups

TEST_CASE("write-ups tell two rounds apart and mention an escalation", "[e2e][write-up]") {
    Station st;
    const std::string id = st.open_id("drainage", "海福巷3号", "2025-03-03T09:00");
    st.act(kCoordinator, id, {"dispatch", "--department", "街道城管科", "--at", "2025-03-03T10:00"});
    st.act(kCoordinator, id, {"resolve", "--note", "已疏通", "--at", "2025-03-05T10:00"});
    st.act(kCoordinator, id, {"visit", "--set", "satisfied=no", "--at", "2025-03-06T10:00"});
    st.act(kSupervisor, id, {"escalate", "--note", "逾期未办", "--at", "2025-04-08T10:00"});
    st.act(kSupervisor, id, {"escalate", "--note", "仍未办", "--at", "2025-04-09T10:00"});
    st.act(kSupervisor, id, {"escalate", "--note", "全街道通报", "--at", "2025-04-10T10:00"});
    st.act(kCoordinator, id,
           {"resolve", "--set", "root_cause=管道老化", "--note", "已更换管道", "--at", "2025-04-11T10:00"});
    st.act(kCoordinator, id, {"visit", "--set", "satisfied=yes", "--at", "2025-04-14T10:00"});
    st.act(kSupervisor, id, {"mark-typical"});
    const std::string md = st.ok(kSupervisor, {"report", "typical", id}).out;
    INFO(md);
    CHECK(contains(md, "通报"));
    CHECK(contains(md, "首轮"));
    CHECK_FALSE(contains(md, "经已"));
    CHECK_FALSE(contains(md, "按时办结）"));  // the second round was late
}
