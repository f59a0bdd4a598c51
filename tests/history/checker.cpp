#include "checks.hpp"

namespace history {

Violations check_history(const History& history, const FinalState& final) {
  Violations violations;
  const Index index(history);
  check_calls(history, index, violations);
  check_reads(history, index, violations);
  check_events(history, index, final, violations);
  check_layer(history, index, violations);
  check_quota(history, final, violations);
  check_final(index, final, violations);
  return violations;
}

}  // namespace history
