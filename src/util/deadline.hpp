// Deadlines for the periodic threads (BackgroundThread) and Watcher::next: an interval
// may be as long as std::chrono::milliseconds::max(), far beyond what steady_clock's nanoseconds
// can hold.
#pragma once

#include <chrono>

namespace kvstore::detail {

// now + interval, or steady_clock::time_point::max() (a wait that never times out) when that
// would lie within a millisecond of the end of the clock's range or past it. An interval <= 0
// gives `now`. Never overflows, whatever the arguments.
inline std::chrono::steady_clock::time_point saturating_deadline(
    std::chrono::steady_clock::time_point now, std::chrono::milliseconds interval) noexcept {
  using namespace std::chrono;
  using TimePoint = steady_clock::time_point;
  if (interval <= milliseconds::zero()) return now;
  // Compared in whole milliseconds, where neither the interval nor the room left before the end
  // of the clock can overflow; converting the interval to nanoseconds first could. Truncation
  // (not floor) keeps now_ms no further from 0 than now, so it converts back safely.
  const auto now_ms = time_point_cast<milliseconds>(now);
  const auto room = time_point_cast<milliseconds>(TimePoint::max()) - now_ms;
  if (interval >= room) return TimePoint::max();
  return time_point_cast<TimePoint::duration>(now_ms + interval) + (now - now_ms);
}

}  // namespace kvstore::detail
