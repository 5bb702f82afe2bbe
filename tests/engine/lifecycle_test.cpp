// The case lifecycle (SPEC.md "Phase"): every phase, running or suspended, against every lifecycle event,
// checked against one table of the moves SPEC allows; and event_for_move for every pair of phases and against
// the machine's own transition table.
#include "prelude.h"

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/lifecycle.h"

using minsheng::event_for_move;
using minsheng::is_open;
using minsheng::Lifecycle;
using minsheng::LifecycleEvent;
using minsheng::LifecycleResult;
using minsheng::Phase;
using minsheng::phase_name;

namespace {

using E = LifecycleEvent;
using P = Phase;

const std::vector<Phase> kPhases = {P::Intake, P::Coordination, P::FollowUp, P::Closed, P::Rejected};
const std::vector<LifecycleEvent> kEvents = {E::Route,  E::Reject, E::Resolve,  E::Close,   E::Unsatisfied,
                                             E::Reopen, E::Work,   E::Annotate, E::Suspend, E::Resume};

struct Outcome {
    Phase phase;
    bool suspended;
};

// The moves SPEC allows, from (phase, suspended) by event, and where each lands. Everything not listed is
// refused. Phase moves and work need the clock running (a suspended case is resumed first); notes and a
// supervisor's acts (Annotate: note, escalate, extend, mark-typical — the last in any phase) are allowed
// while suspended; only open phases can be suspended.
const std::map<std::tuple<Phase, bool, LifecycleEvent>, Outcome>& allowed() {
    static const std::map<std::tuple<Phase, bool, LifecycleEvent>, Outcome> m = {
        // intake (受理)
        {{P::Intake, false, E::Route}, {P::Coordination, false}},
        {{P::Intake, false, E::Reject}, {P::Rejected, false}},
        {{P::Intake, false, E::Work}, {P::Intake, false}},
        {{P::Intake, false, E::Annotate}, {P::Intake, false}},
        {{P::Intake, false, E::Suspend}, {P::Intake, true}},
        {{P::Intake, true, E::Annotate}, {P::Intake, true}},
        {{P::Intake, true, E::Resume}, {P::Intake, false}},
        // coordination (办理)
        {{P::Coordination, false, E::Resolve}, {P::FollowUp, false}},
        {{P::Coordination, false, E::Work}, {P::Coordination, false}},
        {{P::Coordination, false, E::Annotate}, {P::Coordination, false}},
        {{P::Coordination, false, E::Suspend}, {P::Coordination, true}},
        {{P::Coordination, true, E::Annotate}, {P::Coordination, true}},
        {{P::Coordination, true, E::Resume}, {P::Coordination, false}},
        // follow_up (待回访)
        {{P::FollowUp, false, E::Close}, {P::Closed, false}},
        {{P::FollowUp, false, E::Unsatisfied}, {P::Coordination, false}},
        {{P::FollowUp, false, E::Work}, {P::FollowUp, false}},
        {{P::FollowUp, false, E::Annotate}, {P::FollowUp, false}},
        {{P::FollowUp, false, E::Suspend}, {P::FollowUp, true}},
        {{P::FollowUp, true, E::Annotate}, {P::FollowUp, true}},
        {{P::FollowUp, true, E::Resume}, {P::FollowUp, false}},
        // closed (办结归档): only a supervisor's reopen, and marking it typical
        {{P::Closed, false, E::Reopen}, {P::Coordination, false}},
        {{P::Closed, false, E::Annotate}, {P::Closed, false}},
        // rejected (不予受理): final
        {{P::Rejected, false, E::Annotate}, {P::Rejected, false}},
    };
    return m;
}

std::string name_of(LifecycleEvent e) {
    return std::string(minsheng::lifecycle_event_name(e));
}

}  // namespace

TEST_CASE("a new lifecycle starts in intake with the clock running", "[lifecycle]") {
    Lifecycle lc;
    CHECK(lc.phase() == P::Intake);
    CHECK_FALSE(lc.suspended());
}

TEST_CASE("Lifecycle(phase, suspended) puts the machine where it says", "[lifecycle]") {
    const Phase phase = GENERATE(from_range(kPhases));
    const bool suspended = GENERATE(false, true);
    CAPTURE(phase_name(phase), suspended);
    Lifecycle lc(phase, suspended);
    CHECK(lc.phase() == phase);
    // A closed or rejected case cannot be suspended: only open phases carry a running clock.
    CHECK(lc.suspended() == (suspended && is_open(phase)));
}

TEST_CASE("every phase x running/suspended x event: exactly the moves SPEC allows succeed", "[lifecycle]") {
    const Phase phase = GENERATE(from_range(kPhases));
    const bool suspended = GENERATE(false, true);
    const LifecycleEvent event = GENERATE(from_range(kEvents));
    // Closed and rejected cases are never suspended; the "suspended" variant of them is the same state.
    const bool really_suspended = suspended && is_open(phase);
    CAPTURE(phase_name(phase), suspended, name_of(event));

    Lifecycle lc(phase, suspended);
    REQUIRE(lc.phase() == phase);
    REQUIRE(lc.suspended() == really_suspended);

    const auto it = allowed().find({phase, really_suspended, event});
    const LifecycleResult r = lc.fire(event);
    if (it != allowed().end()) {
        CHECK(r.ok);
        CHECK(r.reason.empty());
        CHECK(lc.phase() == it->second.phase);
        CHECK(lc.suspended() == it->second.suspended);
    } else {
        CHECK_FALSE(r.ok);
        CHECK_FALSE(r.reason.empty());
        CHECK(r.reason.find('\n') == std::string::npos);
        // A refusal leaves the machine exactly as it was ...
        CHECK(lc.phase() == phase);
        CHECK(lc.suspended() == really_suspended);
        // ... and still working: firing the same event again is refused again, the same way.
        const LifecycleResult again = lc.fire(event);
        CHECK_FALSE(again.ok);
        CHECK(again.reason == r.reason);
        CHECK(lc.phase() == phase);
    }
}

TEST_CASE("the number of allowed moves matches the table", "[lifecycle]") {
    int ok = 0;
    for (Phase p : kPhases)
        for (bool s : {false, true})
            for (LifecycleEvent e : kEvents) {
                Lifecycle lc(p, s);
                if (lc.suspended() != s) continue;  // closed/rejected: no suspended variant
                if (lc.fire(e).ok) ++ok;
            }
    CHECK(ok == static_cast<int>(allowed().size()));
}

TEST_CASE("refusal reasons say what is wrong", "[lifecycle]") {
    SECTION("a suspended case must be resumed before it moves") {
        Lifecycle lc(P::Coordination, true);
        const auto r = lc.fire(E::Resolve);
        REQUIRE_FALSE(r.ok);
        CHECK(r.reason.find("恢复办理") != std::string::npos);
    }
    SECTION("resuming a running case") {
        Lifecycle lc(P::Coordination, false);
        const auto r = lc.fire(E::Resume);
        REQUIRE_FALSE(r.ok);
        CHECK(r.reason.find("没有挂起") != std::string::npos);
    }
    SECTION("suspending twice") {
        Lifecycle lc(P::Intake, true);
        const auto r = lc.fire(E::Suspend);
        REQUIRE_FALSE(r.ok);
        CHECK(r.reason.find("已经挂起") != std::string::npos);
    }
    SECTION("suspending a closed case names the phase") {
        Lifecycle lc(P::Closed, false);
        const auto r = lc.fire(E::Suspend);
        REQUIRE_FALSE(r.ok);
        CHECK(r.reason.find("办结") != std::string::npos);
    }
    SECTION("an illegal move names the event and the phase") {
        Lifecycle lc(P::Intake, false);
        const auto r = lc.fire(E::Resolve);
        REQUIRE_FALSE(r.ok);
        CHECK(r.reason.find("办理完毕") != std::string::npos);
        CHECK(r.reason.find("受理") != std::string::npos);
    }
}

TEST_CASE("a whole life: intake to closed, reopened, suspended and closed again", "[lifecycle]") {
    Lifecycle lc;
    const std::vector<std::tuple<LifecycleEvent, Phase, bool>> path = {
        {E::Work, P::Intake, false},          {E::Route, P::Coordination, false},
        {E::Work, P::Coordination, false},    {E::Suspend, P::Coordination, true},
        {E::Annotate, P::Coordination, true}, {E::Resume, P::Coordination, false},
        {E::Resolve, P::FollowUp, false},     {E::Unsatisfied, P::Coordination, false},
        {E::Resolve, P::FollowUp, false},     {E::Close, P::Closed, false},
        {E::Annotate, P::Closed, false},      {E::Reopen, P::Coordination, false},
        {E::Resolve, P::FollowUp, false},     {E::Close, P::Closed, false},
    };
    for (const auto& [event, phase, suspended] : path) {
        CAPTURE(name_of(event));
        const auto r = lc.fire(event);
        REQUIRE(r.ok);
        CHECK(lc.phase() == phase);
        CHECK(lc.suspended() == suspended);
    }
    CHECK_FALSE(lc.fire(E::Work).ok);
}

TEST_CASE("a moved lifecycle keeps its state", "[lifecycle]") {
    Lifecycle a(P::FollowUp, true);
    Lifecycle b(std::move(a));
    CHECK(b.phase() == P::FollowUp);
    CHECK(b.suspended());
    Lifecycle c;
    c = std::move(b);
    CHECK(c.phase() == P::FollowUp);
    CHECK(c.fire(E::Resume).ok);
    CHECK(c.fire(E::Close).ok);
    CHECK(c.phase() == P::Closed);
}

TEST_CASE("event_for_move for every pair of phases", "[lifecycle]") {
    const Phase from = GENERATE(from_range(kPhases));
    const Phase to = GENERATE(from_range(kPhases));
    CAPTURE(phase_name(from), phase_name(to));

    static const std::map<std::pair<Phase, Phase>, LifecycleEvent> expected = {
        {{P::Intake, P::Intake}, E::Work},         {{P::Coordination, P::Coordination}, E::Work},
        {{P::FollowUp, P::FollowUp}, E::Work},     {{P::Intake, P::Coordination}, E::Route},
        {{P::Intake, P::Rejected}, E::Reject},     {{P::Coordination, P::FollowUp}, E::Resolve},
        {{P::FollowUp, P::Closed}, E::Close},      {{P::FollowUp, P::Coordination}, E::Unsatisfied},
        {{P::Closed, P::Coordination}, E::Reopen},
    };
    const std::optional<LifecycleEvent> got = event_for_move(from, to);
    const auto it = expected.find({from, to});
    if (it == expected.end()) {
        CHECK_FALSE(got.has_value());
    } else {
        REQUIRE(got.has_value());
        CHECK(name_of(*got) == name_of(it->second));
        // The event it names really makes that move on a running case.
        Lifecycle lc(from, false);
        REQUIRE(lc.fire(*got).ok);
        CHECK(lc.phase() == to);
    }
}

// event_for_move is read from the transition table; this fails if the two ever part: every phase row maps
// back to its event, and every phase move the machine makes is a row.
TEST_CASE("event_for_move agrees with the machine's transition table", "[lifecycle]") {
    const auto& moves = minsheng::lifecycle_moves();
    // Nine moves between phases (three of them 并案, one from each open phase; SPEC Part 2 added the phase
    // `merged`), work inside each open phase.
    CHECK(moves.size() == 12);
    for (const auto& m : moves) {
        CAPTURE(phase_name(m.from), name_of(m.event), phase_name(m.to));
        const std::optional<LifecycleEvent> got = event_for_move(m.from, m.to);
        REQUIRE(got.has_value());
        CHECK(name_of(*got) == name_of(m.event));
        Lifecycle lc(m.from, false);
        REQUIRE(lc.fire(m.event).ok);
        CHECK(lc.phase() == m.to);
    }
    // The clock region's events (suspend, resume, annotate) are no phase moves.
    for (Phase from : kPhases) {
        for (LifecycleEvent e :
             {E::Route, E::Reject, E::Resolve, E::Close, E::Unsatisfied, E::Reopen, E::Work}) {
            Lifecycle lc(from, false);
            if (!lc.fire(e).ok) continue;
            CAPTURE(phase_name(from), name_of(e), phase_name(lc.phase()));
            const std::optional<LifecycleEvent> got = event_for_move(from, lc.phase());
            REQUIRE(got.has_value());
            CHECK(name_of(*got) == name_of(e));
        }
    }
}

TEST_CASE("phase names are stable and round-trip", "[lifecycle]") {
    const std::vector<std::pair<Phase, std::string>> names = {
        {P::Intake, "intake"}, {P::Coordination, "coordination"}, {P::FollowUp, "follow_up"},
        {P::Closed, "closed"}, {P::Rejected, "rejected"},         {P::Merged, "merged"}};
    for (const auto& [p, n] : names) {
        CHECK(phase_name(p) == n);
        CHECK(minsheng::phase_from_name(n) == p);
        CHECK_FALSE(minsheng::phase_label(p).empty());
    }
    CHECK_FALSE(minsheng::phase_from_name("open").has_value());
    CHECK_FALSE(minsheng::phase_from_name("").has_value());
    CHECK_FALSE(minsheng::phase_from_name("Intake").has_value());
    CHECK(is_open(P::Intake));
    CHECK(is_open(P::Coordination));
    CHECK(is_open(P::FollowUp));
    CHECK_FALSE(is_open(P::Closed));
    CHECK_FALSE(is_open(P::Rejected));
}

// The fold reads an event's `lifecycle` member back by these names.
TEST_CASE("lifecycle event names round-trip", "[lifecycle]") {
    for (LifecycleEvent e : kEvents)
        CHECK(minsheng::lifecycle_event_from_name(name_of(e)) == e);
    CHECK_FALSE(minsheng::lifecycle_event_from_name("").has_value());
    CHECK_FALSE(minsheng::lifecycle_event_from_name("Resolve").has_value());
}

TEST_CASE("a case merges (并案) from any open phase and nothing moves it afterwards", "[lifecycle]") {
    for (Phase from : {P::Intake, P::Coordination, P::FollowUp}) {
        for (bool suspended : {false, true}) {
            CAPTURE(phase_name(from), suspended);
            Lifecycle lc(from, suspended);
            REQUIRE(lc.fire(E::Merge).ok);
            CHECK(lc.phase() == P::Merged);
        }
    }
    for (Phase from : {P::Closed, P::Rejected, P::Merged}) {
        CAPTURE(phase_name(from));
        Lifecycle lc(from, false);
        CHECK_FALSE(lc.fire(E::Merge).ok);
    }
    Lifecycle merged(P::Merged, false);
    for (LifecycleEvent e :
         {E::Route, E::Reject, E::Resolve, E::Close, E::Unsatisfied, E::Reopen, E::Work, E::Suspend}) {
        CAPTURE(name_of(e));
        CHECK_FALSE(merged.fire(e).ok);
        CHECK(merged.phase() == P::Merged);
    }
    CHECK(phase_label(P::Merged) == "并案");
}
