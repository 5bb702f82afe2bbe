// The seed's 典型事例二 through the command line: a 低保 application with the household registration
// elsewhere (人户分离) cannot be resolved until a supervisor approves the exception (特事特办).
#include <nlohmann/json.hpp>

#include "prelude.h"

namespace {

struct Station {
    TempDir dir;
    std::string db = fresh_station(dir);

    RunResult as(const std::string& actor, std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", db, "--as", actor, "--today", "2023-08-20"});
        return run_minsheng(args);
    }
    json show(const std::string& id) {
        auto r = run_minsheng({"--db", db, "--today", "2023-08-20", "--json", "case", "show", id});
        REQUIRE(r.exit_code == 0);
        return json::parse(r.out);
    }
    int events() { return static_cast<int>(show("2023-0001")["history"].size()); }
};

}  // namespace

TEST_CASE("a 低保 case with hukou elsewhere needs a supervisor's approve-exception before resolve",
          "[e2e][dibao]") {
    Station st;
    auto r = st.as("王协调", {"--json", "case", "open", "--category", "dibao", "--address", "海福巷71号",
                              "--reporter", "宋长松", "--summary",
                              "年纪大、无业，独子无法就业，申请低保；人户分离", "--at", "2023-08-01T09:00"});
    REQUIRE(r.exit_code == 0);
    REQUIRE(json::parse(r.out)["id"] == "2023-0001");

    REQUIRE(st.as("王协调", {"case", "do", "2023-0001", "dispatch", "--department", "社区民政", "--set",
                             "hukou_elsewhere=yes", "--at", "2023-08-01T10:00"})
                .exit_code == 0);
    REQUIRE(st.as("王协调", {"case", "do", "2023-0001", "dispatch", "--department", "街道民政科",
                             "--department", "派出所户籍", "--at", "2023-08-10T11:00"})
                .exit_code == 0);

    SECTION("resolve is refused (exit 3), nothing written") {
        const int before = st.events();
        r = st.as("王协调", {"case", "do", "2023-0001", "resolve", "--set", "root_cause=人户分离", "--at",
                             "2023-08-15T10:00"});
        CHECK(r.exit_code == 3);
        CHECK(r.err.find("特事特办") != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.out.empty());
        CHECK(st.events() == before);
        CHECK(st.show("2023-0001")["phase"] == "coordination");
    }

    SECTION("a coordinator cannot approve the exception (exit 4), nothing written") {
        const int before = st.events();
        r = st.as("王协调", {"case", "do", "2023-0001", "approve-exception", "--note", "家庭困难"});
        CHECK(r.exit_code == 4);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(st.events() == before);
        CHECK(st.show("2023-0001")["fields"].count("exception_approved") == 0);
    }

    SECTION("after the supervisor's approval the case resolves and closes on a satisfied visit") {
        r = st.as("督办甲", {"case", "do", "2023-0001", "approve-exception", "--note",
                             "多街道多部门协调，家庭确实困难，特事特办", "--at", "2023-08-16T09:00"});
        REQUIRE(r.exit_code == 0);
        CHECK(st.show("2023-0001")["fields"]["exception_approved"] == "yes");
        r = st.as("王协调", {"case", "do", "2023-0001", "resolve", "--set",
                             "root_cause=人户分离，户口无法迁入现住地", "--at", "2023-08-18T16:00"});
        REQUIRE(r.exit_code == 0);
        json c = st.show("2023-0001");
        CHECK(c["phase"] == "follow_up");
        CHECK(c["overdue"] == false);
        CHECK(c["departments"] == json::array({"社区民政", "街道民政科", "派出所户籍"}));
        r = st.as("王协调",
                  {"case", "do", "2023-0001", "visit", "--set", "satisfied=yes", "--at", "2023-08-20T10:00"});
        REQUIRE(r.exit_code == 0);
        CHECK(st.show("2023-0001")["phase"] == "closed");
    }

    SECTION("without hukou_elsewhere=yes no approval is needed") {
        r = st.as("王协调", {"--json", "case", "open", "--category", "dibao", "--address", "戎苑小区5栋",
                             "--summary", "申请低保", "--at", "2023-08-02T09:00"});
        REQUIRE(r.exit_code == 0);
        REQUIRE(
            st.as("王协调", {"case", "do", "2023-0002", "dispatch", "--department", "社区民政"}).exit_code ==
            0);
        CHECK(st.as("王协调", {"case", "do", "2023-0002", "resolve", "--set", "root_cause=符合条件"})
                  .exit_code == 0);
    }
}
