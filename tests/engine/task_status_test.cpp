// A department task's status (SPEC "Each dispatched department has its own task"): the enum and the stable
// names the projection and the JSON output use, and how a stored state's task status is read back.
#include "prelude.h"

#include <nlohmann/json.hpp>
#include <string>

#include "engine/case.h"
#include "engine/error.h"

using minsheng::CaseState;
using minsheng::state_from_json;
using minsheng::state_to_json;
using minsheng::task_status_from_name;
using minsheng::task_status_name;
using minsheng::TaskStatus;

TEST_CASE("task status names are the ones SPEC gives and round-trip", "[case][task]") {
    const auto [status, name] =
        GENERATE(table<TaskStatus, std::string>({{TaskStatus::Dispatched, "dispatched"},
                                                 {TaskStatus::Signed, "signed"},
                                                 {TaskStatus::Returned, "returned"},
                                                 {TaskStatus::Replied, "replied"}}));
    CAPTURE(name);
    CHECK(std::string(task_status_name(status)) == name);
    REQUIRE(task_status_from_name(name).has_value());
    CHECK(*task_status_from_name(name) == status);
}

TEST_CASE("a name that is no task status is not read as one", "[case][task]") {
    CHECK_FALSE(task_status_from_name("").has_value());
    CHECK_FALSE(task_status_from_name("Returned").has_value());
    CHECK_FALSE(task_status_from_name("已退单").has_value());
}

TEST_CASE("a stored state's task status is kept by name — an unknown one is a storage error",
          "[case][task]") {
    CaseState s;
    s.id = "2024-0001";
    s.tasks = {
        {"物业", TaskStatus::Returned, false, "2024-03-06T09:00:00", "2024-03-07T10:00:00", "不归我们管"}};
    json j = state_to_json(s);
    CHECK(j["tasks"][0]["status"] == "returned");
    CHECK(state_from_json(j).tasks.at(0).status == TaskStatus::Returned);

    j["tasks"][0].erase("status");
    CHECK(state_from_json(j).tasks.at(0).status == TaskStatus::Dispatched);  // a new task's

    j["tasks"][0]["status"] = "lost";
    try {
        state_from_json(j);
        FAIL("an unknown status was accepted");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Storage);
        CHECK(std::string(e.what()).find("'lost'") != std::string::npos);
    }
}
