// The deadline clock (SPEC.md "Deadline rules" 1-7): case states folded from hand-made events and read with
// clock_at on the shipped calendar; and the runtime's own rules for escalate and extend, with the real
// drainage workflow. Every expected date below was counted by hand against the shipped holiday data.

#include <functional>
#include <string>
#include <vector>

#include "engine/calendar.h"
#include "engine/case.h"
#include "engine/error.h"
#include "engine/runtime.h"
#include "engine/workflow.h"
#include "prelude.h"

using minsheng::ActionRequest;
using minsheng::apply_event;
using minsheng::Calendar;
using minsheng::CaseState;
using minsheng::ClockView;
using minsheng::Date;
using minsheng::Event;
using minsheng::format_date;
using minsheng::Phase;
using minsheng::Role;
using minsheng::Workflow;

namespace {

const Calendar& cal() {
    static const std::string path = MINSHENG_SOURCE_DIR "/workflows/calendar/cn-holidays.yaml";
    static const Calendar c(minsheng::parse_calendar_yaml(read_existing(path), path));
    return c;
}

Date d(const std::string& s) {
    return minsheng::parse_date(s);
}

std::string fmt(const std::optional<Date>& x) {
    return x ? format_date(*x) : "(none)";
}

// Builds one drainage-like case from hand-made events with the data keys the fold reads (case.cpp), folding
// each as it is added. Steps and phases follow the shipped drainage workflow.
class CaseBuilder {
public:
    explicit CaseBuilder(const std::string& received, int deadline_days = 20) {
        add("open", received,
            {{"category", "drainage"},
             {"workflow_version", 1},
             {"deadline_days", deadline_days},
             {"address", "海福巷3号"},
             {"address_key", "海福巷3号"},
             {"summary", "下水道堵塞"},
             {"step", "received"},
             {"reporter", {{"name", "宋长松"}, {"phone", "13812341234"}, {"channel", "来电"}}}});
    }

    CaseBuilder& dispatch(const std::string& on) {
        return move("dispatch", on, "handling", Phase::Coordination, "route", "dispatch",
                    {{"departments", {"街道城管科"}}});
    }
    CaseBuilder& resolve(const std::string& on) {
        return move("resolve", on, "awaiting_visit", Phase::FollowUp, "resolve", "none",
                    {{"set", {{"root_cause", "主管堵塞"}}}});
    }
    CaseBuilder& visit(const std::string& on, bool satisfied) {
        return satisfied ? move("visit", on, "archived", Phase::Closed, "close", "none",
                                {{"set", {{"satisfied", "yes"}}}})
                         : move("visit", on, "handling", Phase::Coordination, "unsatisfied", "none",
                                {{"set", {{"satisfied", "no"}}}});
    }
    CaseBuilder& reopen(const std::string& on) {
        return move("reopen", on, "handling", Phase::Coordination, "reopen", "none", {{"note", "又堵了"}});
    }
    CaseBuilder& suspend(const std::string& on) {
        return stay("suspend", on, "suspend", "suspend", {{"note", "等待雨停"}});
    }
    CaseBuilder& resume(const std::string& on) {
        return stay("resume", on, "resume", "resume", json::object());
    }
    CaseBuilder& extend(const std::string& on, int days) {
        return stay("extend", on, "annotate", "extend",
                    {{"set", {{"days", std::to_string(days)}}}, {"days", days}});
    }
    CaseBuilder& escalate(const std::string& on, int level) {
        return stay("escalate", on, "annotate", "escalate", {{"level", level}, {"note", "请尽快办理"}});
    }

    const CaseState& state() const { return state_; }
    ClockView clock(const std::string& on) const { return minsheng::clock_at(state_, d(on), cal()); }

private:
    CaseState state_;
    std::int64_t seq_ = 0;
    std::string step_;
    Phase phase_ = Phase::Intake;

    // `on` is a date; events are logged at 10:00 plus the sequence number, so the same day keeps its order.
    void add(const std::string& action, const std::string& on, json data) {
        Event e;
        e.seq = ++seq_;
        e.case_id = "2024-0001";
        e.action = action;
        char at[32];
        std::snprintf(at, sizeof at, "%sT10:%02d:00", on.c_str(), static_cast<int>(seq_ % 60));
        e.at = at;
        e.actor = "王协调";
        e.data = std::move(data);
        apply_event(state_, e, cal());
        step_ = state_.step;
        phase_ = state_.phase;
    }
    CaseBuilder& move(const std::string& action, const std::string& on, const std::string& to_step, Phase to,
                      const std::string& lifecycle, const std::string& effect, json extra) {
        json data = {{"from_step", step_},
                     {"to_step", to_step},
                     {"from_phase", std::string(minsheng::phase_name(phase_))},
                     {"to_phase", std::string(minsheng::phase_name(to))},
                     {"lifecycle", lifecycle},
                     {"effect", effect}};
        data.update(extra);
        add(action, on, data);
        return *this;
    }
    CaseBuilder& stay(const std::string& action, const std::string& on, const std::string& lifecycle,
                      const std::string& effect, json extra) {
        return move(action, on, step_, phase_, lifecycle, effect, std::move(extra));
    }
};

}  // namespace

// ---- Rule 1: received date + N working days, the start day not counted ----

TEST_CASE("rule 1: the deadline is the received date plus 20 working days", "[clock][rule1]") {
    auto [received, deadline] = GENERATE(table<std::string, std::string>({
        // An ordinary Monday: 3-05..3-08, 11-15, 18-22, 25-29, 4-01.
        {"2024-03-04", "2024-04-01"},
        // Friday, Saturday and Sunday all start counting on Monday 3-11; 4-04..4-06 清明 off, Sunday 4-07
        // is an adjusted working day.
        {"2024-03-08", "2024-04-08"},
        {"2024-03-09", "2024-04-08"},
        {"2024-03-10", "2024-04-08"},
        {"2024-03-11", "2024-04-09"},
        // Received on a holiday (国庆 2024-10-01..07): counting starts 10-08; Saturday 10-12 is worked.
        {"2024-10-01", "2024-11-01"},
        {"2024-10-03", "2024-11-01"},
        {"2024-09-30", "2024-11-01"},
        // Spring Festival 2025 (1-28..2-04 off, Sunday 1-26 and Saturday 2-08 worked).
        {"2025-01-27", "2025-03-03"},
        {"2025-01-24", "2025-02-27"},
        // Spring Festival 2024 (2-10..2-17 off, Sunday 2-18 worked).
        {"2024-02-08", "2024-03-13"},
        // National Day 2025 (10-01..10-08 off, Sunday 9-28 and Saturday 10-11 worked).
        {"2025-09-26", "2025-10-30"},
        // Late in the last covered year, still inside it.
        {"2026-12-01", "2026-12-29"},
    }));
    CAPTURE(received);
    CaseBuilder c(received);
    CHECK(fmt(c.state().deadline) == deadline);
    CHECK(c.state().deadline_problem.empty());
    const ClockView v = c.clock(received);
    CHECK(fmt(v.deadline) == deadline);
    CHECK_FALSE(v.overdue);
    CHECK_FALSE(v.stopped);
    CHECK(v.problem.empty());
}

TEST_CASE("rule 1: the first working days around the holidays", "[clock][rule1]") {
    // The next working day after a Friday before the Spring Festival is the adjusted Sunday 1-26.
    CHECK(fmt(CaseBuilder("2025-01-24", 1).state().deadline) == "2025-01-26");
    CHECK(fmt(CaseBuilder("2025-01-24", 2).state().deadline) == "2025-01-27");
    CHECK(fmt(CaseBuilder("2025-01-27", 1).state().deadline) == "2025-02-05");
    // Before National Day 2025: Sunday 9-28 is worked, then 9-29, 9-30, then nothing until 10-09.
    CHECK(fmt(CaseBuilder("2025-09-26", 1).state().deadline) == "2025-09-28");
    CHECK(fmt(CaseBuilder("2025-09-26", 4).state().deadline) == "2025-10-09");
}

TEST_CASE("rule 1: a workflow's own N is used", "[clock][rule1]") {
    CaseBuilder c("2024-03-04", 5);
    CHECK(fmt(c.state().deadline) == "2024-03-11");
    CHECK(c.state().deadline_days == 5);
}

// ---- Rules 2 and 5: overdue, days left, days overdue ----

TEST_CASE("rule 5: working days left count down to 0 on the deadline day", "[clock][rule5]") {
    CaseBuilder c("2024-03-04");  // deadline 2024-04-01 (Monday)
    auto [on, left] = GENERATE(table<std::string, int>({
        {"2024-03-04", 20},
        {"2024-03-05", 19},
        {"2024-03-20", 8},
        {"2024-03-29", 1},  // Friday
        {"2024-03-30", 1},  // Saturday: still one working day (Monday) left
        {"2024-03-31", 1},
        {"2024-04-01", 0},  // the deadline day: due by its end, not overdue
    }));
    CAPTURE(on);
    const ClockView v = c.clock(on);
    CHECK(v.working_days_left == left);
    CHECK_FALSE(v.overdue);
    CHECK(v.working_days_overdue == 0);
}

TEST_CASE("rules 2 and 5: the day after the deadline the case is overdue and counts working days",
          "[clock][rule2][rule5]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05");  // coordination is still unresolved
    auto [on, overdue_days] = GENERATE(table<std::string, int>({
        {"2024-04-02", 1},
        {"2024-04-03", 2},
        {"2024-04-05", 2},  // 清明 4-04..4-06: no working days added
        {"2024-04-07", 3},  // the adjusted Sunday
        {"2024-04-12", 8},
    }));
    CAPTURE(on);
    const ClockView v = c.clock(on);
    CHECK(v.overdue);
    CHECK(v.working_days_overdue == overdue_days);
    CHECK(v.working_days_left == -overdue_days);
    CHECK(fmt(v.deadline) == "2024-04-01");
}

// ---- Rule 2: the clock stops at resolve ----

TEST_CASE("rule 2: resolved on the deadline day is on time — the clock stops", "[clock][rule2]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").resolve("2024-04-01");
    CHECK(fmt(c.state().resolved_on) == "2024-04-01");
    for (const char* on : {"2024-04-01", "2024-04-02", "2024-06-03"}) {
        CAPTURE(on);
        const ClockView v = c.clock(on);
        CHECK(v.stopped);
        CHECK_FALSE(v.overdue);
        CHECK(v.working_days_left == 0);
        CHECK(v.working_days_overdue == 0);
        CHECK(fmt(v.deadline) == "2024-04-01");
    }
}

TEST_CASE("rule 2: resolved early keeps the working days left it had", "[clock][rule2]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").resolve("2024-03-20");
    for (const char* on : {"2024-03-20", "2024-04-02", "2024-09-02"}) {
        CAPTURE(on);
        const ClockView v = c.clock(on);
        CHECK(v.stopped);
        CHECK_FALSE(v.overdue);
        CHECK(v.working_days_left == 8);
    }
    // Closing after the visit does not start anything again.
    c.visit("2024-04-10", true);
    CHECK(c.state().phase == Phase::Closed);
    const ClockView v = c.clock("2024-05-06");
    CHECK(v.stopped);
    CHECK_FALSE(v.overdue);
    CHECK(v.working_days_left == 8);
}

TEST_CASE("rule 2: resolved after the deadline is late, frozen, and no longer overdue", "[clock][rule2]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05");
    REQUIRE(c.clock("2024-04-03").overdue);
    c.resolve("2024-04-03");
    for (const char* on : {"2024-04-03", "2024-04-08", "2024-12-02"}) {
        CAPTURE(on);
        const ClockView v = c.clock(on);
        CHECK(v.stopped);
        CHECK_FALSE(v.overdue);  // overdue means unresolved
        CHECK(v.working_days_left == -2);
        CHECK(*c.state().resolved_on > *v.deadline);  // not on time
    }
}

TEST_CASE("rule 2: a suspension after the resolve does not move the stopped clock", "[clock][rule2][rule3]") {
    // A case waiting for its follow-up visit can be suspended (waiting for the resident), but its deadline
    // and whether it was met were settled at the resolve.
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").resolve("2024-03-20");
    REQUIRE(c.clock("2024-03-20").working_days_left == 8);
    c.suspend("2024-03-21");
    CHECK(c.clock("2024-04-10").working_days_left == 8);
    CHECK(fmt(c.clock("2024-04-10").deadline) == "2024-04-01");
    c.resume("2024-04-10");
    const ClockView v = c.clock("2024-04-11");
    CHECK(v.stopped);
    CHECK(fmt(v.deadline) == "2024-04-01");
    CHECK(v.working_days_left == 8);

    SECTION("a late resolve does not become on time through a later suspension") {
        CaseBuilder late("2024-03-04");
        late.dispatch("2024-03-05").resolve("2024-04-03").suspend("2024-04-08").resume("2024-05-06");
        const ClockView lv = late.clock("2024-05-07");
        CHECK(fmt(lv.deadline) == "2024-04-01");
        CHECK(lv.working_days_left == -2);
    }
}

// ---- Rule 3: suspensions ----

TEST_CASE("rule 3: suspended and resumed on the same day adds nothing", "[clock][rule3]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").suspend("2024-03-06").resume("2024-03-06");
    CHECK_FALSE(c.state().suspended);
    CHECK(fmt(c.state().deadline) == "2024-04-01");
    CHECK(c.clock("2024-03-07").working_days_left == 17);
}

TEST_CASE("rule 3: a finished suspension adds the working days S < d <= R", "[clock][rule3]") {
    auto [suspend_on, resume_on, deadline] = GENERATE(table<std::string, std::string, std::string>({
        // Wed 3-06 to Tue 3-12: 3-07, 3-08, 3-11, 3-12 = 4 working days; 4-01 + 4 = 4-08 (清明, 4-07 worked).
        {"2024-03-06", "2024-03-12", "2024-04-08"},
        // Friday to Sunday: no working day in (S, R].
        {"2024-03-08", "2024-03-10", "2024-04-01"},
        // Friday to Monday: one.
        {"2024-03-08", "2024-03-11", "2024-04-02"},
        // Saturday to Monday: one.
        {"2024-03-09", "2024-03-11", "2024-04-02"},
    }));
    CAPTURE(suspend_on, resume_on);
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").suspend(suspend_on);
    CHECK(c.state().suspended);
    c.resume(resume_on);
    CHECK_FALSE(c.state().suspended);
    CHECK(fmt(c.state().deadline) == deadline);
    CHECK(fmt(c.clock(resume_on).deadline) == deadline);
}

TEST_CASE("rule 3: two suspensions add up", "[clock][rule3]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").suspend("2024-03-06").resume("2024-03-12");  // +4
    c.suspend("2024-03-14").resume("2024-03-15");                         // +1
    CHECK(fmt(c.state().deadline) == "2024-04-09");
    CHECK(c.state().suspended_working_days == 5);
}

TEST_CASE("rule 3: still suspended on D, R is taken as D", "[clock][rule3]") {
    SECTION("suspended before the deadline: never falls overdue while suspended") {
        CaseBuilder c("2024-03-04");
        c.dispatch("2024-03-05").suspend("2024-03-06");
        REQUIRE(c.state().suspended);
        // On 3-06 there were 18 working days left; that figure holds for as long as the case is suspended.
        auto [on, deadline] = GENERATE(table<std::string, std::string>({
            {"2024-03-06", "2024-04-01"},
            {"2024-03-20", "2024-04-16"},  // +10
            {"2024-04-02",
             "2024-04-28"},  // past the first deadline, still not overdue (4-28: adjusted Sunday)
            {"2024-06-03", "2024-06-28"},  // +61
        }));
        CAPTURE(on);
        const ClockView v = c.clock(on);
        CHECK(fmt(v.deadline) == deadline);
        CHECK_FALSE(v.overdue);
        CHECK(v.working_days_left == 18);
        CHECK(v.working_days_overdue == 0);
        // The stored deadline excludes the running suspension.
        CHECK(fmt(c.state().deadline) == "2024-04-01");
    }
    SECTION("suspended after the deadline: stays overdue, by as much as when suspended") {
        CaseBuilder c("2024-03-04");
        c.dispatch("2024-03-05");
        REQUIRE(c.clock("2024-04-10").working_days_overdue == 6);
        c.suspend("2024-04-10");
        for (const char* on : {"2024-04-10", "2024-04-19", "2024-06-03"}) {
            CAPTURE(on);
            const ClockView v = c.clock(on);
            CHECK(v.overdue);
            CHECK(v.working_days_overdue == 6);
            CHECK(v.working_days_left == -6);
        }
        CHECK(fmt(c.clock("2024-04-19").deadline) == "2024-04-11");
        // Resumed, the case carries on being overdue from there.
        c.resume("2024-04-19");
        CHECK(fmt(c.state().deadline) == "2024-04-11");
        CHECK(c.clock("2024-04-22").working_days_overdue == 7);
    }
}

// ---- Rule 4: reopening restarts the clock ----

TEST_CASE("rule 4: an unsatisfied visit restarts the clock from the visit date", "[clock][rule4]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").resolve("2024-03-20").visit("2024-04-15", false);
    const CaseState& s = c.state();
    CHECK(s.phase == Phase::Coordination);
    CHECK(s.reopen_count == 1);
    CHECK_FALSE(s.resolved_on.has_value());
    CHECK(fmt(s.deadline) == "2024-05-14");
    CHECK(format_date(s.clock_start) == "2024-04-15");
    // The first cycle stays in the history: its deadline was met.
    REQUIRE(s.past_cycles.size() == 1);
    CHECK(format_date(s.past_cycles[0].start) == "2024-03-04");
    CHECK(fmt(s.past_cycles[0].deadline) == "2024-04-01");
    CHECK(fmt(s.past_cycles[0].resolved_on) == "2024-03-20");

    const ClockView v = c.clock("2024-04-16");
    CHECK_FALSE(v.stopped);
    CHECK_FALSE(v.overdue);  // 2024-04-16 is after the first deadline, but the clock restarted
    CHECK(v.working_days_left == 19);
    CHECK(c.clock("2024-05-15").overdue);
}

TEST_CASE("rule 4: a supervisor's reopen of a closed case restarts the clock", "[clock][rule4]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").resolve("2024-04-03").visit("2024-04-08", true);
    REQUIRE(c.state().phase == Phase::Closed);
    c.reopen("2024-05-06");
    const CaseState& s = c.state();
    CHECK(s.phase == Phase::Coordination);
    CHECK(s.reopen_count == 1);
    CHECK(fmt(s.deadline) == "2024-05-31");
    REQUIRE(s.past_cycles.size() == 1);
    // The first cycle was resolved late, and that stays recorded.
    CHECK(fmt(s.past_cycles[0].deadline) == "2024-04-01");
    CHECK(fmt(s.past_cycles[0].resolved_on) == "2024-04-03");
    CHECK(c.clock("2024-05-06").working_days_left == 20);

    // Resolved and reopened once more: two past cycles, a third deadline.
    c.resolve("2024-05-10").visit("2024-05-13", false);
    CHECK(c.state().reopen_count == 2);
    CHECK(c.state().past_cycles.size() == 2);
    CHECK(fmt(c.state().past_cycles[1].resolved_on) == "2024-05-10");
}

// ---- Rule 7: extensions ----

TEST_CASE("rule 7: an extension of K working days moves the current deadline by K", "[clock][rule7]") {
    CaseBuilder c("2024-03-04");
    c.dispatch("2024-03-05").extend("2024-03-20", 5);
    CHECK(fmt(c.state().deadline) == "2024-04-09");
    CHECK(c.state().extended_working_days == 5);
    CHECK(c.clock("2024-04-09").working_days_left == 0);
    CHECK_FALSE(c.clock("2024-04-09").overdue);
    CHECK(c.clock("2024-04-10").overdue);

    SECTION("granted on the deadline day itself") {
        CaseBuilder e("2024-03-04");
        e.dispatch("2024-03-05").extend("2024-04-01", 3);
        CHECK(fmt(e.state().deadline) == "2024-04-07");  // 4-02, 4-03, the adjusted Sunday 4-07
    }
    SECTION("together with a suspension") {
        CaseBuilder e("2024-03-04");
        e.dispatch("2024-03-05").extend("2024-03-06", 5).suspend("2024-03-07").resume("2024-03-13");  // +4
        CHECK(fmt(e.state().deadline) == "2024-04-15");
    }
}

// ---- Rule 6: a year the calendar lacks ----

TEST_CASE("rule 6: a deadline in a year the calendar lacks is unknown, naming the year", "[clock][rule6]") {
    CaseBuilder c("2026-12-20");
    CHECK_FALSE(c.state().deadline.has_value());
    CHECK_THAT(c.state().deadline_problem, Contains("2027"));
    const ClockView v = c.clock("2026-12-21");
    CHECK_FALSE(v.deadline.has_value());
    CHECK_FALSE(v.overdue);
    CHECK_THAT(v.problem, Contains("2027"));
    // The case itself is logged all the same.
    CHECK(c.state().phase == Phase::Intake);
    CHECK(c.state().address == "海福巷3号");
}

TEST_CASE("rule 6: reading a clock in a year the calendar lacks names the year", "[clock][rule6]") {
    CaseBuilder c("2026-12-01");  // deadline 2026-12-29 is known
    c.dispatch("2026-12-02");
    const ClockView v = c.clock("2027-01-05");
    CHECK_THAT(v.problem, Contains("2027"));
    // And a suspension resumed in 2027 cannot be counted either.
    CaseBuilder s("2026-12-01");
    s.dispatch("2026-12-02").suspend("2026-12-10").resume("2027-01-04");
    CHECK_THAT(s.state().deadline_problem, Contains("2027"));
    CHECK_FALSE(s.state().deadline.has_value());
}

// ---- Through the runtime: escalate and extend with the shipped drainage workflow ----

namespace {

const Workflow& drainage() {
    static const std::string path = MINSHENG_SOURCE_DIR "/workflows/drainage.yaml";
    static const Workflow w = minsheng::load_workflow_or_throw(read_existing(path), path);
    return w;
}

// A drainage case opened and dispatched through the runtime, so the events are the ones the program logs.
CaseState dispatched_case(const std::string& received) {
    minsheng::ReportInput report;
    report.address = "海福巷3号";
    report.summary = "下水道堵塞污水满溢";
    report.reporter = "宋长松";
    report.at = received + "T09:00:00";
    CaseState s;
    Event open = minsheng::make_open_event(drainage(), "2024-0001", report, "王协调");
    open.seq = 1;
    apply_event(s, open, cal());
    ActionRequest r;
    r.action = "dispatch";
    r.departments = {"街道城管科"};
    r.at = received + "T10:00:00";
    r.actor = "王协调";
    r.role = Role::Coordinator;
    Event e = minsheng::decide_action(drainage(), s, r, cal());
    e.seq = 2;
    apply_event(s, e, cal());
    REQUIRE(s.phase == Phase::Coordination);
    return s;
}

ActionRequest supervisor_act(const std::string& action, const std::string& on) {
    ActionRequest r;
    r.action = action;
    r.note = "督办：请尽快办理";
    r.at = on + "T11:00:00";
    r.actor = "督办甲";
    r.role = Role::Supervisor;
    return r;
}

}  // namespace

TEST_CASE("runtime: escalate is refused unless the case is overdue, then raises 催办, 督办, 通报",
          "[clock][runtime][escalate]") {
    CaseState s = dispatched_case("2024-03-04");  // deadline 2024-04-01
    for (const char* on : {"2024-03-20", "2024-04-01"}) {
        CAPTURE(on);
        const Error e =
            error_of([&] { minsheng::decide_action(drainage(), s, supervisor_act("escalate", on), cal()); });
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK_THAT(e.what(), Contains("未超期"));
    }
    const std::vector<std::string> names = {"催办", "督办", "通报"};
    for (int level = 1; level <= 3; ++level) {
        CAPTURE(level);
        Event e = minsheng::decide_action(drainage(), s, supervisor_act("escalate", "2024-04-02"), cal());
        CHECK(e.data.at("level") == level);
        CHECK(e.data.at("level_name") == names[static_cast<size_t>(level - 1)]);
        e.seq = s.last_seq + 1;
        apply_event(s, e, cal());
        CHECK(s.escalation_level == level);
        CHECK(minsheng::escalation_name(level) == names[static_cast<size_t>(level - 1)]);
        CHECK(s.phase == Phase::Coordination);  // escalating moves nothing
    }
    const Error top = error_of(
        [&] { minsheng::decide_action(drainage(), s, supervisor_act("escalate", "2024-04-03"), cal()); });
    CHECK(top.kind() == ErrorKind::Refused);
    CHECK(s.escalation_level == 3);
}

TEST_CASE("runtime: escalate is for supervisors only", "[clock][runtime][escalate]") {
    const CaseState s = dispatched_case("2024-03-04");
    ActionRequest r = supervisor_act("escalate", "2024-04-02");
    r.actor = "王协调";
    r.role = Role::Coordinator;
    const Error e = error_of([&] { minsheng::decide_action(drainage(), s, r, cal()); });
    CHECK(e.kind() == ErrorKind::NotAllowed);
}

TEST_CASE("runtime: a suspended case that fell overdue can still be escalated",
          "[clock][runtime][escalate]") {
    CaseState s = dispatched_case("2024-03-04");
    ActionRequest r = supervisor_act("suspend", "2024-04-10");
    Event e = minsheng::decide_action(drainage(), s, r, cal());
    apply_event(s, e, cal());
    REQUIRE(s.suspended);
    Event esc = minsheng::decide_action(drainage(), s, supervisor_act("escalate", "2024-04-19"), cal());
    CHECK(esc.data.at("level") == 1);
}

TEST_CASE("runtime: extend is allowed up to the deadline day and refused after it",
          "[clock][runtime][extend]") {
    const CaseState s = dispatched_case("2024-03-04");  // deadline 2024-04-01
    auto extend = [&](const std::string& on, const std::string& days) {
        ActionRequest r = supervisor_act("extend", on);
        r.sets = {{"days", days}};
        return r;
    };
    SECTION("on the deadline day") {
        CaseState c = s;
        Event e = minsheng::decide_action(drainage(), c, extend("2024-04-01", "3"), cal());
        CHECK(e.data.at("days") == 3);
        apply_event(c, e, cal());
        CHECK(fmt(c.deadline) == "2024-04-07");
    }
    SECTION("after the deadline") {
        const Error e =
            error_of([&] { minsheng::decide_action(drainage(), s, extend("2024-04-02", "3"), cal()); });
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK_THAT(e.what(), Contains("2024-04-01"));
    }
    SECTION("not a positive whole number of days") {
        for (const char* days : {"0", "-2", "abc", "1.5", ""}) {
            CAPTURE(days);
            const Error e =
                error_of([&] { minsheng::decide_action(drainage(), s, extend("2024-03-20", days), cal()); });
            CHECK(e.kind() == ErrorKind::Refused);
        }
    }
    SECTION("by a coordinator") {
        ActionRequest r = extend("2024-03-20", "3");
        r.actor = "王协调";
        r.role = Role::Coordinator;
        const Error e = error_of([&] { minsheng::decide_action(drainage(), s, r, cal()); });
        CHECK(e.kind() == ErrorKind::NotAllowed);
    }
}
