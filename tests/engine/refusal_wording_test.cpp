// A refusal has two wordings (engine/error.h): the rule's sentence, which the web workspace shows, and the
// command line's, which adds the flags and ids to type. Every refusal of every shipped workflow's actions
// that the workspace can meet is checked for flags and ASCII ids in its sentence; the command line's wording
// is what it always was.

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/names.h"
#include "engine/runtime.h"
#include "engine/workflow.h"
#include "prelude.h"

using namespace minsheng;

namespace {

Workflow shipped(const std::string& category) {
    const std::string path = std::string(MINSHENG_SOURCE_DIR) + "/workflows/" + category + ".yaml";
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return load_workflow_or_throw(ss.str(), path);
}

// No flag and no ASCII word (the browser test's rule): digits, dates, case ids (2023-0001) and timestamps
// (2023-06-01T09:00:00) may stay.
bool plain(const std::string& sentence) {
    return sentence.find("--") == std::string::npos &&
           !std::regex_search(sentence, std::regex("[A-Za-z][A-Za-z_]+"));
}

CaseState handling_case() {
    CaseState s;
    s.id = "2023-0001";
    s.category = "drainage";
    s.phase = Phase::Coordination;
    s.step = "handling";
    s.report_count = 2;  // a repeat report: resolving needs a root cause
    s.last_event_at = "2023-06-01T09:00:00";
    return s;
}

}  // namespace

TEST_CASE("an error keeps the command line's wording in what() and the rule's sentence in message()",
          "[error]") {
    const Error plain_error = refused("规则的句子");
    CHECK(std::string(plain_error.what()) == "规则的句子");
    CHECK(plain_error.message() == "规则的句子");
    const Error hinted = refused("没有案件 2023-0009").with_cli_hint("；minsheng case list 可列出案件");
    CHECK(std::string(hinted.what()) == "没有案件 2023-0009；minsheng case list 可列出案件");
    CHECK(hinted.message() == "没有案件 2023-0009");
    CHECK(hinted.kind() == ErrorKind::Refused);
    const Error worded = not_allowed("回访需要写明理由").with_cli_text("回访需要 --note 写明理由");
    CHECK(std::string(worded.what()) == "回访需要 --note 写明理由");
    CHECK(worded.message() == "回访需要写明理由");
    CHECK(worded.kind() == ErrorKind::NotAllowed);
}

TEST_CASE("a workflow's guard message loses the command line's parenthesis and the field's id",
          "[error][workflow]") {
    const Workflow w = shipped("drainage");
    const Action* resolve = w.find_action("resolve");
    REQUIRE(resolve);
    CHECK(without_cli_syntax(
              "须填写根本原因 root_cause：该问题有群众多次反映，须查明根本原因（--set root_cause=…）",
              *resolve) == "须填写根本原因：该问题有群众多次反映，须查明根本原因");
    // A parenthesis holding only an id goes; one in words stays; an id inside a longer word is not touched.
    CHECK(without_cli_syntax("须经特事特办审批（approve-exception）后方可办结", *resolve) ==
          "须经特事特办审批后方可办结");
    CHECK(without_cli_syntax("回访结果（可选：满意、不满意）", *resolve) == "回访结果（可选：满意、不满意）");
    CHECK(without_cli_syntax("my_root_causes", *resolve) == "my_root_causes");
    CHECK(field_label("root_cause") == "根本原因");
    CHECK(field_label("a_station_field") == "a_station_field");
}

TEST_CASE("the refusals an action form can meet are plain sentences, the command line's keep the flags",
          "[error][runtime]") {
    const Calendar cal;
    const Workflow w = shipped("drainage");
    auto refusal = [&](ActionRequest r, CaseState s = handling_case()) {
        r.actor = "王协调";
        if (r.at.empty()) r.at = "2023-06-05T10:00:00";
        return error_of([&] { decide_action(w, s, r, cal); });
    };
    ActionRequest resolve;
    resolve.action = "resolve";
    const Error guard = refusal(resolve);
    CHECK(plain(guard.message()));
    CHECK(guard.message().find("根本原因") != std::string::npos);
    CHECK(std::string(guard.what()).find("--set root_cause=") != std::string::npos);

    ActionRequest visit;  // not possible in handling: the step's refusal
    visit.action = "visit";
    const Error step = refusal(visit);
    CHECK(plain(step.message()));
    CHECK(std::string(step.what()).find("（visit）") != std::string::npos);

    ActionRequest suspend;  // needs a note
    suspend.action = "suspend";
    const Error note = refusal(suspend);
    CHECK(plain(note.message()));
    CHECK(std::string(note.what()).find("--note") != std::string::npos);

    ActionRequest escalate;  // supervisors only
    escalate.action = "escalate";
    escalate.note = "催办";
    const Error role = refusal(escalate);
    CHECK(role.kind() == ErrorKind::NotAllowed);
    CHECK(plain(role.message()));

    ActionRequest early = resolve;  // before the case's latest event
    early.sets = {{"root_cause", "管道老化"}};
    early.at = "2023-05-01T10:00:00";
    const Error time = refusal(early);
    CHECK(plain(time.message()));
    CHECK(std::string(time.what()).find("--at") != std::string::npos);

    ActionRequest dispatch;  // a department is needed
    dispatch.action = "dispatch";
    CaseState intake = handling_case();
    intake.phase = Phase::Intake;
    intake.step = "received";
    const Error department = refusal(dispatch, intake);
    CHECK(plain(department.message()));
    CHECK(std::string(department.what()).find("--department") != std::string::npos);
}
