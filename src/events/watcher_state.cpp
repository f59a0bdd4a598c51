#include "events/watcher_state.hpp"

#include <new>

namespace kvstore::detail {

bool WatchFilter::matches(const Event& event) const {
  // A delete_group removes every key of the group, so it reaches key watchers too; a gap may
  // have hidden a change to any key.
  return key == kWildcard || event.type == EventType::delete_group ||
         event.type == EventType::gap || event.key == key;
}

void WatcherState::offer(const Event& event) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || event.revision <= replayed_through_) return;
    if (queue_.size() >= capacity) {
      ++dropped_;
      return;
    }
    try {
      queue_.push_back(event);
    } catch (const std::bad_alloc&) {
      ++dropped_;  // like a full queue: the watcher learns that it missed an event
      return;
    }
    if (filter.strip_bytes > 0) queue_.back().group.erase(0, filter.strip_bytes);
  }
  ready_.notify_one();
}

void WatcherState::replay(std::deque<Event> events, std::uint64_t through_revision) {
  for (Event& event : events) event.group.erase(0, filter.strip_bytes);
  {
    std::lock_guard lock(mutex_);
    backlog_ = std::move(events);
    replayed_through_ = through_revision;
  }
  ready_.notify_one();
}

std::optional<Event> WatcherState::pop(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::unique_lock lock(mutex_);
  const auto available = [&] { return closed_ || !backlog_.empty() || !queue_.empty(); };
  if (deadline) ready_.wait_until(lock, *deadline, available);
  if (closed_) return std::nullopt;
  auto& source = backlog_.empty() ? queue_ : backlog_;
  if (source.empty()) return std::nullopt;
  Event event = std::move(source.front());
  source.pop_front();
  return event;
}

void WatcherState::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    backlog_.clear();
    queue_.clear();
  }
  ready_.notify_all();
}

bool WatcherState::is_closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::uint64_t WatcherState::dropped_count() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace kvstore::detail
