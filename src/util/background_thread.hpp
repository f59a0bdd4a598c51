// One thread per Store that runs periodic maintenance tasks (purge, change-feed poll) and stops
// promptly: destruction wakes it at once instead of waiting out an interval.
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
  explicit BackgroundThread(std::vector<Task> tasks);
  // Requests stop, wakes the thread and joins it; a task already running finishes first.
  ~BackgroundThread();
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

 private:
  void loop(std::stop_token stop);

  std::vector<Task> tasks_;
  std::mutex mutex_;  // only for waiting on wake_
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started after the rest is initialized
};

}  // namespace kvstore::detail
