// One worker process of a round: a Store on the round's file, its on_change callback and
// watchers recorded, a LastModifiedStore and a ScopedStore on it, and plan.threads threads doing
// random operations (operations.hpp) until the deadline. Writes its history file as it goes.
#pragma once

#include <chrono>

#include "plan.hpp"

namespace history {

// Throws if the process cannot do its part (e.g. the Store never opens); its parent then
// counts it as died.
void run_worker(const RoundPlan& plan, int process, std::chrono::steady_clock::time_point deadline);

}  // namespace history
