#include "util/background_thread.hpp"

#include <algorithm>

#include "util/deadline.hpp"

namespace kvstore::detail {

BackgroundThread::BackgroundThread(std::vector<Task> tasks) {
  try {
    for (Task& task : tasks) add(std::move(task));
  } catch (...) {
    stop_and_join();  // the destructor does not run for a constructor that throws
    throw;
  }
}

BackgroundThread::~BackgroundThread() { stop_and_join(); }

void BackgroundThread::stop_and_join() noexcept {
  {
    // Under the lock: an add() from a running task either finished with thread_ or sees the stop
    // and leaves thread_ alone, so joining below races with nothing.
    std::lock_guard lock(mutex_);
    stop_.request_stop();  // wakes wait_until through the stop token
  }
  if (thread_.joinable()) thread_.join();
}

void BackgroundThread::add(Task task) {
  std::lock_guard lock(mutex_);
  if (stop_.stop_requested()) return;
  const auto due = saturating_deadline(SteadyClock::now(), task.interval);
  tasks_.push_back({std::move(task), due});
  if (thread_.joinable()) {
    added_ = true;
    wake_.notify_one();
    return;
  }
  try {
    thread_ = std::jthread([this] { loop(stop_.get_token()); });
  } catch (...) {
    tasks_.pop_back();
    throw;
  }
}

void BackgroundThread::loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    auto next = SteadyClock::time_point::max();
    for (const Scheduled& scheduled : tasks_) next = std::min(next, scheduled.due);
    added_ = false;
    // A wake-up for an added task recomputes `next`; stop ends the wait at once.
    wake_.wait_until(lock, stop, next, [this] { return added_; });
    // Runs the due tasks without the lock. std::list: added tasks do not move those already
    // listed, and `it` is advanced and compared under the lock.
    for (auto it = tasks_.begin(); it != tasks_.end() && !stop.stop_requested(); ++it) {
      if (SteadyClock::now() < it->due) continue;
      lock.unlock();
      it->task.run();
      lock.lock();
      it->due = saturating_deadline(SteadyClock::now(), it->task.interval);
    }
  }
}

}  // namespace kvstore::detail
