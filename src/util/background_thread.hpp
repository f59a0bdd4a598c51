// A thread that runs periodic tasks (a Store's purge and change-feed poll, a LastModifiedStore's
// cleanup jobs) and stops promptly: stopping wakes it at once instead of waiting out an interval.
// A task may instead be bound to a WakeSource (the change feed to the file's notifications): it
// then runs when the source signals, and on its interval only while the source is unavailable.
// RAII: the destructor stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "util/wake_source.hpp"

namespace kvstore::detail {

class BackgroundThread {
 public:
  struct Task {
    std::chrono::milliseconds interval;  // > 0; any length (the deadline saturates)
    std::function<void()> run;           // must not throw
    // Runs whenever the thread's WakeSource signals instead of every interval, as long as the
    // source is available; false, or no source: every interval.
    bool on_wake = false;
  };

  // Starts the thread, unless `tasks` is empty. Each task first runs one interval after start, or
  // when `wake` first signals. `wake` (optional) is owned by the thread, which waits on it instead
  // of a timer; it must wake its wait when stop is requested. Throws std::system_error if the
  // thread cannot be started.
  explicit BackgroundThread(std::vector<Task> tasks, std::unique_ptr<WakeSource> wake = nullptr);
  // Requests stop, wakes the thread and joins it; a task already running finishes first. Not
  // from inside a task.
  ~BackgroundThread();
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

  // Asks the thread to end without waiting for it: no task starts afterwards. Thread-safe,
  // idempotent, allowed from inside a task.
  void request_stop() noexcept { thread_.request_stop(); }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  void loop(std::stop_token stop);
  // Whether task `i` runs on the source's signals now rather than on its interval.
  bool woken(std::size_t i) const { return tasks_[i].on_wake && source_ && source_->available(); }
  // Waits until `deadline`, stop, or a signal of the source (true).
  bool wait(TimePoint deadline, const std::stop_token& stop);

  std::vector<Task> tasks_;
  std::unique_ptr<WakeSource> source_;  // used by the thread only
  std::mutex mutex_;                    // only for waiting on wake_
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started after the rest is initialized
};

}  // namespace kvstore::detail
