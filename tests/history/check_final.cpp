// Rules 7 and 2 on the file the round left: it opens and passes check(); every key of the
// checked groups holds its last write in revision order (or nothing after a removal); the change
// log holds exactly the changes the calls recorded, from its oldest revision on.
#include <algorithm>
#include <set>

#include "checks.hpp"
#include "keyspace.hpp"

namespace history {
namespace {

void check_rows(const Index& index, const FinalState& final, Violations& violations) {
  for (const auto& key : checked_keys()) {
    const auto& writes = index.writes_to(key);
    const Write* last = writes.empty() ? nullptr : &writes.back();
    const auto row = final.rows.find(key);
    const std::string name = key.first + "/" + key.second;
    const bool expected = last && !last->removal();
    if (row == final.rows.end()) {
      if (expected) violations.add(7, name + " ends absent; its last write", {last->call});
    } else if (!expected || row->second != last->change->value) {
      violations.add(7, name + " ends holding '" + row->second + "'; its last write",
                     {last ? last->call : nullptr});
    }
  }
  for (const auto& [key, value] : final.rows) {
    if (std::find(kKeys.begin(), kKeys.end(), key.second) == kKeys.end()) {
      violations.add(7, key.first + "/" + key.second + " ends holding a key nobody wrote");
    }
  }
  for (const auto& group : final.groups) {
    const bool known = group == kTtlGroup || std::find(kCheckedGroups.begin(), kCheckedGroups.end(),
                                                       group) != kCheckedGroups.end();
    if (!known) violations.add(7, "the file ends with group '" + group + "', which nobody writes");
  }
}

void check_log(const Index& index, const FinalState& final, Violations& violations) {
  if (final.log.empty()) return;
  const auto oldest = final.log.front().revision;
  std::set<std::uint64_t> revisions;
  for (const auto& logged : final.log) {
    revisions.insert(logged.revision);
    const Write* write = index.at(logged.revision);
    if (!write) {
      if (unrecordable(logged.type, logged.group)) continue;
      violations.add(2, "the change log holds " + Change::of(logged).describe() +
                            ", which no call recorded (committed by a call that failed?)");
    } else if (write->change->type != logged.type || write->change->group != logged.group ||
               write->change->key != logged.key) {
      violations.add(2,
                     "the change log holds " + Change::of(logged).describe() +
                         " for the recorded " + write->change->describe(),
                     {write->call});
    }
  }
  for (const auto& [revision, write] : index.by_revision()) {
    if (revision < oldest) continue;
    if (!revisions.count(revision)) {
      violations.add(
          2, "revision " + std::to_string(revision) + " was published but is not in the change log",
          {write.call});
    }
  }
}

}  // namespace

void check_final(const Index& index, const FinalState& final, Violations& violations) {
  if (!final.error.empty()) {
    violations.add(7, "the file cannot be read after the run: " + final.error);
    return;
  }
  for (const auto& problem : final.problems) violations.add(7, "check(): " + problem);
  check_rows(index, final, violations);
  check_log(index, final, violations);
}

}  // namespace history
