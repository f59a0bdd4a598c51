// A thread that runs periodic tasks (a Store's purge and change-feed poll, a LastModifiedStore's
// cleanup jobs) and stops promptly: stopping wakes it at once instead of waiting out an interval.
// The thread starts with the first task, so an owner with no work yet holds no thread; tasks may
// be added later, from any thread, including from inside a task. A task may instead be bound to a
// WakeSource (the change feed to the file's notifications): it then runs when the source signals,
// and on its interval only while the source is unavailable. RAII: the destructor stops and joins
// the thread.
//
// Locking: `mutex_` guards the task list (its structure and each task's next run), the start of
// the thread, the source's attachment and the stop source that ends the current wait; it is never
// held while a task runs or while the thread waits on the source, so a task may call add() and
// take the locks of its owner (a Store's connection mutex), and an owner may call add() under its
// own lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "util/wake_source.hpp"

namespace kvstore::detail {

// Test seam: called by add() just before it starts a thread; a check that throws refuses the
// start as the operating system would (std::system_error, EAGAIN), so that tests reach what an
// owner does when its thread cannot start. nullptr: no check (the default). Returns the previous
// check. Not safe while another thread adds a task.
using ThreadStartCheck = void (*)();
ThreadStartCheck replace_thread_start_check(ThreadStartCheck check);

class BackgroundThread {
 public:
  struct Task {
    std::chrono::milliseconds interval;  // > 0; any length (the deadline saturates)
    std::function<void()> run;           // must not throw
    // Runs whenever the thread's WakeSource signals instead of every interval, as long as the
    // source is available; false, or no source: every interval.
    bool on_wake = false;
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
  // task. With `wake` (at most one per thread; a second is refused with std::logic_error), the
  // thread waits on it from now on instead of a timer; it must end its wait when the stop token
  // it is given is requested. Thread-safe, also from inside a task. Does nothing once stop was
  // requested. Throws std::system_error if the thread cannot be started, std::bad_alloc; nothing
  // is added then.
  void add(Task task, std::unique_ptr<WakeSource> wake = nullptr);

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
  // Waits, under `lock`, until `next`, stop, an added task, or a signal of the source (true).
  bool wait(std::unique_lock<std::mutex>& lock, const std::stop_token& stop,
            SteadyClock::time_point next);
  // Whether `scheduled` runs on the source's signals now rather than on its interval.
  bool woken(const Scheduled& scheduled) const {
    return scheduled.task.on_wake && source_ && source_->available();
  }
  void stop_and_join() noexcept;

  std::stop_source stop_;
  std::mutex mutex_;
  std::condition_variable_any wake_;  // an added task, or stop (through the stop token)
  std::list<Scheduled> tasks_;        // guarded by mutex_; a list: the thread keeps iterators
  bool added_ = false;                // guarded by mutex_: a task was added since the last wait
  // Set once, under mutex_, then only read; waited on by the thread alone, without the lock.
  std::unique_ptr<WakeSource> source_;
  // Ends the thread's current wait on source_ early (an added task); replaced by each add().
  // Guarded by mutex_.
  std::stop_source source_wait_stop_;
  std::jthread thread_;  // started by add() under mutex_; last member
};

}  // namespace kvstore::detail
