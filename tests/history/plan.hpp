// What a round of the history checker runs: how many processes and threads, for how long, and
// the options each process draws from the round's seed over each option's whole range (0, 1
// and the type's maximum where the option accepts them).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <string>
#include <vector>

namespace history {

struct ProcessOptions {
  kvstore::Options store;
  kvstore::LastModifiedConfig layer;
  std::size_t watcher_capacity = 16;
  std::string watched_group;  // the second watcher's group (the first watches "*")
  std::string describe() const;
};

struct RoundPlan {
  std::uint64_t seed = 0;  // the run's seed; the round's draws and the workers' derive from it
  int round = 0;
  int threads = 3;  // worker threads per process
  std::chrono::seconds length{15};
  std::string directory;  // the round's files: the store and one history per process
  // The ScopedStore quota of namespace "acme", the same in every process (0 = unlimited).
  std::size_t max_keys = 0;
  std::vector<ProcessOptions> processes;

  std::string store_path() const { return directory + "/store.db"; }
  std::string history_path(int process) const;
  std::string parent_path() const { return directory + "/parent.history"; }
};

RoundPlan draw_round(std::uint64_t seed, int round, int processes, int threads,
                     std::chrono::seconds length, const std::string& directory);

}  // namespace history
