// Store::set with listeners (issue 4), on ":memory:" (no disk wait hides the dispatch cost):
//
//   kvstore/set_listened/none                      no watcher, no callback
//   kvstore/set_listened/10000_other_groups        10,000 watchers, each on its own group, none
//                                                  of them the written one
//   kvstore/set_listened/1_matching_1_callback     1 watcher on the written group and 1 on_change
//                                                  callback (it only reads the event)
//
// Each timed set replaces one of kRewrittenKeys existing keys (support.hpp). The target is a
// comparison (ratio_reporter.hpp): 10000_other_groups over none <= 1.1. 1_matching_1_callback
// over none is shown without a target.
//
// The matching watcher is drained outside the timing: its queue holds kDrainEvery events and the
// timer pauses every kDrainEvery sets while they are taken out, so no event is dropped (dropping
// would skip the copy into the queue). The `dropped` counter shows it stayed 0.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "kvstore/events.hpp"
#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

constexpr std::size_t kOtherGroups = 10'000;
constexpr std::size_t kDrainEvery = 1024;

enum class Listeners { none, other_groups, matching };

template <Listeners L>
void set_listened(benchmark::State& state) {
  Db<kvstore::Store> db;
  fill(*db, kRewrittenKeys);
  std::vector<kvstore::Watcher> watchers;
  kvstore::Subscription subscription;
  if constexpr (L == Listeners::other_groups) {
    for (std::size_t g = 0; g < kOtherGroups; ++g) {
      watchers.push_back(db->watch("other-" + std::to_string(g)));
    }
  } else if constexpr (L == Listeners::matching) {
    watchers.push_back(db->watch(kGroup, "*", std::nullopt, kDrainEvery));
    subscription = db->on_change(
        [](const kvstore::Event& event) { benchmark::DoNotOptimize(event.revision); });
  }

  std::size_t i = 0;
  for (auto _ : state) {
    if (L == Listeners::matching && i > 0 && i % kDrainEvery == 0) {
      state.PauseTiming();
      while (watchers.front().try_next()) {
      }
      state.ResumeTiming();
    }
    rewrite(*db, i++);
  }
  if constexpr (L == Listeners::matching) {
    state.counters["dropped"] = static_cast<double>(watchers.front().dropped());
  }
}

const bool registered = [] {
  register_one("kvstore", "set_listened/none", set_listened<Listeners::none>);
  register_one("kvstore", "set_listened/10000_other_groups", set_listened<Listeners::other_groups>);
  register_one("kvstore", "set_listened/1_matching_1_callback", set_listened<Listeners::matching>);
  add_comparison("kvstore/set_listened/10000_other_groups", "kvstore/set_listened/none", 1.1);
  add_comparison("kvstore/set_listened/1_matching_1_callback", "kvstore/set_listened/none");
  return true;
}();

}  // namespace
}  // namespace kvbench
