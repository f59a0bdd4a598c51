// The shared state behind a Watcher: what it watches and its bounded queue.
//
// Thread-safety: `mutex` guards the queue, `closed`, `dropped` and `replayed_through`; the filter
// is immutable. Writers only ever offer() without blocking.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "kvstore/events.hpp"

namespace kvstore::detail {

// Which events a watcher receives. Group scope: one exact group, every group of a namespace
// ("ns:" prefix, for ScopedStore's "*"), or every group. Key "*" matches every key.
struct WatchFilter {
  enum class Scope { group, namespace_groups, all_groups };
  Scope scope = Scope::group;
  std::string group;  // the exact group, or the "ns:" prefix
  std::string key = "*";
  std::size_t strip_bytes = 0;  // leading group bytes removed from delivered events (ScopedStore)

  bool matches(const Event& event) const;
  static constexpr std::string_view kWildcard = "*";
};

struct WatcherState {
  WatcherState(WatchFilter filter, std::size_t capacity)
      : filter(std::move(filter)), capacity(capacity) {}

  // Queues a matching event unless the queue is full or the copy runs out of memory (either
  // counts a drop) or it is closed. Events at or below replayed_through were already delivered
  // by the replay and are skipped.
  void offer(const Event& event) noexcept;
  // Queues replayed events ahead of any live one; they do not count against the capacity.
  void replay(std::deque<Event> events, std::uint64_t through_revision);
  // Pops the next event, waiting until `deadline` (nullopt: do not wait).
  std::optional<Event> pop(std::optional<std::chrono::steady_clock::time_point> deadline);
  void close();
  bool is_closed() const;
  std::uint64_t dropped_count() const;

  const WatchFilter filter;
  const std::size_t capacity;

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> backlog_;  // replayed events, delivered first
  std::deque<Event> queue_;    // live events, at most `capacity`
  std::uint64_t replayed_through_ = 0;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace kvstore::detail
