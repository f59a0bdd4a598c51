// Rule 6: the tenant's namespace never holds more live keys than its quota (the same in every
// process), as the parent counted it during the run and as the file holds it at the end.
#include "checks.hpp"

namespace history {

void check_quota(const History& history, const FinalState& final, Violations& violations) {
  if (history.max_keys == 0) return;
  const auto limit = std::to_string(history.max_keys);
  if (history.samples == 0) violations.add(6, "the parent never counted the namespace");
  for (const auto& sample : history.over_quota) {
    violations.add(6, "namespace acme held " + std::to_string(sample.count) + " keys at " +
                          std::to_string(sample.time) + ", over its quota of " + limit);
  }
  if (final.error.empty() && final.tenant_keys > history.max_keys) {
    violations.add(6, "namespace acme ends with " + std::to_string(final.tenant_keys) +
                          " keys, over its quota of " + limit);
  }
}

}  // namespace history
