// Rule 5: the LastModifiedStore of a process never returns a version of a key older than
// (a) the process's own writes of the key (through the layer or the Store) that completed before
// the read started, or (b) what an earlier layer read of the key in the process returned, if it
// completed before this one started. It learns of other processes' writes through events, so it
// is not linearizable across processes, and is not checked against them. Absence is older than
// a present version unless a removal of a higher revision (by anyone) had started by the end.
#include <algorithm>
#include <map>

#include "checks.hpp"
#include "observation.hpp"
#include "op_kinds.hpp"
#include "timeline.hpp"

namespace history {
namespace {

struct KeyReads {
  std::vector<Write> own_writes;   // by revision
  std::vector<Observation> reads;  // layer reads
};

// The newest version a read must not go behind, and who set the bar.
struct Bar {
  const Write* write = nullptr;  // a version of the key, or a removal
  const Call* by = nullptr;      // the write, or the earlier read that returned it
};

Bar newer(Bar a, Bar b) {
  if (!a.write) return b;
  if (!b.write) return a;
  return b.write->revision() > a.write->revision() ? b : a;
}

void check_key(const KeyName& key, KeyReads& reads, const Timeline& everyone,
               Violations& violations) {
  const Timeline own(reads.own_writes);
  // Present reads by end, with the newest version returned by each point.
  std::vector<std::pair<Nanos, Bar>> returned;
  for (const auto& seen : reads.reads) {
    if (seen.present) returned.emplace_back(seen.call->end, Bar{seen.write, seen.call});
  }
  std::sort(returned.begin(), returned.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < returned.size(); ++i) {
    returned[i].second = newer(returned[i - 1].second, returned[i].second);
  }
  const std::string name = key.first + "/" + key.second;
  for (const auto& seen : reads.reads) {
    const Call& read = *seen.call;
    Bar bar;
    if (const Write* write = own.last_ended_before(read.start)) bar = {write, write->call};
    const auto earlier = std::lower_bound(
        returned.begin(), returned.end(), read.start,
        [](const std::pair<Nanos, Bar>& entry, Nanos time) { return entry.first < time; });
    if (earlier != returned.begin()) bar = newer(bar, std::prev(earlier)->second);
    if (!bar.write) continue;
    const auto revision = bar.write->revision();
    const bool behind =
        seen.present
            ? seen.write->revision() < revision
            : !bar.write->removal() && !everyone.removal_after_started_before(revision, read.end);
    if (behind) {
      violations.add(5,
                     "the layer went back on " + name + ": it returned " +
                         (seen.present ? "revision " + std::to_string(seen.write->revision())
                                       : std::string("nothing")) +
                         " after revision " + std::to_string(revision) + " was known",
                     {&read, bar.by});
    }
  }
}

}  // namespace

void check_layer(const History& history, const Index& index, Violations& violations) {
  std::map<std::pair<int, KeyName>, KeyReads> by_process;
  for (const auto& call : history.calls) {
    if (!call.ok() || kind_of(call.op) != OpKind::layer_read) continue;
    for (auto& seen : observations_of(call, index, violations)) {
      by_process[{call.process, seen.key}].reads.push_back(seen);
    }
  }
  for (auto& [process_key, reads] : by_process) {
    const auto& writes = index.writes_to(process_key.second);
    std::copy_if(writes.begin(), writes.end(), std::back_inserter(reads.own_writes),
                 [&](const Write& write) { return write.call->process == process_key.first; });
    check_key(process_key.second, reads, Timeline(writes), violations);
  }
}

}  // namespace history
