#include "util/background_thread.hpp"

#include <algorithm>

#include "util/deadline.hpp"

namespace kvstore::detail {

BackgroundThread::BackgroundThread(std::vector<Task> tasks, std::unique_ptr<WakeSource> wake)
    : tasks_(std::move(tasks)), source_(std::move(wake)) {
  if (!tasks_.empty()) thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
}

BackgroundThread::~BackgroundThread() {
  if (!thread_.joinable()) return;
  thread_.request_stop();  // wakes the wait (the timer's or the source's) through the stop_token
  thread_.join();
}

void BackgroundThread::loop(std::stop_token stop) {
  using SteadyClock = std::chrono::steady_clock;
  std::vector<TimePoint> due;
  const auto start = SteadyClock::now();
  for (const Task& task : tasks_) due.push_back(saturating_deadline(start, task.interval));
  while (!stop.stop_requested()) {
    auto next = TimePoint::max();  // only woken tasks: wait for the source alone
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
      if (!woken(i)) next = std::min(next, due[i]);
    }
    const bool signalled = wait(next, stop);
    if (stop.stop_requested()) return;
    for (std::size_t i = 0; i < tasks_.size() && !stop.stop_requested(); ++i) {
      const bool due_now = !woken(i) && SteadyClock::now() >= due[i];
      if (!due_now && !(signalled && tasks_[i].on_wake)) continue;
      tasks_[i].run();
      due[i] = saturating_deadline(SteadyClock::now(), tasks_[i].interval);
    }
  }
}

bool BackgroundThread::wait(TimePoint deadline, const std::stop_token& stop) {
  if (source_) return source_->wait(deadline, stop);
  std::unique_lock lock(mutex_);
  wake_.wait_until(lock, stop, deadline, [] { return false; });
  return false;
}

}  // namespace kvstore::detail
