// The case lifecycle as a Boost.MSM state machine (functor front-end). MSM stays inside this file: the rest
// of minsheng sees the Phase enum and Lifecycle::fire().
#include "engine/lifecycle.h"

// Boost 1.74's MSM still includes headers that Boost itself marks deprecated; their notes are noise here.
#define BOOST_ALLOW_DEPRECATED_HEADERS
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#include <boost/mpl/for_each.hpp>
#include <boost/mpl/vector.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/error.h"

namespace minsheng {
namespace {

namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;

// Events: one type per LifecycleEvent, carrying its value so the transition table can be read back.
template <LifecycleEvent E>
struct Ev {
    static constexpr LifecycleEvent kind = E;
};
using RouteEv = Ev<LifecycleEvent::Route>;
using RejectEv = Ev<LifecycleEvent::Reject>;
using ResolveEv = Ev<LifecycleEvent::Resolve>;
using CloseEv = Ev<LifecycleEvent::Close>;
using UnsatisfiedEv = Ev<LifecycleEvent::Unsatisfied>;
using ReopenEv = Ev<LifecycleEvent::Reopen>;
using WorkEv = Ev<LifecycleEvent::Work>;
using AnnotateEv = Ev<LifecycleEvent::Annotate>;
using SuspendEv = Ev<LifecycleEvent::Suspend>;
using ResumeEv = Ev<LifecycleEvent::Resume>;
using MergeEv = Ev<LifecycleEvent::Merge>;

// Flags let guards ask about the other region.
struct SuspendedFlag {};
struct FinishedFlag {};

struct LifecycleDef : msm::front::state_machine_def<LifecycleDef> {
    Phase phase = Phase::Intake;
    bool suspended = false;
    bool refused = false;

    // Region 1: the phase. Each state records itself on entry so phase() never depends on MSM's indices.
    template <Phase P>
    struct PhaseState : msm::front::state<> {
        static constexpr Phase phase_value = P;  // lets the transition table be read back as phase moves
        template <class Event, class Fsm>
        void on_entry(const Event&, Fsm& fsm) {
            fsm.phase = P;
        }
    };
    struct Intake : PhaseState<Phase::Intake> {};
    struct Coordination : PhaseState<Phase::Coordination> {};
    struct FollowUp : PhaseState<Phase::FollowUp> {};
    struct Closed : PhaseState<Phase::Closed> {
        using flag_list = mpl::vector1<FinishedFlag>;
    };
    struct Rejected : PhaseState<Phase::Rejected> {
        using flag_list = mpl::vector1<FinishedFlag>;
    };
    // 并案: the case's reports joined another open case; nothing more happens on it.
    struct Merged : PhaseState<Phase::Merged> {
        using flag_list = mpl::vector1<FinishedFlag>;
    };

    // Region 2: the clock, orthogonal to the phase.
    struct Running : msm::front::state<> {
        template <class Event, class Fsm>
        void on_entry(const Event&, Fsm& fsm) {
            fsm.suspended = false;
        }
    };
    struct Suspended : msm::front::state<> {
        using flag_list = mpl::vector1<SuspendedFlag>;
        template <class Event, class Fsm>
        void on_entry(const Event&, Fsm& fsm) {
            fsm.suspended = true;
        }
    };

    using initial_state = mpl::vector<Intake, Running>;

    // Guards.
    struct ClockRunning {
        template <class Event, class Fsm, class Source, class Target>
        bool operator()(const Event&, Fsm& fsm, Source&, Target&) const {
            return !fsm.template is_flag_active<SuspendedFlag>();
        }
    };
    struct CaseOpen {
        template <class Event, class Fsm, class Source, class Target>
        bool operator()(const Event&, Fsm& fsm, Source&, Target&) const {
            return !fsm.template is_flag_active<FinishedFlag>();
        }
    };

    // clang-format off
    struct transition_table : mpl::vector<
        //   Start         Event          Next          Action  Guard
        Row< Intake,       RouteEv,       Coordination, none,   ClockRunning >,
        Row< Intake,       RejectEv,      Rejected,     none,   ClockRunning >,
        Row< Coordination, ResolveEv,     FollowUp,     none,   ClockRunning >,
        Row< FollowUp,     CloseEv,       Closed,       none,   ClockRunning >,
        Row< FollowUp,     UnsatisfiedEv, Coordination, none,   ClockRunning >,
        Row< Closed,       ReopenEv,      Coordination, none,   none         >,
        Row< Intake,       WorkEv,        none,         none,   ClockRunning >,
        Row< Coordination, WorkEv,        none,         none,   ClockRunning >,
        Row< FollowUp,     WorkEv,        none,         none,   ClockRunning >,
        Row< Intake,       MergeEv,       Merged,       none,   none         >,
        Row< Coordination, MergeEv,       Merged,       none,   none         >,
        Row< FollowUp,     MergeEv,       Merged,       none,   none         >,
        // the clock region
        Row< Running,      SuspendEv,     Suspended,    none,   CaseOpen     >,
        Row< Suspended,    ResumeEv,      Running,      none,   none         >,
        Row< Running,      AnnotateEv,    none,         none,   none         >,
        Row< Suspended,    AnnotateEv,    none,         none,   none         >
    > {};
    // clang-format on

    // Called only when no region handled the event: a refusal, never an assert.
    template <class Fsm, class Event>
    void no_transition(const Event&, Fsm&, int) {
        refused = true;
    }
};

using Machine = msm::back::state_machine<LifecycleDef>;

}  // namespace

struct Lifecycle::Machine {
    ::minsheng::Machine sm;
};

namespace {

template <class Ev>
bool dispatch(::minsheng::Machine& sm) {
    sm.refused = false;
    // A guard that says no yields HANDLED_GUARD_REJECT without calling no_transition.
    const auto handled = sm.process_event(Ev{});
    return handled == msm::back::HANDLED_TRUE && !sm.refused;
}

bool fire_event(::minsheng::Machine& sm, LifecycleEvent e) {
    switch (e) {
        case LifecycleEvent::Route:
            return dispatch<RouteEv>(sm);
        case LifecycleEvent::Reject:
            return dispatch<RejectEv>(sm);
        case LifecycleEvent::Resolve:
            return dispatch<ResolveEv>(sm);
        case LifecycleEvent::Close:
            return dispatch<CloseEv>(sm);
        case LifecycleEvent::Unsatisfied:
            return dispatch<UnsatisfiedEv>(sm);
        case LifecycleEvent::Reopen:
            return dispatch<ReopenEv>(sm);
        case LifecycleEvent::Work:
            return dispatch<WorkEv>(sm);
        case LifecycleEvent::Annotate:
            return dispatch<AnnotateEv>(sm);
        case LifecycleEvent::Suspend:
            return dispatch<SuspendEv>(sm);
        case LifecycleEvent::Resume:
            return dispatch<ResumeEv>(sm);
        case LifecycleEvent::Merge:
            return dispatch<MergeEv>(sm);
    }
    return false;
}

// Whether a state type is one of the phase region's states (the clock region's Running and Suspended, and
// MSM's `none` as the target of an internal row, are not).
template <class State, class = void>
struct IsPhaseState : std::false_type {};
template <class State>
struct IsPhaseState<State, std::void_t<decltype(State::phase_value)>> : std::true_type {};

// Collects the phase region's rows of the transition table as moves. An internal row (no target) stays in
// its phase.
struct CollectMoves {
    std::vector<LifecycleMove>* out;
    template <class Row>
    void operator()(const Row&) const {
        using Source = typename Row::Source;
        using Target = typename Row::Target;
        if constexpr (IsPhaseState<Source>::value) {
            constexpr Phase from = Source::phase_value;
            if constexpr (IsPhaseState<Target>::value)
                out->push_back({from, Row::Evt::kind, Target::phase_value});
            else
                out->push_back({from, Row::Evt::kind, from});
        }
    }
};

}  // namespace

std::string_view phase_name(Phase p) {
    switch (p) {
        case Phase::Intake:
            return "intake";
        case Phase::Coordination:
            return "coordination";
        case Phase::FollowUp:
            return "follow_up";
        case Phase::Closed:
            return "closed";
        case Phase::Rejected:
            return "rejected";
        case Phase::Merged:
            return "merged";
    }
    return "?";
}

std::string_view phase_label(Phase p) {
    switch (p) {
        case Phase::Intake:
            return "受理";
        case Phase::Coordination:
            return "办理";
        case Phase::FollowUp:
            return "待回访";
        case Phase::Closed:
            return "办结归档";
        case Phase::Rejected:
            return "不予受理";
        case Phase::Merged:
            return "并案";
    }
    return "?";
}

std::optional<Phase> phase_from_name(std::string_view name) {
    for (Phase p : {Phase::Intake, Phase::Coordination, Phase::FollowUp, Phase::Closed, Phase::Rejected,
                    Phase::Merged}) {
        if (phase_name(p) == name) return p;
    }
    return std::nullopt;
}

std::string_view lifecycle_event_name(LifecycleEvent e) {
    switch (e) {
        case LifecycleEvent::Route:
            return "route";
        case LifecycleEvent::Reject:
            return "reject";
        case LifecycleEvent::Resolve:
            return "resolve";
        case LifecycleEvent::Close:
            return "close";
        case LifecycleEvent::Unsatisfied:
            return "unsatisfied";
        case LifecycleEvent::Reopen:
            return "reopen";
        case LifecycleEvent::Work:
            return "work";
        case LifecycleEvent::Annotate:
            return "annotate";
        case LifecycleEvent::Suspend:
            return "suspend";
        case LifecycleEvent::Resume:
            return "resume";
        case LifecycleEvent::Merge:
            return "merge";
    }
    return "?";
}

std::optional<LifecycleEvent> lifecycle_event_from_name(std::string_view name) {
    for (LifecycleEvent e :
         {LifecycleEvent::Route, LifecycleEvent::Reject, LifecycleEvent::Resolve, LifecycleEvent::Close,
          LifecycleEvent::Unsatisfied, LifecycleEvent::Reopen, LifecycleEvent::Work, LifecycleEvent::Annotate,
          LifecycleEvent::Suspend, LifecycleEvent::Resume, LifecycleEvent::Merge})
        if (lifecycle_event_name(e) == name) return e;
    return std::nullopt;
}

bool is_open(Phase p) {
    return p == Phase::Intake || p == Phase::Coordination || p == Phase::FollowUp;
}

const std::vector<LifecycleMove>& lifecycle_moves() {
    static const std::vector<LifecycleMove> moves = [] {
        std::vector<LifecycleMove> out;
        mpl::for_each<LifecycleDef::transition_table>(CollectMoves{&out});
        return out;
    }();
    return moves;
}

std::optional<LifecycleEvent> event_for_move(Phase from, Phase to) {
    std::optional<LifecycleEvent> found;
    for (const LifecycleMove& m : lifecycle_moves()) {
        if (m.from != from || m.to != to) continue;
        if (found && *found != m.event) return std::nullopt;  // no single event makes this move
        found = m.event;
    }
    return found;
}

Lifecycle::Lifecycle() : m_(std::make_unique<Machine>()) {
    m_->sm.start();
}

Lifecycle::Lifecycle(Phase phase, bool suspended) : Lifecycle() {
    // MSM has no "jump to state": replay the shortest legal path to it.
    std::vector<LifecycleEvent> path;
    switch (phase) {
        case Phase::Intake:
            break;
        case Phase::Coordination:
            path = {LifecycleEvent::Route};
            break;
        case Phase::FollowUp:
            path = {LifecycleEvent::Route, LifecycleEvent::Resolve};
            break;
        case Phase::Closed:
            path = {LifecycleEvent::Route, LifecycleEvent::Resolve, LifecycleEvent::Close};
            break;
        case Phase::Rejected:
            path = {LifecycleEvent::Reject};
            break;
        case Phase::Merged:
            path = {LifecycleEvent::Merge};
            break;
    }
    if (suspended && is_open(phase)) path.push_back(LifecycleEvent::Suspend);
    // A refusal here means the table and this path disagree: a bug, not a user's mistake, and a machine left
    // in the wrong phase would misjudge every later action.
    for (LifecycleEvent e : path)
        if (!fire_event(m_->sm, e))
            throw storage_error("内部错误：设置案件阶段为 " + std::string(phase_name(phase)) +
                                (suspended ? "（已暂停）" : "") + " 时状态机拒绝了 " +
                                std::string(lifecycle_event_name(e)) + "；当前阶段 " +
                                std::string(phase_name(m_->sm.phase)));
}

Lifecycle::~Lifecycle() = default;
Lifecycle::Lifecycle(Lifecycle&&) noexcept = default;
Lifecycle& Lifecycle::operator=(Lifecycle&&) noexcept = default;

Phase Lifecycle::phase() const {
    return m_->sm.phase;
}
bool Lifecycle::suspended() const {
    return m_->sm.suspended;
}

namespace {

// What a refusal calls the event: the words a coordinator reads, not the table's ids.
std::string_view event_label(LifecycleEvent e) {
    switch (e) {
        case LifecycleEvent::Route:
            return "派单办理";
        case LifecycleEvent::Reject:
            return "不予受理";
        case LifecycleEvent::Resolve:
            return "办理完毕";
        case LifecycleEvent::Close:
            return "办结";
        case LifecycleEvent::Unsatisfied:
            return "退回重办";
        case LifecycleEvent::Reopen:
            return "重新办理";
        case LifecycleEvent::Work:
            return "继续办理";
        case LifecycleEvent::Annotate:
            return "记录";
        case LifecycleEvent::Suspend:
            return "挂起";
        case LifecycleEvent::Resume:
            return "恢复办理";
        case LifecycleEvent::Merge:
            return "并案";
    }
    return "?";
}

}  // namespace

LifecycleResult Lifecycle::fire(LifecycleEvent e) {
    if (fire_event(m_->sm, e)) return {true, {}};
    const Phase p = phase();
    const std::string where = std::string(phase_label(p));
    std::string reason;
    if (e == LifecycleEvent::Resume) {
        reason = "案件没有挂起";
    } else if (e == LifecycleEvent::Suspend) {
        reason = suspended() ? "案件已经挂起" : "处于" + where + "阶段的案件不能挂起";
    } else if (suspended() && is_open(p)) {
        reason = "案件已挂起；请先恢复办理";
    } else {
        reason = "处于" + where + "阶段的案件不能" + std::string(event_label(e));
    }
    return {false, reason};
}

}  // namespace minsheng
