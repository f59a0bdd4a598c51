#include "plan.hpp"

#include <limits>
#include <random>

#include "keyspace.hpp"

namespace history {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

template <class T>
T pick(std::mt19937_64& random, std::initializer_list<T> values) {
  return *(values.begin() + random() % values.size());
}

std::string ms(milliseconds value) {
  return value == milliseconds::max() ? "max" : std::to_string(value.count()) + "ms";
}

ProcessOptions draw_process(std::mt19937_64& random) {
  constexpr auto kForever = milliseconds::max();
  ProcessOptions out;
  // 0 and 1 ms make writes fail with Busy under contention: a typed failure the history allows.
  out.store.busy_timeout = pick(random, {0ms, 1ms, milliseconds(5s), kForever});
  out.store.purge_interval = pick(random, {0ms, 1ms, 50ms, kForever});
  out.store.external_poll_interval = pick(random, {0ms, 1ms, 20ms, kForever});
  out.store.change_log_retention =
      pick<std::size_t>(random, {1, 10, 10000, std::numeric_limits<std::size_t>::max()});
  out.store.durability = pick(random, {kvstore::Durability::normal, kvstore::Durability::full});
  out.layer.max_size = pick<long long>(random, {0, 1, 100});
  out.layer.worker_count = pick(random, {1, 2});
  out.layer.cleanup_interval = pick(random, {0ms, 1ms, kForever});
  out.layer.on_full =
      pick(random, {kvstore::FullPolicy::reject, kvstore::FullPolicy::evict_oldest});
  out.watcher_capacity = pick<std::size_t>(random, {1, 16, 1000});
  out.watched_group = pick<std::string>(random, {"a", kScopedGroup});
  return out;
}

}  // namespace

std::string ProcessOptions::describe() const {
  const auto retention = store.change_log_retention == std::numeric_limits<std::size_t>::max()
                             ? std::string("max")
                             : std::to_string(store.change_log_retention);
  return "busy_timeout " + ms(store.busy_timeout) + ", purge_interval " + ms(store.purge_interval) +
         ", external_poll_interval " + ms(store.external_poll_interval) +
         ", change_log_retention " + retention + ", durability " +
         (store.durability == kvstore::Durability::full ? "full" : "normal") + "; layer max_size " +
         std::to_string(layer.max_size) + ", worker_count " + std::to_string(layer.worker_count) +
         ", cleanup_interval " + ms(layer.cleanup_interval) + ", on_full " +
         (layer.on_full == kvstore::FullPolicy::reject ? "reject" : "evict_oldest") +
         "; watchers on * and " + watched_group + ", capacity " + std::to_string(watcher_capacity);
}

std::string RoundPlan::history_path(int process) const {
  return directory + "/p" + std::to_string(process) + ".history";
}

RoundPlan draw_round(std::uint64_t seed, int round, int processes, int threads,
                     std::chrono::seconds length, const std::string& directory) {
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         static_cast<std::uint32_t>(round)};
  std::mt19937_64 random(sequence);
  RoundPlan plan;
  plan.seed = seed;
  plan.round = round;
  plan.threads = threads;
  plan.length = length;
  plan.directory = directory;
  plan.max_keys = pick<std::size_t>(random, {0, 1, 5});
  for (int p = 0; p < processes; ++p) plan.processes.push_back(draw_process(random));
  // Work gets done only by a process that waits for the others' locks.
  bool waits = false;
  for (const auto& process : plan.processes) waits |= process.store.busy_timeout == 5s;
  if (!waits && !plan.processes.empty()) plan.processes[0].store.busy_timeout = 5s;
  return plan;
}

}  // namespace history
