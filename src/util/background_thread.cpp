#include "util/background_thread.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "util/deadline.hpp"

namespace kvstore::detail {
namespace {

ThreadStartCheck thread_start_check = nullptr;

}  // namespace

ThreadStartCheck replace_thread_start_check(ThreadStartCheck check) {
  return std::exchange(thread_start_check, check);
}

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
    stop_.request_stop();  // wakes either wait through the stop token
  }
  if (thread_.joinable()) thread_.join();
}

void BackgroundThread::add(Task task, std::unique_ptr<WakeSource> wake) {
  std::stop_source next_wait_stop;  // allocated before anything changes: add() may still fail
  std::lock_guard lock(mutex_);
  if (stop_.stop_requested()) return;
  if (wake && source_) throw std::logic_error("BackgroundThread: a second wake source");
  const auto due = saturating_deadline(SteadyClock::now(), task.interval);
  tasks_.push_back({std::move(task), due});
  if (!thread_.joinable()) {
    try {
      if (thread_start_check) thread_start_check();
      thread_ = std::jthread([this] { loop(stop_.get_token()); });
    } catch (...) {
      tasks_.pop_back();
      throw;
    }
  }
  if (wake) source_ = std::move(wake);
  added_ = true;
  wake_.notify_one();
  std::exchange(source_wait_stop_, std::move(next_wait_stop)).request_stop();
}

bool BackgroundThread::wait(std::unique_lock<std::mutex>& lock, const std::stop_token& stop,
                            SteadyClock::time_point next) {
  if (!source_) {
    // A wake-up for an added task recomputes `next`; stop ends the wait at once.
    wake_.wait_until(lock, stop, next, [this] { return added_; });
    return false;
  }
  // The source's wait ends with the thread's stop or with the next add(), whichever comes first.
  std::stop_source wait_stop = source_wait_stop_;
  const std::stop_callback on_stop(stop, [wait_stop]() mutable { wait_stop.request_stop(); });
  lock.unlock();
  const bool signalled = source_->wait(next, wait_stop.get_token());
  lock.lock();
  return signalled;
}

void BackgroundThread::loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    auto next = SteadyClock::time_point::max();  // only woken tasks: wait for the source alone
    for (const Scheduled& scheduled : tasks_) {
      if (!woken(scheduled)) next = std::min(next, scheduled.due);
    }
    added_ = false;
    const bool signalled = wait(lock, stop, next);
    // Runs the due tasks without the lock. std::list: added tasks do not move those already
    // listed, and `it` is advanced and compared under the lock.
    for (auto it = tasks_.begin(); it != tasks_.end() && !stop.stop_requested(); ++it) {
      const bool due_now = !woken(*it) && SteadyClock::now() >= it->due;
      if (!due_now && !(signalled && it->task.on_wake)) continue;
      lock.unlock();
      it->task.run();
      lock.lock();
      it->due = saturating_deadline(SteadyClock::now(), it->task.interval);
    }
  }
}

}  // namespace kvstore::detail
