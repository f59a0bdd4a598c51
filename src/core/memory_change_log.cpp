#include "core/memory_change_log.hpp"

#include <algorithm>
#include <utility>

#include "util/unix_time.hpp"

namespace kvstore::detail {

std::uint64_t MemoryChangeLog::append(EventType type, std::string_view group, std::string_view key,
                                      std::int64_t now) {
  entries_.push_back({latest_ + 1, type, std::string(group), std::string(key), now});
  return ++latest_;
}

bool MemoryChangeLog::undo_append(std::uint64_t revision) noexcept {
  rollback_to(revision - 1);
  return true;
}

std::optional<std::uint64_t> MemoryChangeLog::oldest() {
  if (entries_.empty()) return std::nullopt;
  return entries_.front().revision;
}

std::vector<Event> MemoryChangeLog::read_after(std::uint64_t revision) {
  std::vector<Event> events;
  const auto first =
      std::upper_bound(entries_.begin(), entries_.end(), revision,
                       [](std::uint64_t r, const Entry& entry) { return r < entry.revision; });
  for (auto entry = first; entry != entries_.end(); ++entry) {
    events.push_back(Event{entry->type, entry->group, entry->key,
                           entry->type == EventType::set
                               ? kv_.value_written_at(entry->group, entry->key, entry->revision)
                               : std::nullopt,
                           from_unix_ms(entry->time), entry->revision});
  }
  return events;
}

void MemoryChangeLog::keep_newest(std::size_t kept) {
  while (entries_.size() > kept) entries_.pop_front();
}

void MemoryChangeLog::rollback_to(std::uint64_t mark) noexcept {
  if (mark >= latest_) return;
  while (!entries_.empty() && entries_.back().revision > mark) entries_.pop_back();
  latest_ = mark;
}

}  // namespace kvstore::detail
