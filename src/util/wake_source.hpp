// Something besides the clock that can wake a BackgroundThread: a source of "something may have
// changed, look now" signals, such as the file system's notifications (storage/wal_watch.hpp).
// util knows only this interface; the source itself lives in the layer that knows what it watches.
#pragma once

#include <chrono>
#include <stop_token>

namespace kvstore::detail {

class WakeSource {
 public:
  virtual ~WakeSource() = default;

  // Whether wait() reports changes. While false, wait() only waits out its deadline and the
  // tasks bound to the source run every interval instead, as if there were no source. Once false,
  // never true again. Thread-safe.
  virtual bool available() const noexcept = 0;
  // Blocks until a change may have happened (true; spurious trues are allowed, a missed change is
  // not), or until `deadline` passes or `stop` is requested (false). Returns at once when `stop`
  // is requested before or during the wait. One thread at a time.
  virtual bool wait(std::chrono::steady_clock::time_point deadline, std::stop_token stop) = 0;
};

}  // namespace kvstore::detail
