// libFuzzer target for the workflow loader: any bytes must yield a workflow or problems, never a crash,
// a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/workflow.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const minsheng::WorkflowLoad load = minsheng::load_workflow(text, "fuzz.yaml");
    // The contract the CLI relies on: exactly one of a workflow or problems, every problem placed and worded.
    if (load.workflow.has_value() != load.problems.empty()) std::abort();
    for (const auto& p : load.problems) {
        if (p.mark.line < 1 || p.mark.column < 1 || p.message.empty()) std::abort();
        (void)p.to_string();
    }
    if (load.workflow) {
        const minsheng::Workflow& wf = *load.workflow;
        if (wf.initial_step().phase != minsheng::Phase::Intake) std::abort();
        for (const auto& a : wf.actions)
            if (wf.find_action(a.id) == nullptr) std::abort();
    }
    return 0;
}
