#include "util/ticker.hpp"

#include "util/deadline.hpp"

namespace kvstore::detail {

Ticker::Ticker(std::chrono::milliseconds interval, std::function<void()> tick)
    : interval_(interval),
      tick_(std::move(tick)),
      thread_([this](std::stop_token stop) { loop(std::move(stop)); }) {}

void Ticker::loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto due = saturating_deadline(std::chrono::steady_clock::now(), interval_);
    wake_.wait_until(lock, stop, due, [] { return false; });
    if (stop.stop_requested()) return;
    lock.unlock();
    tick_();
    lock.lock();
  }
}

}  // namespace kvstore::detail
