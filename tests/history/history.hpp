// A round's recorded history, read back from its directory: every process's calls, the events
// its callback and watchers received, and the parent's quota samples.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "record.hpp"

namespace history {

struct WatcherLog {
  std::string group;        // "*" or one group
  std::uint64_t since = 0;  // the Store's revision when it was created
  std::vector<Line> lines;  // watched and compacted lines, in the order received
};

// The events a process received: read one process at a time (they are most of a history).
struct ProcessLog {
  std::vector<Change> delivered;  // on_change, in delivery order
  std::map<int, WatcherLog> watchers;
};

struct ProcessInfo {
  bool polls = false;  // external_poll_interval is not 0
  std::string options;
  std::uint64_t subscribed = 0;  // the Store's revision when the callback subscribed
};

struct History {
  std::string directory;
  std::vector<Call> calls;  // every process's, background and unexplained ones included
  std::map<int, ProcessInfo> processes;
  std::uint64_t max_keys = 0;  // the tenant's quota (0 = unlimited)
  std::uint64_t samples = 0;   // how many times the parent counted the namespace
  std::vector<Line> over_quota;
};

// Reads the calls and options of p<N>.history for N in [0, processes), and parent.history.
// Throws std::runtime_error when a file is missing or malformed.
History load_history(const std::string& directory, int processes);

// Reads the events p<process>.history records.
ProcessLog load_process_log(const std::string& directory, int process);

// How many p<N>.history files `directory` holds (for --check).
int count_process_histories(const std::string& directory);

}  // namespace history
