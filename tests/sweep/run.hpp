// One run of the failure sweep: the workload with at most one fault or one power cut, then the
// checks of what it left.
#pragma once

#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fault_control.hpp"
#include "model.hpp"

namespace sweep {

enum class Backend { file, memory };

struct Cut {
  kvfault::CallSet calls;  // the power goes just before the nth of these calls
  std::uint64_t nth;
  kvfault::LossMode loss;
  std::uint64_t seed;  // for a torn loss
};

struct Plan {
  Backend backend = Backend::file;
  kvstore::Durability durability = kvstore::Durability::normal;
  std::optional<kvfault::Fault> fault;
  std::optional<Cut> cut;
  std::string describe() const;
};

// What a fault-free run leaves to compare the others with: each file's states after each commit
// (history), and how many calls of each kind the workload made.
struct Baseline {
  std::vector<State> main, fresh, go;
  std::uint64_t calls[32] = {};
  std::uint64_t count(kvfault::CallSet set) const;
};

struct Result {
  bool fired = false;  // the fault failed a call, or the power was cut
  std::vector<std::string> violations;
  Baseline baseline;  // filled by a fault-free run
};

// `directory`: an empty directory the run may use (and leaves behind); `baseline` is needed by
// a run with a cut.
Result run(const Plan& plan, const std::string& directory, const Baseline* baseline);

}  // namespace sweep
