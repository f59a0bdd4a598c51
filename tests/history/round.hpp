// One round: a new store file, the worker processes forked on it (with the parent sampling the
// tenant's quota meanwhile), then the checker over the histories they wrote.
#pragma once

#include <cstdint>
#include <string>

#include "plan.hpp"

namespace history {

struct RoundResult {
  std::uint64_t operations = 0;  // calls recorded (background ones excluded)
  std::uint64_t violations = 0;
  int died = 0;  // workers that did not exit 0 (crashed, threw, or hung past the deadline)
};

// Runs `plan` in plan.directory (which must exist and be empty) and checks it; prints the
// violations found (at most `cap` in full) to stderr.
RoundResult run_round(const RoundPlan& plan, std::size_t cap);

// Checks the histories in `directory` (left by a round) again; prints as run_round does.
RoundResult check_directory(const std::string& directory, std::size_t cap);

}  // namespace history
