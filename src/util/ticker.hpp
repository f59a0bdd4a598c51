// A thread that calls a function every interval until stopped; stopping wakes it at once.
// RAII: the destructor stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace kvstore::detail {

class Ticker {
 public:
  // Starts the thread; the first tick comes one interval after start. interval > 0, of any length
  // (the deadline saturates: milliseconds::max() never ticks); `tick` must not throw. Throws
  // std::system_error if the thread cannot be started.
  Ticker(std::chrono::milliseconds interval, std::function<void()> tick);
  // request_stop(), then joins (a tick in progress finishes first). Not from inside `tick`.
  ~Ticker() = default;
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  // Asks the thread to end without waiting for it: no tick starts afterwards. Never blocks for
  // long; thread-safe; idempotent.
  void request_stop() noexcept { thread_.request_stop(); }

 private:
  void loop(std::stop_token stop);

  const std::chrono::milliseconds interval_;
  const std::function<void()> tick_;
  std::mutex mutex_;  // only for waiting on wake_
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started once the rest is initialized; joined first
};

}  // namespace kvstore::detail
