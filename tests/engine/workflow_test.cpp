// Tests of the workflow loader and checker (engine/workflow.cpp): every class of problem with its position,
// the shipped workflows, and the inputs fuzzing found (tests/engine/workflow_cases/).
#include <algorithm>
#include <filesystem>
#include <string>

#include "engine/error.h"
#include "engine/workflow.h"
#include "prelude.h"

using namespace minsheng;

namespace {

// A small valid workflow; tests append to it or replace a line of it. Line numbers matter below.
const std::string kHead =
    "category: t\n"                                           // 1
    "name: 测试\n"                                            // 2
    "version: 1\n"                                            // 3
    "steps:\n"                                                // 4
    "  - {id: received, label: 受理, phase: intake}\n"        // 5
    "  - {id: handling, label: 办理, phase: coordination}\n"  // 6
    "  - {id: visiting, label: 待回访, phase: follow_up}\n"   // 7
    "  - {id: done, label: 办结, phase: closed}\n";           // 8
const std::string kActions =
    "actions:\n"                                                                                      // 9
    "  - {id: dispatch, from: [received], to: handling, requires: [department], effect: dispatch}\n"  // 10
    "  - {id: resolve, from: [handling], to: visiting}\n"                                             // 11
    "  - {id: visit, from: [visiting], to: done}\n";                                                  // 12

std::string dump(const WorkflowLoad& load) {
    std::string out;
    for (const auto& p : load.problems)
        out += p.to_string() + "\n";
    return out;
}

// True when some problem contains `text` and sits at line:col.
bool has_problem(const WorkflowLoad& load, const std::string& text, int line, int col) {
    return std::any_of(load.problems.begin(), load.problems.end(), [&](const WorkflowProblem& p) {
        return p.message.find(text) != std::string::npos && p.mark.line == line && p.mark.column == col;
    });
}

#define CHECK_PROBLEM(load, text, line, col)        \
    do {                                            \
        const auto& load_ = (load);                 \
        INFO(dump(load_));                          \
        CHECK(has_problem(load_, text, line, col)); \
        CHECK_FALSE(load_.workflow.has_value());    \
    } while (false)

WorkflowLoad load(const std::string& text) {
    return load_workflow(text, "t.yaml");
}

const Action& action(const Workflow& wf, const std::string& id) {
    const Action* a = wf.find_action(id);
    INFO("action " << id);
    REQUIRE(a != nullptr);
    return *a;
}

}  // namespace

TEST_CASE("a small valid workflow loads with its defaults", "[workflow]") {
    const std::string text = kHead + kActions;
    const auto l = load(text);
    INFO(dump(l));
    REQUIRE(l.problems.empty());
    REQUIRE(l.workflow);
    const Workflow& wf = *l.workflow;
    CHECK(wf.category == "t");
    CHECK(wf.name == "测试");
    CHECK(wf.version == 1);
    CHECK(wf.deadline_days == 20);
    CHECK(wf.source == text);
    CHECK(wf.steps.size() == 4);
    CHECK(wf.initial_step().id == "received");
    CHECK(wf.find_step("visiting")->phase == Phase::FollowUp);
    CHECK(wf.find_step("visiting")->mark.line == 7);
    CHECK(wf.find_step("nope") == nullptr);
    const Action& d = action(wf, "dispatch");
    CHECK(d.label == "dispatch");
    CHECK(d.effect == Effect::Dispatch);
    CHECK(d.roles == std::vector<Role>{Role::Coordinator, Role::Supervisor});
    CHECK(d.requires_ == std::vector<std::string>{"department"});
    CHECK(d.mark.line == 10);
    CHECK_FALSE(d.require_replies);
    CHECK(wf.find_action("nope") == nullptr);
}

TEST_CASE("the first intake step is where cases start", "[workflow]") {
    const auto l = load(
        "category: t\nname: n\nversion: 2\nsteps:\n"
        "  - {id: done, label: 办结, phase: closed}\n"
        "  - {id: a, label: A, phase: intake}\n"
        "  - {id: b, label: B, phase: intake}\n"
        "  - {id: c, label: C, phase: coordination}\n"
        "  - {id: f, label: F, phase: follow_up}\n"
        "actions:\n"
        "  - {id: go, from: [a], to: b}\n"
        "  - {id: route, from: [b], to: c}\n"
        "  - {id: resolve, from: c, to: f}\n"
        "  - {id: close, from: [f], to: done}\n");
    INFO(dump(l));
    REQUIRE(l.workflow);
    CHECK(l.workflow->initial_step().id == "a");
    CHECK(l.workflow->version == 2);
    // A lone step id in `from` is a list of one.
    CHECK(action(*l.workflow, "resolve").from == std::vector<std::string>{"c"});
}

TEST_CASE("every action key is read", "[workflow]") {
    const auto l = load(kHead + kActions +
                        "  - id: check\n"                                     // 13
                        "    label: 核查\n"                                   // 14
                        "    from: open\n"                                    // 15
                        "    roles: [supervisor]\n"                           // 16
                        "    requires: [note, satisfied]\n"                   // 17
                        "    choices: {satisfied: [yes, no], kind: [a]}\n"    // 18
                        "    guards:\n"                                       // 19
                        "      - when: {reopen_count: {gt: 0}, x: [a, b]}\n"  // 20
                        "        require: {root_cause: {present: true}, y: {not: no}, z: {present: false}}\n"
                        "        message: 须填写根本原因\n"
                        "      - require: {w: {not: [a, b]}, v: {gt: -3}}\n"
                        "        message: m2\n"
                        "    sets: {approved: yes, flag: 'true'}\n"
                        "    effect: mark_typical\n"
                        "    require_replies: true\n"
                        "  - id: branch\n"
                        "    from: [visiting]\n"
                        "    outcomes:\n"
                        "      - {when: {satisfied: yes}, to: done}\n"
                        "      - {to: handling}\n");
    INFO(dump(l));
    REQUIRE(l.workflow);
    const Action& a = action(*l.workflow, "check");
    CHECK(a.label == "核查");
    CHECK(a.from_kind == Action::From::AnyOpen);
    CHECK(a.roles == std::vector<Role>{Role::Supervisor});
    CHECK(a.requires_ == std::vector<std::string>{"note", "satisfied"});
    // YAML 1.1 would read yes/no as booleans; here they stay the text the user typed.
    CHECK(a.choices.at("satisfied") == std::vector<std::string>{"yes", "no"});
    CHECK(a.choices.at("kind") == std::vector<std::string>{"a"});
    REQUIRE(a.guards.size() == 2);
    const Guard& g = a.guards[0];
    CHECK(g.mark.line == 20);
    CHECK(g.message == "须填写根本原因");
    REQUIRE(g.when.size() == 2);
    CHECK(g.when[0].field == "reopen_count");
    CHECK(g.when[0].op == Condition::Op::GreaterThan);
    CHECK(g.when[0].value == "0");
    CHECK(g.when[1].op == Condition::Op::Equals);
    CHECK(g.when[1].values == std::vector<std::string>{"a", "b"});
    REQUIRE(g.require.size() == 3);
    CHECK(g.require[0].op == Condition::Op::Present);
    CHECK(g.require[1].op == Condition::Op::NotEquals);
    CHECK(g.require[1].value == "no");
    CHECK(g.require[2].op == Condition::Op::Absent);
    const Guard& g2 = a.guards[1];
    CHECK(g2.when.empty());
    REQUIRE(g2.require.size() == 2);
    CHECK(g2.require[0].op == Condition::Op::NotEquals);
    CHECK(g2.require[0].values == std::vector<std::string>{"a", "b"});
    CHECK(g2.require[1].value == "-3");
    CHECK(a.sets.at("approved") == "yes");
    CHECK(a.sets.at("flag") == "true");
    CHECK(a.effect == Effect::MarkTypical);
    CHECK(a.require_replies);

    const Action& b = action(*l.workflow, "branch");
    CHECK(b.to.empty());
    REQUIRE(b.outcomes.size() == 2);
    CHECK(b.outcomes[0].when.at(0).value == "yes");
    CHECK(b.outcomes[0].to == "done");
    CHECK(b.outcomes[1].when.empty());
    CHECK(b.outcomes[1].to == "handling");
}

TEST_CASE("names of roles and effects round-trip", "[workflow]") {
    for (Role r : {Role::Coordinator, Role::Supervisor})
        CHECK(role_from_name(role_name(r)) == r);
    CHECK(role_name(Role::Supervisor) == "supervisor");
    CHECK_FALSE(role_from_name("admin"));
    for (Effect e : {Effect::None, Effect::Dispatch, Effect::Sign, Effect::Return, Effect::Reply,
                     Effect::Suspend, Effect::Resume, Effect::Escalate, Effect::Extend, Effect::MarkTypical})
        CHECK(effect_from_name(effect_name(e)) == e);
    CHECK(effect_name(Effect::MarkTypical) == "mark_typical");
    CHECK_FALSE(effect_from_name("mark-typical"));
}

TEST_CASE("a problem prints as FILE:LINE:COL: message and the throwing loader refuses", "[workflow]") {
    WorkflowProblem p{"workflows/x.yaml", {3, 7}, "bad"};
    CHECK(p.to_string() == "workflows/x.yaml:3:7: bad");
    try {
        load_workflow_or_throw("category: t\ndeadine: 3\n", "w.yaml");
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(std::string(e.what()) ==
              "流程文件有误，未载入（用 workflow check 列出全部问题）：w.yaml:1:1: "
              "缺少必需的键 \"name\"");
    }
    CHECK(load_workflow_or_throw(kHead + kActions, "ok.yaml").category == "t");
}

TEST_CASE("YAML syntax errors carry the parser's position", "[workflow][problems]") {
    CHECK_PROBLEM(load("category: t\n  name: n\n"), "YAML 语法错误：这里不能写 “键: 值”", 2, 7);
    CHECK_PROBLEM(load("category: t\nstates: *undefined\n"), "YAML 语法错误：引用的锚点没有定义", 2, 9);
    // Where the parser gives up is where it says, even when the cause is earlier.
    const auto l = load("category: t\nsteps: [a, b\n");
    CHECK_PROBLEM(l, "YAML 语法错误：“[” 缺少对应的 “]”", 3, 1);
    CHECK(l.problems.size() == 1);
}

TEST_CASE("the top level must be a map holding one document", "[workflow][problems]") {
    CHECK_PROBLEM(load(""), "文件是空的", 1, 1);
    CHECK_PROBLEM(load("# only a comment\n"), "文件是空的", 1, 1);
    CHECK_PROBLEM(load("- a\n- b\n"), "最外层须是映射", 1, 1);
    CHECK_PROBLEM(load("just text\n"), "最外层须是映射", 1, 1);
    CHECK_PROBLEM(load(kHead + kActions + "---\nx: 1\n"), "只能有一个 YAML 文档", 14, 1);
    // yaml-cpp 0.7's LoadAll loops forever on these (jbeder/yaml-cpp#1040); the loader must return.
    CHECK_PROBLEM(load(",\n"), "文档里没有内容", 1, 1);
    CHECK_PROBLEM(load("&a, *a\n"), "只能有一个 YAML 文档", 1, 3);
}

TEST_CASE("a file that is not UTF-8 is refused at its first bad byte — a comment's included",
          "[workflow][problems]") {
    // Saved in GBK, or damaged: the problem names the line and the character where the text stops being
    // UTF-8.
    CHECK_PROBLEM(load(kHead + kActions + "# 注释\xB0\xBC\n"), "不是 UTF-8 文本", 13, 5);
    CHECK_PROBLEM(load("category: t\nname: \xC5\xC5\xCB\xAE\n"), "不是 UTF-8 文本", 2, 7);
    CHECK(load("category: t\nname: \xC5\xC5\xCB\xAE\n").problems.size() == 1);
    // A station's stored text is read as it was stored (an older minsheng stored it unchecked).
    CHECK(load_workflow(kHead + kActions + "# \xB0\n", "w.yaml", WorkflowChecks::Stored).workflow);
}

TEST_CASE("nesting too deep is refused before parsing", "[workflow][problems]") {
    CHECK_PROBLEM(load("x: " + std::string(100, '[')), "嵌套超过 64 层", 1, 67);
    std::string dashes;
    for (int i = 0; i < 100; ++i)
        dashes += "- ";
    CHECK_PROBLEM(load(dashes + "x\n"), "嵌套超过 64 层", 1, 127);
    // Brackets inside quotes and comments are text.
    const auto ok = load(kHead + kActions + "description: '" + std::string(100, '[') + "' # " +
                         std::string(100, '{') + "\n");
    INFO(dump(ok));
    CHECK(ok.workflow);
}

TEST_CASE("unknown keys are reported where they are, with a suggestion", "[workflow][problems]") {
    CHECK_PROBLEM(load(kHead + kActions + "deadine: 20\n"),
                  "未知的键 \"deadine\"（是 \"deadline_days\" 吗？）", 13, 1);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, requries: [note]}\n"),
                  "动作 \"x\"：未知的键 \"requries\"（是 \"requires\" 吗？）", 13, 25);
    CHECK_PROBLEM(load(kHead + "  - {id: y, lable: Y, phase: closed}\n" + kActions),
                  "步骤：未知的键 \"lable\"（是 \"label\" 吗？）", 9, 13);
    CHECK_PROBLEM(load(kHead + kActions +
                       "  - id: g\n"
                       "    from: open\n"
                       "    guards:\n"
                       "      - {require: {a: b}, mesage: m}\n"),
                  "动作 \"g\" 的 guard：未知的键 \"mesage\"（是 \"message\" 吗？）", 16, 27);
    CHECK_PROBLEM(load(kHead + kActions +
                       "  - id: o\n"
                       "    from: [visiting]\n"
                       "    outcomes:\n"
                       "      - {wen: {a: b}, to: done}\n"),
                  "动作 \"o\" 的 outcome：未知的键 \"wen\"（是 \"when\" 吗？）", 16, 10);
    CHECK_PROBLEM(
        load(kHead + kActions + "  - {id: c, from: open, guards: [{require: {a: {gte: 1}}, message: m}]}\n"),
        "对 \"a\" 的条件：未知的键 \"gte\"（是 \"gt\" 吗？）", 13, 49);
    CHECK_PROBLEM(load(kHead + kActions + "version: 2\n"), "键 \"version\" 重复了（第一次在第 3 行）", 13, 1);
}

TEST_CASE("missing required keys are reported at their map", "[workflow][problems]") {
    const auto l = load("category: t\nname: n\nsteps: []\nactions: []\n");
    CHECK_PROBLEM(l, "缺少必需的键 \"version\"", 1, 1);
    CHECK_PROBLEM(load(kHead + "  - {id: x, phase: closed}\n" + kActions), "步骤缺少必需的键 \"label\"", 9,
                  5);
    CHECK_PROBLEM(load(kHead + kActions + "  - {label: 无名, from: open}\n"), "动作缺少必需的键 \"id\"", 13,
                  5);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: nofrom}\n"), "动作 \"nofrom\" 缺少必需的键 \"from\"", 13,
                  5);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: g, from: open, guards: [{require: {a: b}}]}\n"),
                  "动作 \"g\" 的 guard 缺少必需的键 \"message\"", 13, 34);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: o, from: [visiting], outcomes: [{when: {a: b}}]}\n"),
                  "动作 \"o\" 的 outcome 缺少必需的键 \"to\"", 13, 42);
}

TEST_CASE("values of the wrong type are reported at the value", "[workflow][problems]") {
    auto with = [](const std::string& line3) {
        std::string text = kHead + kActions;
        return load(text.replace(text.find("version: 1"), 10, line3));
    };
    CHECK_PROBLEM(with("version: 0"), "\"version\" 须是正整数，而不是 \"0\"", 3, 10);
    CHECK_PROBLEM(with("version: 1.5"), "\"version\" 须是正整数", 3, 10);
    CHECK_PROBLEM(with("version: [1]"), "\"version\" 须是正整数", 3, 10);
    CHECK_PROBLEM(with("version:"), "\"version\" 须是正整数", 3, 1);
    CHECK_PROBLEM(with("deadline_days: -5\nversion: 1"), "\"deadline_days\" 须是正整数", 3, 16);
    CHECK_PROBLEM(with("deadline_days: 99999\nversion: 1"), "不超过 1000", 3, 16);
    CHECK_PROBLEM(with("version: 1\ncategory2: x"), "未知的键 \"category2\"", 4, 1);
    CHECK_PROBLEM(load("category: Drain Age\nname: n\nversion: 1\nsteps: []\nactions: []\n"),
                  "\"category\" 须是 id", 1, 11);
    CHECK_PROBLEM(load("category: t\nname: {a: b}\nversion: 1\nsteps: []\nactions: []\n"),
                  "\"name\" 须是文字", 2, 7);
    CHECK_PROBLEM(load("category: t\nname: n\nversion: 1\nsteps: x\nactions: []\n"),
                  "\"steps\" 须是步骤的列表", 4, 8);
    CHECK_PROBLEM(load(kHead + kActions + "departments: 城管科\n"), "\"departments\" 须是列表", 13, 14);
    CHECK_PROBLEM(load(kHead + kActions + "write_up: [a]\n"), "\"write_up\" 须是文字", 13, 11);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, requires: note}\n"),
                  "动作 \"x\"：\"requires\" 须是列表", 13, 35);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, require_replies: maybe}\n"),
                  "动作 \"x\"：\"require_replies\" 须是 true 或 false", 13, 42);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: 3}\n"),
                  "动作 \"x\"：\"from\" 须是步骤 id 的列表，或 open、any", 13, 19);
    CHECK_PROBLEM(load(kHead + kActions +
                       "  - {id: x, from: open, guards: [{require: {n: {gt: many}}, message: m}]}\n"),
                  "对 \"n\" 的条件中 \"gt\" 须是整数", 13, 53);
    CHECK_PROBLEM(
        load(kHead + kActions + "  - {id: x, from: open, guards: [{require: {n: }, message: m}]}\n"),
        "对 \"n\" 的条件须是一个值", 13, 45);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, sets: {days: [1]}}\n"),
                  "动作 \"x\"：给 \"days\" 设的值须是简单的值", 13, 38);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, sets: {reopen_count: 0}}\n"),
                  "动作 \"x\" 的 \"sets\"：\"reopen_count\" 是案件自己计算的计数", 13, 32);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, requires: [departments]}\n"),
                  "是案件自己计算的计数，不能作为输入（是 \"department\" 吗？）", 13, 36);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, roles: []}\n"), "\"roles\" 是空的", 13,
                  32);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, to: handling, outcomes: [{to: done}]}\n"),
                  "同时写了 \"to\" 和 \"outcomes\"", 13, 39);
}

TEST_CASE("duplicate ids are reported at the second one", "[workflow][problems]") {
    CHECK_PROBLEM(load(kHead + "  - {id: handling, label: 又一个, phase: coordination}\n" + kActions),
                  "步骤 id \"handling\" 重复了（第一次定义在第 6 行）", 9, 10);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: resolve, from: [handling], to: visiting}\n"),
                  "动作 id \"resolve\" 重复了（第一次定义在第 11 行）", 13, 10);
    CHECK_PROBLEM(load(kHead + "  - {id: open, label: 开, phase: coordination}\n" + kActions),
                  "步骤 id \"open\" 是保留字", 9, 10);
}

TEST_CASE("actions must name defined steps", "[workflow][problems]") {
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: [handlng], to: handling}\n"),
                  "动作 \"x\" 的 \"from\" 指向的步骤 \"handlng\" 没有定义（是 \"handling\" 吗？）", 13, 20);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: [handling], to: nowhere}\n"),
                  "动作 \"x\" 的 \"to\" 指向的步骤 \"nowhere\" 没有定义", 13, 35);
    CHECK_PROBLEM(
        load(kHead + kActions + "  - {id: x, from: [visiting], outcomes: [{when: {a: b}, to: dne}]}\n"),
        "动作 \"x\" 的 outcome 的 \"to\" 指向的步骤 \"dne\" 没有定义（是 \"done\" 吗？）", 13, 61);
}

TEST_CASE("phases, roles and effects must be known names", "[workflow][problems]") {
    CHECK_PROBLEM(load(kHead + "  - {id: z, label: Z, phase: followup}\n" + kActions),
                  "未知的阶段 \"followup\"（是 \"follow_up\" 吗？）", 9, 30);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, roles: [supervisr]}\n"),
                  "未知的角色 \"supervisr\"（是 \"supervisor\" 吗？）", 13, 33);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: x, from: open, effect: mark-typical}\n"),
                  "未知的效果 \"mark-typical\"（是 \"mark_typical\" 吗？）", 13, 33);
}

TEST_CASE("a workflow needs an intake step and a closed step", "[workflow][problems]") {
    CHECK_PROBLEM(
        load("category: t\nname: n\nversion: 1\nsteps:\n  - {id: a, label: A, phase: coordination}\n"
             "  - {id: b, label: B, phase: closed}\nactions: []\n"),
        "没有 phase 为 intake 的步骤", 4, 1);
    CHECK_PROBLEM(load("category: t\nname: n\nversion: 1\nsteps:\n  - {id: a, label: A, phase: intake}\n"
                       "actions: []\n"),
                  "没有 phase 为 closed 的步骤", 4, 1);
}

TEST_CASE("moves the lifecycle forbids do not load", "[workflow][problems]") {
    const std::string shortcut =
        kHead + kActions + "  - {id: skip, from: [received], to: done}\n";  // 13: intake -> closed
    CHECK_PROBLEM(load(shortcut),
                  "动作 \"skip\" 会从步骤 \"received\"（intake 阶段）移到步骤 \"done\"（closed 阶段），"
                  "案件的生命周期不允许这样移动",
                  13, 38);
    // One target, several from-steps: each forbidden pair of phases is named once.
    const auto any = load(kHead + kActions + "  - {id: back, from: any, to: received}\n");
    CHECK_PROBLEM(any, "从步骤 \"handling\"（coordination 阶段）移到步骤 \"received\"（intake 阶段）", 13,
                  31);
    CHECK_PROBLEM(any, "从步骤 \"visiting\"（follow_up 阶段）移到步骤 \"received\"（intake 阶段）", 13, 31);
    CHECK_PROBLEM(any, "从步骤 \"done\"（closed 阶段）移到步骤 \"received\"（intake 阶段）", 13, 31);
    // Outcomes are checked one by one, at their own `to`.
    CHECK_PROBLEM(load(kHead + kActions +
                       "  - {id: v, from: [visiting], outcomes: [{when: {a: b}, to: done}, {to: "
                       "received}]}\n"),
                  "移到步骤 \"received\"（intake 阶段），案件的生命周期不允许这样移动", 13, 73);
    // A closed step takes no work that stays put; a note or mark_typical is fine.
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: s, from: any, effect: suspend, requires: [note]}\n"),
                  "动作 \"s\" 的效果 \"suspend\" 会作用于已结束的步骤 \"done\"（closed 阶段）", 13, 19);
    const auto fine = load(kHead + kActions +
                           "  - {id: n, from: any, requires: [note]}\n"
                           "  - {id: t, from: any, effect: mark_typical, roles: [supervisor]}\n");
    INFO(dump(fine));
    CHECK(fine.workflow);
}

TEST_CASE("suspend, resume, escalate, extend and mark_typical must not change the phase",
          "[workflow][problems]") {
    CHECK_PROBLEM(load(kHead + kActions +
                       "  - {id: s, from: [handling], to: visiting, effect: suspend, requires: "
                       "[note]}\n"),
                  "动作 \"s\" 的效果 \"suspend\" 不能改变阶段，但它会从步骤 \"handling\"（coordination 阶段）"
                  "移到步骤 \"visiting\"（follow_up 阶段）",
                  13, 35);
    // Moving to another step of the same phase is allowed.
    const auto ok = load(kHead + "  - {id: waiting, label: 等待材料, phase: coordination}\n" + kActions +
                         "  - {id: s, from: [handling], to: waiting, effect: suspend, requires: [note]}\n"
                         "  - {id: r, from: [waiting], to: handling, effect: resume}\n");
    INFO(dump(ok));
    CHECK(ok.workflow);
}

TEST_CASE("department effects require a department, extend requires days", "[workflow][problems]") {
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: s, from: [handling], effect: sign}\n"),
                  "动作 \"s\" 的效果是 \"sign\"，须要部门：请在 \"requires\" 中加上 department", 13, 39);
    CHECK_PROBLEM(load(kHead + kActions + "  - {id: e, from: open, effect: extend, requires: [note]}\n"),
                  "动作 \"e\" 的效果是 \"extend\"，须要延期天数：请在 \"requires\" 中加上 days", 13, 33);
    // choices may constrain a field the action does not require.
    const auto ok =
        load(kHead + kActions + "  - {id: n, from: open, requires: [note], choices: {hukou: [yes, no]}}\n");
    INFO(dump(ok));
    CHECK(ok.workflow);
}

TEST_CASE("steps out of reach and dead ends are reported at the step", "[workflow][problems]") {
    CHECK_PROBLEM(load(kHead + "  - {id: island, label: 孤岛, phase: coordination}\n" + kActions +
                       "  - {id: leave, from: [island], to: visiting}\n"),
                  "步骤 \"island\" 无法到达：从起始步骤 \"received\" 出发", 9, 5);
    const auto dead = load(kHead + "  - {id: stuck, label: 死胡同, phase: coordination}\n" + kActions +
                           "  - {id: enter, from: [handling], to: stuck}\n");
    CHECK_PROBLEM(dead, "从步骤 \"stuck\" 出发，没有任何动作能到达办结（closed）步骤", 9, 5);
    CHECK(dead.problems.size() == 1);
    // A rejected step is an end of its own and needs no way out.
    const auto rejected = load(kHead + "  - {id: no, label: 不予受理, phase: rejected}\n" + kActions +
                               "  - {id: reject, from: [received], to: no, requires: [note]}\n");
    INFO(dump(rejected));
    CHECK(rejected.workflow);
}

TEST_CASE("every problem in a file is reported, in file order", "[workflow][problems]") {
    const std::string text =
        "category: t\n"                                                           // 1
        "name: 测试\n"                                                            // 2
        "version: 0\n"                                                            // 3
        "deadine: 5\n"                                                            // 4
        "steps:\n"                                                                // 5
        "  - {id: received, label: 受理, phase: intake}\n"                        // 6
        "  - {id: handling, label: 办理, phase: coordinaton}\n"                   // 7
        "  - {id: done, label: 办结, phase: closed}\n"                            // 8
        "actions:\n"                                                              // 9
        "  - {id: dispatch, from: [received], to: handling, effect: dispatch}\n"  // 10
        "  - {id: esc, from: open, roles: [boss], effect: escalate}\n"            // 11
        "  - {id: esc, from: open, effect: shout}\n";                             // 12
    const auto l = load(text);
    INFO(dump(l));
    REQUIRE(l.problems.size() == 7);
    CHECK(has_problem(l, "\"version\" 须是正整数", 3, 10));
    CHECK(has_problem(l, "未知的键 \"deadine\"", 4, 1));
    CHECK(has_problem(l, "未知的阶段 \"coordinaton\"", 7, 38));
    CHECK(has_problem(l, "的效果是 \"dispatch\"，须要部门", 10, 60));
    CHECK(has_problem(l, "未知的角色 \"boss\"", 11, 35));
    CHECK(has_problem(l, "动作 id \"esc\" 重复了", 12, 10));
    CHECK(has_problem(l, "未知的效果 \"shout\"", 12, 35));
    for (std::size_t i = 1; i < l.problems.size(); ++i) {
        const auto& a = l.problems[i - 1].mark;
        const auto& b = l.problems[i].mark;
        CHECK(std::pair(a.line, a.column) <= std::pair(b.line, b.column));
    }
    CHECK(l.problems.front().file == "t.yaml");
}

TEST_CASE("the shipped workflows load and accept the common actions", "[workflow][shipped]") {
    for (const std::string name : {"drainage", "road", "sanitation", "dibao", "general"}) {
        const std::string path = std::string(MINSHENG_SOURCE_DIR "/workflows/") + name + ".yaml";
        const std::string text = read_text(path);
        REQUIRE_FALSE(text.empty());
        const auto l = load_workflow(text, path);
        INFO(path << "\n" << dump(l));
        REQUIRE(l.problems.empty());
        const Workflow& wf = *l.workflow;
        CHECK(wf.category == name);
        CHECK(wf.deadline_days == 20);
        CHECK_FALSE(wf.departments.empty());
        CHECK_FALSE(wf.write_up.empty());
        const Step& start = wf.initial_step();

        const Action& dispatch = action(wf, "dispatch");
        CHECK(dispatch.effect == Effect::Dispatch);
        CHECK(std::count(dispatch.from.begin(), dispatch.from.end(), start.id) == 1);
        const Step* main = wf.find_step(dispatch.to);
        REQUIRE(main);
        CHECK(main->phase == Phase::Coordination);

        for (const char* id : {"sign", "return", "reply"}) {
            const Action& a = action(wf, id);
            CHECK(effect_name(a.effect) == id);
            CHECK(a.to.empty());
            CHECK(std::count(a.requires_.begin(), a.requires_.end(), "department") == 1);
            CHECK(std::count(a.from.begin(), a.from.end(), main->id) == 1);
        }
        for (const char* id : {"return", "reply"}) {
            const Action& a = action(wf, id);
            CHECK(std::count(a.requires_.begin(), a.requires_.end(), "note") == 1);
        }

        // The straight-through sequence: dispatch -> resolve -> visit.
        const Action& resolve = action(wf, "resolve");
        CHECK(std::count(resolve.from.begin(), resolve.from.end(), main->id) == 1);
        const Step* follow = wf.find_step(resolve.to);
        REQUIRE(follow);
        CHECK(follow->phase == Phase::FollowUp);
        CHECK(resolve.requires_.empty());
        int root_cause_guards = 0;
        for (const Guard& g : resolve.guards) {
            if (g.when.size() == 1 && g.when[0].op == Condition::Op::GreaterThan && g.when[0].value == "0" &&
                (g.when[0].field == "reopen_count" || g.when[0].field == "repeat_count") &&
                g.require.size() == 1 && g.require[0].field == "root_cause" &&
                g.require[0].op == Condition::Op::Present) {
                ++root_cause_guards;
                CHECK(g.message.find("root_cause") != std::string::npos);
            }
        }
        CHECK(root_cause_guards == 2);

        const Action& visit = action(wf, "visit");
        CHECK(visit.from == std::vector<std::string>{follow->id});
        CHECK(visit.requires_ == std::vector<std::string>{"satisfied"});
        // SPEC Part 2: the shipped visit takes 满意 (yes), 基本满意 (basic) and 不满意 (no); yes and basic
        // close.
        CHECK(visit.choices.at("satisfied") == std::vector<std::string>{"yes", "basic", "no"});
        CHECK(visit.choice_labels.at("satisfied").at("basic") == "基本满意");
        REQUIRE(visit.outcomes.size() == 2);
        CHECK(visit.outcomes[0].when.at(0).field == "satisfied");
        CHECK(visit.outcomes[0].when.at(0).values == std::vector<std::string>{"yes", "basic"});
        CHECK(wf.find_step(visit.outcomes[0].to)->phase == Phase::Closed);
        CHECK(visit.outcomes[1].when.at(0).value == "no");
        CHECK(visit.outcomes[1].to == main->id);
        const std::string closed = visit.outcomes[0].to;

        const auto stays_open = [&](const char* id, Effect effect, std::vector<std::string> required) {
            const Action& a = action(wf, id);
            CHECK(a.from_kind == Action::From::AnyOpen);
            CHECK(a.to.empty());
            CHECK(a.outcomes.empty());
            CHECK(a.effect == effect);
            CHECK(a.requires_ == required);
            return a.roles;
        };
        const std::vector<Role> everyone{Role::Coordinator, Role::Supervisor};
        const std::vector<Role> supervisors{Role::Supervisor};
        CHECK(stays_open("suspend", Effect::Suspend, {"note"}) == everyone);
        CHECK(stays_open("resume", Effect::Resume, {}) == everyone);
        CHECK(stays_open("note", Effect::None, {"note"}) == everyone);
        CHECK(stays_open("escalate", Effect::Escalate, {"note"}) == supervisors);
        CHECK(stays_open("extend", Effect::Extend, {"days", "note"}) == supervisors);

        const Action& reject = action(wf, "reject");
        CHECK(reject.from == std::vector<std::string>{start.id});
        CHECK(wf.find_step(reject.to)->phase == Phase::Rejected);
        CHECK(reject.requires_ == std::vector<std::string>{"note"});

        const Action& reopen = action(wf, "reopen");
        CHECK(reopen.from == std::vector<std::string>{closed});
        CHECK(reopen.to == main->id);
        CHECK(reopen.roles == supervisors);
        CHECK(reopen.requires_ == std::vector<std::string>{"note"});

        const Action& typical = action(wf, "mark-typical");
        CHECK(typical.from_kind == Action::From::Any);
        CHECK(typical.effect == Effect::MarkTypical);
        CHECK(typical.roles == supervisors);
        CHECK(typical.to.empty());
    }
}

TEST_CASE("dibao needs a supervisor's exception for hukou elsewhere", "[workflow][shipped]") {
    const auto l = load_workflow(read_text(MINSHENG_SOURCE_DIR "/workflows/dibao.yaml"), "dibao.yaml");
    INFO(dump(l));
    REQUIRE(l.workflow);
    const Workflow& wf = *l.workflow;
    CHECK(wf.name == "低保");
    const Action& approve = action(wf, "approve-exception");
    CHECK(approve.roles == std::vector<Role>{Role::Supervisor});
    CHECK(approve.requires_ == std::vector<std::string>{"note"});
    CHECK(approve.sets.at("exception_approved") == "yes");
    CHECK(approve.to.empty());
    const Step* main = wf.find_step(action(wf, "dispatch").to);
    REQUIRE(main);
    CHECK(std::count(approve.from.begin(), approve.from.end(), main->id) == 1);

    const Action& resolve = action(wf, "resolve");
    const auto hukou = std::find_if(resolve.guards.begin(), resolve.guards.end(), [](const Guard& g) {
        return g.when.size() == 1 && g.when[0].field == "hukou_elsewhere";
    });
    REQUIRE(hukou != resolve.guards.end());
    CHECK(hukou->when[0].op == Condition::Op::Equals);
    CHECK(hukou->when[0].value == "yes");
    REQUIRE(hukou->require.size() == 1);
    CHECK(hukou->require[0].field == "exception_approved");
    CHECK(hukou->require[0].op == Condition::Op::Equals);
    CHECK(hukou->require[0].value == "yes");
    CHECK(hukou->message.find("approve-exception") != std::string::npos);
    CHECK(hukou->message.find("人户分离") != std::string::npos);
}

TEST_CASE("inputs found by fuzzing load without crashing", "[workflow][fuzz]") {
    namespace fs = std::filesystem;
    const fs::path dir = MINSHENG_SOURCE_DIR "/tests/engine/workflow_cases";
    REQUIRE(fs::is_directory(dir));
    int count = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        const std::string text = read_text(entry.path().string());
        INFO(entry.path().string());
        WorkflowLoad l;
        CHECK_NOTHROW(l = load_workflow(text, entry.path().filename().string()));
        // Either a workflow or problems, never both or neither.
        CHECK(l.workflow.has_value() == l.problems.empty());
        for (const auto& p : l.problems) {
            CHECK(p.mark.line >= 1);
            CHECK(p.mark.column >= 1);
            CHECK_FALSE(p.message.empty());
        }
        ++count;
    }
    CHECK(count > 0);
}

TEST_CASE("write_up placeholders are checked at load, each at its tag", "[workflow][problems][write_up]") {
    // kHead + kActions are lines 1-12; the template starts on line 14.
    auto with_write_up = [](const std::string& lines) {
        return load(kHead + kActions + "write_up: |\n" + lines);
    };
    SECTION("an unknown name, with a suggestion; columns count characters") {
        const auto l = with_write_up(
            "  收集到群众{{report_count}}次反映{{adress}}。\n"   // 14
            "  {{#repeated}}多次{{/repeated}}{{rootcause}}\n");  // 15
        CHECK_PROBLEM(l, "write_up：未知的占位符 \"adress\"（是 \"address\" 吗？）", 14, 27);
        CHECK_PROBLEM(l, "write_up：未知的占位符 \"rootcause\"（是 \"root_cause\" 吗？）", 15, 31);
        CHECK(l.problems.size() == 2);
        CHECK(l.problems.front().to_string() ==
              "t.yaml:14:27: write_up：未知的占位符 \"adress\"（是 \"address\" 吗？）");
    }
    SECTION("a name nothing is close to lists the known ones") {
        CHECK_PROBLEM(with_write_up("  {{zzzz}}\n"), "未知的占位符 \"zzzz\"（可用的有：id、category、", 14,
                      3);
    }
    SECTION("a section never closed, at its opening tag") {
        CHECK_PROBLEM(with_write_up("  办结。\n  {{#resolved}}用时{{working_days}}天\n"),
                      "write_up：段落 \"resolved\" 没有用 {{/resolved}} 关闭", 15, 3);
    }
    SECTION("a closing tag that does not match the open section, or closes none") {
        const auto l = with_write_up("  {{#resolved}}x{{/visited}}{{/resolved}}\n  y{{/resolved}}\n");
        CHECK_PROBLEM(l,
                      "write_up：\"{{/visited}}\" 与尚未关闭的 \"{{#resolved}}\" 不配对："
                      "这里应是 \"{{/resolved}}\"",
                      14, 17);
        CHECK_PROBLEM(l, "write_up：\"{{/resolved}}\" 前面没有要关闭的 {{#resolved}}", 15, 4);
        CHECK(l.problems.size() == 2);
    }
    SECTION("malformed tags") {
        CHECK_PROBLEM(with_write_up("  a{{address\n"), "write_up：\"{{\" 没有用 \"}}\" 关闭", 14, 4);
        CHECK_PROBLEM(with_write_up("  a{{}}\n"), "write_up：占位符 \"{{}}\" 是空的", 14, 4);
        CHECK_PROBLEM(with_write_up("  a{{{address}}}\n"), "write_up：不支持 \"{{{\"", 14, 4);
        CHECK_PROBLEM(with_write_up("  {{Address}}\n"), "write_up：占位符名 \"Address\" 不合格式", 14, 3);
    }
    SECTION("a template of many bad tags: the first twenty, then how many more") {
        std::string tags;
        for (int i = 0; i < 25; ++i)
            tags += "{{x}}";
        const auto l = with_write_up("  " + tags + "\n");
        INFO(dump(l));
        REQUIRE(l.problems.size() == 21);
        CHECK_PROBLEM(l, "write_up：未知的占位符 \"x\"", 14, 98);
        CHECK_PROBLEM(l, "write_up：模板中还有 5 个问题", 14, 103);
    }
    SECTION("the same problems refuse the workflow when it is loaded for use") {
        try {
            load_workflow_or_throw(kHead + kActions + "write_up: |\n  {{adress}}\n", "w.yaml");
            FAIL("no exception");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::Refused);
            CHECK(std::string(e.what()) ==
                  "流程文件有误，未载入（用 workflow check 列出全部问题）：w.yaml:14:3: write_up："
                  "未知的占位符 \"adress\"（是 \"address\" 吗？）");
        }
    }
}

TEST_CASE("write_up problems are placed in every style of scalar", "[workflow][problems][write_up]") {
    auto with = [](const std::string& write_up) { return load(kHead + kActions + write_up); };
    // Literal blocks: header indicators, a comment, more indentation, a tag or an anchor, CRLF line ends.
    CHECK_PROBLEM(with("write_up: |-  # 典型事例\n    a\n\n      {{nope}}\n"), "未知的占位符 \"nope\"", 16,
                  7);
    CHECK_PROBLEM(with("write_up: |2\n    {{nope}}\n"), "未知的占位符 \"nope\"", 14, 5);
    CHECK_PROBLEM(with("write_up: !!str |\n  x{{nope}}\n"), "未知的占位符 \"nope\"", 14, 4);
    CHECK_PROBLEM(with("write_up: &t |\n  x{{nope}}\n"), "未知的占位符 \"nope\"", 14, 4);
    CHECK_PROBLEM(load(kHead + kActions + "write_up: |\r\n  a\r\n  办{{nope}}\r\n"), "未知的占位符 \"nope\"",
                  15, 4);
    // One-line plain and quoted values.
    CHECK_PROBLEM(with("write_up: 反映{{nope}}\n"), "write_up：未知的占位符 \"nope\"", 13, 13);
    CHECK_PROBLEM(with("write_up: \"反映{{nope}}\"\n"), "write_up：未知的占位符 \"nope\"", 13, 14);
    CHECK_PROBLEM(with("write_up: '反映{{nope}}'\n"), "write_up：未知的占位符 \"nope\"", 13, 14);
    // Where the value's text differs from the file's before the tag, the problem is at the value.
    CHECK_PROBLEM(with("write_up: \"a\\tb{{nope}}\"\n"), "write_up：未知的占位符 \"nope\"", 13, 11);
    CHECK_PROBLEM(with("write_up: >\n  a\n  b{{nope}}\n"), "write_up：未知的占位符 \"nope\"", 13, 11);
    CHECK_PROBLEM(with("write_up: >\n  a\n\n  b{{nope}}\n"), "write_up（模板第 2 行）：未知的占位符 \"nope\"",
                  13, 11);
    CHECK_PROBLEM(with("write_up: a\n  b{{nope}}\n"), "write_up：未知的占位符 \"nope\"", 13, 11);
}

TEST_CASE("valid write_up templates and the description are kept", "[workflow][write_up]") {
    const std::string tmpl =
        "{{#repeated}}{{report_times}}{{/repeated}}反映{{address}}{{^root_cause}}原因不明"
        "{{/root_cause}}{{fields.finding}}{{! 注释 }}\n";
    const auto l = load(kHead + kActions + "description: 测试用的工作流\nwrite_up: |\n  " + tmpl);
    INFO(dump(l));
    REQUIRE(l.workflow);
    CHECK(l.workflow->write_up == tmpl);
    CHECK(l.workflow->description == "测试用的工作流");
    const auto none = load(kHead + kActions);
    REQUIRE(none.workflow);
    CHECK(none.workflow->description.empty());
    CHECK(none.workflow->write_up.empty());
}

TEST_CASE("every shipped workflow file checks clean, write_up included", "[workflow][shipped][write_up]") {
    namespace fs = std::filesystem;
    int count = 0;
    for (const auto& entry : fs::directory_iterator(MINSHENG_SOURCE_DIR "/workflows")) {
        if (entry.path().extension() != ".yaml") continue;
        const auto l = load_workflow(read_text(entry.path().string()), entry.path().filename().string());
        INFO(entry.path().string() << "\n" << dump(l));
        CHECK(l.problems.empty());
        REQUIRE(l.workflow);
        CHECK_FALSE(l.workflow->write_up.empty());
        CHECK_FALSE(l.workflow->description.empty());
        ++count;
    }
    CHECK(count == 5);
}
