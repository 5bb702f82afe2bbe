// Issue 14, the engine's side: rules that hold whatever the input. `--set` takes only what an action
// declares; computed counters win over fields of the same name.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/runtime.h"
#include "engine/workflow.h"
#include "prelude.h"

using namespace minsheng;

namespace {

std::vector<Workflow> shipped_workflows() {
    std::vector<Workflow> out;
    for (const char* c : {"drainage", "road", "sanitation", "dibao", "general"}) {
        const std::string path = std::string(MINSHENG_SOURCE_DIR) + "/workflows/" + c + ".yaml";
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        out.push_back(load_workflow_or_throw(ss.str(), path));
    }
    return out;
}

// Every field any action of the workflow `sets`: only that action writes it.
std::vector<std::string> set_by_actions(const Workflow& w) {
    std::vector<std::string> out;
    for (const auto& a : w.actions)
        for (const auto& [k, v] : a.sets)
            out.push_back(k);
    return out;
}

ActionRequest request(const std::string& action, const std::string& key, const std::string& value) {
    ActionRequest r;
    r.action = action;
    r.sets = {{key, value}};
    r.note = "说明";
    r.departments = {"街道城管科"};
    r.at = "2023-06-05T10:00:00";
    r.actor = "督办甲";
    r.role = Role::Supervisor;
    return r;
}

}  // namespace

TEST_CASE(
    "a computed or another action's field given with --set is refused by every action of every shipped "
    "workflow",
    "[runtime][set]") {
    const Calendar cal;
    for (const Workflow& w : shipped_workflows()) {
        std::vector<std::string> names = computed_names();
        for (const auto& f : set_by_actions(w))
            names.push_back(f);
        REQUIRE(names.size() >= 4);
        for (const Action& a : w.actions) {
            for (const std::string& name : names) {
                for (const char* value : {"0", "yes", "99"}) {
                    CAPTURE(w.category, a.id, name, value);
                    CaseState s;
                    s.id = "2023-0001";
                    s.category = w.category;
                    s.step = w.initial_step().id;
                    const Error e = error_of([&] { decide_action(w, s, request(a.id, name, value), cal); });
                    CHECK(e.kind() == ErrorKind::Refused);
                    const std::string msg = e.what();
                    CHECK(msg.find(name) != std::string::npos);
                    CHECK(msg.find('\n') == std::string::npos);
                    if (const Action* setter = w.action_setting(name))
                        CHECK(msg.find(setter->id) != std::string::npos);
                }
            }
        }
    }
}

TEST_CASE("a field the action does not declare is refused with --set naming what it takes",
          "[runtime][set]") {
    const Calendar cal;
    for (const Workflow& w : shipped_workflows()) {
        for (const Action& a : w.actions) {
            const auto accepted = a.accepted_fields();
            for (const char* field :
                 {"root_cause", "satisfied", "days", "finding", "hukou_elsewhere", "zzz"}) {
                if (std::find(accepted.begin(), accepted.end(), field) != accepted.end()) continue;
                CAPTURE(w.category, a.id, field);
                CaseState s;
                s.id = "2023-0001";
                s.category = w.category;
                s.step = w.initial_step().id;
                const Error e = error_of([&] { decide_action(w, s, request(a.id, field, "yes"), cal); });
                CHECK(e.kind() == ErrorKind::Refused);
                CHECK(std::string(e.what()).find(std::string("--set ") + field) != std::string::npos);
            }
        }
    }
}

TEST_CASE("the fields the shipped workflows' SPEC actions need are declared", "[runtime][set]") {
    for (const Workflow& w : shipped_workflows()) {
        CAPTURE(w.category);
        auto takes = [&](const char* action, const char* field) {
            const Action* a = w.find_action(action);
            REQUIRE(a);
            const auto f = a->accepted_fields();
            return std::find(f.begin(), f.end(), field) != f.end();
        };
        CHECK(takes("resolve", "root_cause"));
        CHECK(takes("visit", "satisfied"));
        CHECK(takes("extend", "days"));
        CHECK_FALSE(takes("note", "satisfied"));
        CHECK_FALSE(takes("resolve", "exception_approved"));
        if (w.category == "dibao") {
            CHECK(takes("dispatch", "hukou_elsewhere"));
            CHECK(takes("note", "hukou_elsewhere"));
        }
    }
}

TEST_CASE("a counter is read from the case, never from a field of the same name", "[runtime][set]") {
    const Calendar cal;
    const Workflow w = shipped_workflows().front();  // drainage
    REQUIRE(w.category == "drainage");
    // A case in coordination with a repeat report and a stored field claiming otherwise (written before
    // --set was checked).
    for (const char* counter : {"repeat_count", "reopen_count"}) {
        CAPTURE(counter);
        CaseState s;
        s.id = "2023-0001";
        s.category = "drainage";
        s.phase = Phase::Coordination;
        s.step = "handling";
        s.report_count = std::string(counter) == "repeat_count" ? 2 : 1;
        s.reopen_count = std::string(counter) == "reopen_count" ? 1 : 0;
        s.fields[counter] = "0";
        ActionRequest r;
        r.action = "resolve";
        r.at = "2023-06-05T10:00:00";
        r.actor = "王协调";
        const Error e = error_of([&] { decide_action(w, s, r, cal); });
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(std::string(e.what()).find("root_cause") != std::string::npos);
    }
}

TEST_CASE("a workflow cannot list a counter among the fields or choices an action takes", "[workflow][set]") {
    const std::string head =
        "category: x\nname: X\nversion: 1\nsteps:\n  - {id: a, label: A, phase: intake}\n"
        "  - {id: b, label: B, phase: coordination}\n  - {id: z, label: Z, phase: closed}\n"
        "  - {id: f, label: F, phase: follow_up}\nactions:\n  - {id: go, from: [a], to: b}\n"
        "  - {id: done, from: [b], to: f}\n  - {id: close, from: [f], to: z}\n";
    for (const char* line : {"  - {id: n, from: open, fields: [repeat_count]}\n",
                             "  - {id: n, from: open, choices: {reopen_count: ['0']}}\n"}) {
        CAPTURE(line);
        const WorkflowLoad load = load_workflow(head + line, "x.yaml");
        REQUIRE_FALSE(load.problems.empty());
        CHECK(load.problems.front().message.find("是案件自己计算的计数") != std::string::npos);
    }
    const WorkflowLoad ok = load_workflow(head + "  - {id: n, from: open, fields: [finding]}\n", "x.yaml");
    CHECK(ok.problems.empty());
}

TEST_CASE("a workflow cannot let an action take a field another action sets", "[workflow][set]") {
    const std::string head =
        "category: x\nname: X\nversion: 1\nsteps:\n  - {id: a, label: A, phase: intake}\n"
        "  - {id: b, label: B, phase: coordination}\n  - {id: z, label: Z, phase: closed}\n"
        "  - {id: f, label: F, phase: follow_up}\nactions:\n  - {id: go, from: [a], to: b}\n"
        "  - {id: done, from: [b], to: f}\n  - {id: close, from: [f], to: z}\n"
        "  - {id: approve, from: open, roles: [supervisor], sets: {approved: 'yes'}}\n";
    for (const char* line :
         {"  - {id: n, from: open, fields: [approved]}\n", "  - {id: n, from: open, requires: [approved]}\n",
          "  - {id: n, from: open, choices: {approved: ['yes']}}\n"}) {
        CAPTURE(line);
        const WorkflowLoad load = load_workflow(head + line, "x.yaml");
        REQUIRE(load.problems.size() == 1);
        CHECK(load.problems.front().message.find("由动作 \"approve\" 的 sets 写入") != std::string::npos);
        // A station's stored text still loads (the runtime refuses the --set anyway).
        CHECK(load_workflow(head + line, "x.yaml", WorkflowChecks::Stored).problems.empty());
    }
}
