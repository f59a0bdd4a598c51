// Rule 3: Store reads are linearizable with the writes of every process. A read of key K over
// [start, end] returns the value of W0, the write to K of the highest revision among those that
// ended before the read started (absent for a removal, or when there is none), or of a write to K
// of a higher revision that started before the read ended. Revision order is commit order.
#include <map>

#include "checks.hpp"
#include "keyspace.hpp"
#include "observation.hpp"
#include "op_kinds.hpp"
#include "timeline.hpp"

namespace history {
namespace {

bool store_read(const Call& call) {
  const auto kind = kind_of(call.op);
  return call.ok() && (kind == OpKind::read_value || kind == OpKind::read_revision ||
                       kind == OpKind::read_group);
}

void check_read(const Observation& seen, const Timeline& timeline, Violations& violations) {
  const Call& read = *seen.call;
  const Write* last = timeline.last_ended_before(read.start);
  const std::string key = seen.key.first + "/" + seen.key.second;
  if (seen.present) {
    const Write& got = *seen.write;
    if (last && got.revision() < last->revision()) {
      violations.add(3,
                     "stale read of " + key + ": revision " + std::to_string(got.revision()) +
                         " after revision " + std::to_string(last->revision()) + " had completed",
                     {&read, got.call, last->call});
    } else if ((!last || got.revision() != last->revision()) && got.call->start >= read.end) {
      violations.add(3, "a read of " + key + " returned a write that started after it ended",
                     {&read, got.call});
    }
    return;
  }
  if (last && !last->removal() &&
      !timeline.removal_after_started_before(last->revision(), read.end)) {
    violations.add(3,
                   "a read of " + key + " found nothing after revision " +
                       std::to_string(last->revision()) + " had completed, and no removal followed",
                   {&read, last->call});
  }
}

}  // namespace

void check_reads(const History& history, const Index& index, Violations& violations) {
  std::map<KeyName, Timeline> timelines;
  for (const auto& key : checked_keys()) timelines.try_emplace(key, index.writes_to(key));
  for (const auto& call : history.calls) {
    if (!store_read(call)) continue;
    for (const auto& seen : observations_of(call, index, violations)) {
      // The short TTLs make what a read of the "ttl" group sees depend on the wall clock.
      if (seen.key.first == kTtlGroup) continue;
      check_read(seen, timelines.at(seen.key), violations);
    }
  }
}

}  // namespace history
