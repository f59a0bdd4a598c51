// A watcher and the thread that drains it until a deadline, as events.hpp recommends: when the
// queue dropped events, it watches again from the last revision received (replaying what was
// dropped); if that throws (Compacted: the log no longer reaches back), it records the break
// and goes on live. Everything it receives goes to the process's history.
#pragma once

#include <chrono>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>
#include <thread>

#include "recorder.hpp"

namespace history {

class WatchDrain {
 public:
  WatchDrain(kvstore::Store& store, Recorder& recorder, int id, std::string group,
             std::size_t capacity, std::chrono::steady_clock::time_point deadline);
  ~WatchDrain() { thread_.join(); }
  WatchDrain(const WatchDrain&) = delete;
  WatchDrain& operator=(const WatchDrain&) = delete;

 private:
  void drain();
  void received(const kvstore::Event& event);
  // A new watcher from the last revision received, or live when there is none or it throws.
  kvstore::Watcher resume();
  void log(Line line);

  kvstore::Store& store_;
  Recorder& recorder_;
  const int id_;
  const std::string group_;
  const std::size_t capacity_;
  const std::chrono::steady_clock::time_point deadline_;
  // The revision to resume after: the last one received, or just below a gap's revision (the
  // gap's revision is the oldest still logged, delivered after the gap).
  std::optional<std::uint64_t> last_;
  kvstore::Watcher watcher_;  // created before the thread starts: no event is missed meanwhile
  std::thread thread_;        // last: started once everything it uses exists
};

}  // namespace history
