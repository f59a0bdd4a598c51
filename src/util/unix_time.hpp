// Time in the units the schema stores: Unix milliseconds.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

#include "kvstore/options.hpp"

namespace kvstore::detail {

inline std::int64_t to_unix_ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Clamped: Clock counts nanoseconds, so a saturated expiry (expiry_after) would overflow.
inline Clock::time_point from_unix_ms(std::int64_t ms) {
  constexpr std::int64_t kLimit =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::duration::max()).count();
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::milliseconds(std::clamp(ms, -kLimit, kLimit))));
}

inline std::int64_t now_unix_ms() { return to_unix_ms(Clock::now()); }

// now + ttl, saturating so that a huge TTL means "practically never" instead of overflowing.
inline std::int64_t expiry_after(std::int64_t now_ms, std::chrono::milliseconds ttl) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  return ttl.count() > max - now_ms ? max : now_ms + ttl.count();
}

}  // namespace kvstore::detail
