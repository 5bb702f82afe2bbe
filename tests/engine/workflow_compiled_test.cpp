// Tests of a workflow's compiled form (engine/workflow_compiled.cpp): what is read back is the workflow that
// was written, member for member, and a form this minsheng did not write is refused rather than half read.
#include <string>

#include <nlohmann/json.hpp>

#include "engine/workflow.h"
#include "engine/workflow_compiled.h"
#include "prelude.h"

using namespace minsheng;

namespace {

Workflow shipped(const std::string& name) {
    const std::string path = std::string(MINSHENG_SOURCE_DIR "/workflows/") + name + ".yaml";
    return load_workflow_or_throw(read_text(path), path);
}

}  // namespace

TEST_CASE("every shipped workflow reads back from its compiled form as it was loaded",
          "[workflow][compiled]") {
    // Defaulted == compares every member: a member the compiled form leaves out (or reads back wrong) fails
    // here as soon as a shipped workflow sets it.
    for (const std::string name : {"drainage", "road", "sanitation", "dibao", "general"}) {
        INFO(name);
        const Workflow w = shipped(name);
        const auto back = read_compiled_workflow(compile_workflow(w), w.source);
        REQUIRE(back);
        CHECK(*back == w);
    }
}

TEST_CASE("the compiled form keeps what the shipped files leave at its default", "[workflow][compiled]") {
    // The members no shipped file uses, set by hand: a Chinese label, every condition operator, a guard with
    // a position, each `from` kind, an outcome list, choice labels.
    Workflow w = shipped("drainage");
    Action a;
    a.id = "check";
    a.label = "核查/复核";
    a.from_kind = Action::From::AnyOpen;
    a.outcomes = {Outcome{{Condition{"level", Condition::Op::GreaterThan, "2", {}}}, "done"},
                  Outcome{{Condition{"kind", Condition::Op::NotEquals, "", {"甲", "乙"}}}, "handling"}};
    a.roles = {Role::Supervisor};
    a.requires_ = {"note", "kind"};
    a.choices = {{"kind", {"甲", "乙"}}};
    a.choice_labels = {{"kind", {{"甲", "第一类"}}}};
    a.fields = {"remark"};
    a.guards = {Guard{{Condition{"kind", Condition::Op::Present, "", {}}},
                      {Condition{"remark", Condition::Op::Absent, "", {}}},
                      "有备注时不能核查",
                      {41, 7}}};
    a.sets = {{"checked", "是"}};
    a.effect = Effect::Extend;
    a.require_replies = true;
    a.mark = {40, 5};
    w.actions.push_back(a);
    Action b = a;
    b.id = "any";
    b.from_kind = Action::From::Any;
    b.effect = Effect::MarkTypical;
    w.actions.push_back(b);

    const auto back = read_compiled_workflow(compile_workflow(w), w.source);
    REQUIRE(back);
    CHECK(*back == w);
}

TEST_CASE("a compiled form of another format, or damaged, is not read", "[workflow][compiled]") {
    const Workflow w = shipped("road");
    auto j = nlohmann::json::parse(compile_workflow(w));
    auto bytes = [](const nlohmann::json& tree) { return tree.dump(); };
    CHECK(read_compiled_workflow(bytes(j), w.source));

    auto other_format = j;
    other_format["format"] = j["format"].get<int>() + 1;
    CHECK_FALSE(read_compiled_workflow(bytes(other_format), w.source));

    auto member_missing = j;
    member_missing["workflow"].erase("steps");
    CHECK_FALSE(read_compiled_workflow(bytes(member_missing), w.source));

    auto wrong_type = j;
    wrong_type["workflow"]["deadline_days"] = "二十";
    CHECK_FALSE(read_compiled_workflow(bytes(wrong_type), w.source));

    auto format_not_a_number = j;
    format_not_a_number["format"] = "1";
    CHECK_FALSE(read_compiled_workflow(bytes(format_not_a_number), w.source));

    CHECK_FALSE(read_compiled_workflow("", w.source));
    CHECK_FALSE(read_compiled_workflow(bytes(j).substr(0, 100), w.source));  // cut short
    CHECK_FALSE(read_compiled_workflow(bytes(nlohmann::json::array({1, 2})), w.source));
    CHECK_FALSE(read_compiled_workflow("{\"format\": 1}", w.source));
}

TEST_CASE("a stored workflow whose text is not UTF-8 has no compiled form — its YAML is read instead",
          "[workflow][compiled]") {
    // An older minsheng stored such text unchecked (a GBK byte in a label, say); JSON cannot hold it.
    Workflow w = shipped("drainage");
    w.name = "排水\xB0";
    CHECK(compile_workflow(w).empty());
    CHECK_FALSE(read_compiled_workflow("", w.source));
}
