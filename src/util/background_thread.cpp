#include "util/background_thread.hpp"

#include <algorithm>

#include "util/deadline.hpp"

namespace kvstore::detail {

BackgroundThread::BackgroundThread(std::vector<Task> tasks) : tasks_(std::move(tasks)) {
  if (!tasks_.empty()) thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
}

BackgroundThread::~BackgroundThread() {
  if (!thread_.joinable()) return;
  thread_.request_stop();  // wakes wait_until through the stop_token
  thread_.join();
}

void BackgroundThread::loop(std::stop_token stop) {
  using SteadyClock = std::chrono::steady_clock;
  std::vector<SteadyClock::time_point> due;
  const auto start = SteadyClock::now();
  for (const Task& task : tasks_) due.push_back(saturating_deadline(start, task.interval));
  while (!stop.stop_requested()) {
    const auto next = *std::min_element(due.begin(), due.end());
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, stop, next, [] { return false; }) || stop.stop_requested()) {
        return;
      }
    }
    for (std::size_t i = 0; i < tasks_.size() && !stop.stop_requested(); ++i) {
      if (SteadyClock::now() < due[i]) continue;
      tasks_[i].run();
      due[i] = saturating_deadline(SteadyClock::now(), tasks_[i].interval);
    }
  }
}

}  // namespace kvstore::detail
