// A thread that runs periodic tasks (a Store's purge and change-feed poll, a LastModifiedStore's
// cleanup jobs) and stops promptly: stopping wakes it at once instead of waiting out an interval.
// The thread starts with the first task, so an owner with no work yet holds no thread; tasks may
// be added later, from any thread, including from inside a task. RAII: the destructor stops and
// joins it.
//
// Locking: `mutex_` guards the task list (its structure and each task's next run) and the start
// of the thread; it is never held while a task runs, so a task may call add() and take the locks
// of its owner (a Store's connection mutex), and an owner may call add() under its own lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace kvstore::detail {

class BackgroundThread {
 public:
  struct Task {
    std::chrono::milliseconds interval;  // > 0; any length (the deadline saturates)
    std::function<void()> run;           // must not throw
  };

  // No thread until the first add().
  BackgroundThread() = default;
  // add() for each of `tasks` (no thread if it is empty).
  explicit BackgroundThread(std::vector<Task> tasks);
  // Requests stop, wakes the thread and joins it; a task already running finishes first. Not
  // from inside a task.
  ~BackgroundThread();
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

  // Schedules `task`, first one interval from now, and starts the thread if this is the first
  // task. Thread-safe, also from inside a task. Does nothing once stop was requested. Throws
  // std::system_error if the thread cannot be started, std::bad_alloc; nothing is added then.
  void add(Task task);

  // Asks the thread to end without waiting for it: no task starts afterwards. Thread-safe,
  // idempotent, allowed from inside a task.
  void request_stop() noexcept { stop_.request_stop(); }

 private:
  using SteadyClock = std::chrono::steady_clock;
  struct Scheduled {
    Task task;                    // immutable once added: read by the thread without the lock
    SteadyClock::time_point due;  // guarded by mutex_
  };

  void loop(std::stop_token stop);
  void stop_and_join() noexcept;

  std::stop_source stop_;
  std::mutex mutex_;
  std::condition_variable_any wake_;  // an added task, or stop (through the stop token)
  std::list<Scheduled> tasks_;        // guarded by mutex_; a list: the thread keeps iterators
  bool added_ = false;                // guarded by mutex_: a task was added since the last wait
  std::jthread thread_;               // started by add() under mutex_; last member
};

}  // namespace kvstore::detail
