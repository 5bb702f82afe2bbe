// The lifecycle every case shares (SPEC.md "Phase"): a compile-time Boost.MSM machine kept inside
// lifecycle.cpp. The rest of the code sees phases, lifecycle events and a fire() that says yes or why not.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng {

enum class Phase { Intake, Coordination, FollowUp, Closed, Rejected, Merged };

// The moves the lifecycle knows. A workflow action maps to exactly one of them (see event_for_move).
enum class LifecycleEvent {
    Route,        // intake -> coordination (dispatch)
    Reject,       // intake -> rejected (不予受理)
    Resolve,      // coordination -> follow_up: the clock stops
    Close,        // follow_up -> closed (satisfied visit)
    Unsatisfied,  // follow_up -> coordination: the clock restarts
    Reopen,       // closed -> coordination (supervisor): the clock restarts
    Work,         // a step move or task inside an open phase; needs the clock running (not suspended)
    Annotate,     // a note or a supervisor's act inside an open phase; allowed while suspended
    Suspend,      // running -> suspended (orthogonal region), open phases only
    Resume,       // suspended -> running
    Merge,        // any open phase -> merged (并案): the case's reports joined another case
};

// Stable names: these strings are what the database and the workflow files store, never MSM's indices.
std::string_view phase_name(Phase p);
std::optional<Phase> phase_from_name(std::string_view name);
std::string_view phase_label(Phase p);  // 受理, 办理, 待回访, 办结归档, 不予受理, 并案
std::string_view lifecycle_event_name(LifecycleEvent e);
std::optional<LifecycleEvent> lifecycle_event_from_name(std::string_view name);
bool is_open(Phase p);  // intake, coordination, follow_up

// One row of the lifecycle's phase region: `event` moves a case from phase `from` to phase `to` (the same
// phase for a move inside it), when its guard allows.
struct LifecycleMove {
    Phase from;
    LifecycleEvent event;
    Phase to;
};
// The phase moves read from the machine's transition table, in its order (the clock region left out).
const std::vector<LifecycleMove>& lifecycle_moves();

// The event a step move from one phase to another is, or nullopt when no single event makes that move
// (derived from lifecycle_moves(), so it cannot disagree with the machine). Same open phase -> Work. Used
// both at run time and when a workflow is loaded.
std::optional<LifecycleEvent> event_for_move(Phase from, Phase to);

struct LifecycleResult {
    bool ok = false;
    std::string reason;  // why it was refused, in words a coordinator understands; empty when ok
};

// One case's lifecycle. Cheap to construct; not thread-safe.
class Lifecycle {
public:
    Lifecycle();  // starts in intake, running
    // A machine already at this state (replays a canonical path); throws Error(Storage) should the machine
    // refuse a step of that path (an internal error).
    Lifecycle(Phase phase, bool suspended);
    ~Lifecycle();
    Lifecycle(const Lifecycle&) = delete;
    Lifecycle& operator=(const Lifecycle&) = delete;
    Lifecycle(Lifecycle&&) noexcept;
    Lifecycle& operator=(Lifecycle&&) noexcept;

    // Fires the event: on success the machine moves; on refusal it stays and the reason says why.
    LifecycleResult fire(LifecycleEvent e);
    Phase phase() const;
    bool suspended() const;

private:
    struct Machine;
    std::unique_ptr<Machine> m_;
};

}  // namespace minsheng
