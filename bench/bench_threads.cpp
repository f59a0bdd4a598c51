// Threads started by stores with no background work (issue 20): 1,000 ":memory:" stores with
// default options (not the quiet ones of support.hpp), each holding one key without a TTL and
// alive together, as a test suite's fixtures are. The figure is the counter `threads_started` of
// `kvstore/memory_fixtures/1000` (target 0: such a store has nothing to purge and no other
// connection to follow); the time per iteration is opening the 1,000 stores, one set in each,
// and closing them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <deque>
#include <filesystem>

#include "kvstore/store.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

constexpr int kFixtures = 1000;

// This process's threads now (Linux: /proc/self/task).
long thread_count() {
  const std::filesystem::directory_iterator tasks("/proc/self/task");
  return static_cast<long>(std::distance(begin(tasks), end(tasks)));
}

void memory_fixtures(benchmark::State& state) {
  long started = 0;
  for (auto _ : state) {
    const auto before = thread_count();
    std::deque<kvstore::Store> stores;
    for (int i = 0; i < kFixtures; ++i) stores.emplace_back(":memory:").set(kGroup, "k", kValue);
    started = std::max(started, thread_count() - before);
  }
  state.counters["threads_started"] = static_cast<double>(started);
}

const bool registered = [] {
  register_one("kvstore", "memory_fixtures/1000", or_skip<memory_fixtures>,
               [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMillisecond); });
  return true;
}();

}  // namespace
}  // namespace kvbench
