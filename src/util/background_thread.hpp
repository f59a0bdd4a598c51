// A thread that runs periodic tasks (a Store's purge and change-feed poll, a LastModifiedStore's
// cleanup jobs) and stops promptly: stopping wakes it at once instead of waiting out an interval.
// RAII: the destructor stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kvstore::detail {

class BackgroundThread {
 public:
  struct Task {
    std::chrono::milliseconds interval;  // > 0; any length (the deadline saturates)
    std::function<void()> run;           // must not throw
  };

  // Starts the thread, unless `tasks` is empty. Each task first runs one interval after start.
  // Throws std::system_error if the thread cannot be started.
  explicit BackgroundThread(std::vector<Task> tasks);
  // Requests stop, wakes the thread and joins it; a task already running finishes first. Not
  // from inside a task.
  ~BackgroundThread();
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

  // Asks the thread to end without waiting for it: no task starts afterwards. Thread-safe,
  // idempotent, allowed from inside a task.
  void request_stop() noexcept { thread_.request_stop(); }

 private:
  void loop(std::stop_token stop);

  std::vector<Task> tasks_;
  std::mutex mutex_;  // only for waiting on wake_
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started after the rest is initialized
};

}  // namespace kvstore::detail
