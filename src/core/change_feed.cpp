#include "core/change_feed.hpp"

#include <algorithm>
#include <iterator>

#include "util/room_for.hpp"
#include "util/unix_time.hpp"

namespace kvstore::detail {

ChangeFeed::ChangeFeed(ChangeRows& rows, ChangeLog& log, bool enabled) : rows_(rows), log_(log) {
  if (enabled) start({});
}

void ChangeFeed::start(const std::vector<std::uint64_t>& pending) {
  if (enabled_) return;
  // remember_own() after the commit adds `pending` too, without allocating.
  make_room(own_, pending.size());
  const auto version = rows_.data_version();
  cursor_ = pending.empty() ? log_.latest() : pending.front() - 1;
  seen_data_version_ = version;
  enabled_ = true;
}

void ChangeFeed::reserve_own(std::size_t count) {
  if (enabled_) make_room(own_, count);
}

void ChangeFeed::remember_own(std::vector<std::uint64_t>& revisions) noexcept {
  if (enabled_) own_.insert(own_.end(), revisions.begin(), revisions.end());
  revisions.clear();
}

std::vector<Event> ChangeFeed::poll(std::uint64_t& missed) {
  missed = 0;
  if (!enabled_) return {};
  const auto version = rows_.data_version();
  if (version == seen_data_version_) {
    // No other connection committed since the last poll: every newer revision is our own.
    if (!own_.empty()) cursor_ = std::max(cursor_, own_.back());
    own_.clear();
    return {};
  }
  seen_data_version_ = version;
  // One statement reads the rows, and the first of them tells what was trimmed: in the same
  // snapshot (another connection may trim between two statements; revisions are consecutive).
  auto logged = log_.read_after(cursor_);
  std::vector<Event> external;
  if (!logged.empty() && logged.front().revision > cursor_ + 1) {
    const auto oldest = logged.front().revision;
    // This connection's own revisions in the trimmed range were trimmed too, but it committed
    // them: nothing of them was missed.
    const auto own_trimmed = std::distance(std::upper_bound(own_.begin(), own_.end(), cursor_),
                                           std::lower_bound(own_.begin(), own_.end(), oldest));
    missed = oldest - cursor_ - 1 - static_cast<std::uint64_t>(own_trimmed);
    if (missed > 0) {
      Event gap{EventType::gap, {}, {}, {}, Clock::now(), oldest};
      gap.external = true;
      external.push_back(std::move(gap));
    }
  }
  for (Event& event : logged) {
    cursor_ = event.revision;
    if (std::binary_search(own_.begin(), own_.end(), event.revision)) continue;
    event.external = true;
    external.push_back(std::move(event));
  }
  own_.erase(own_.begin(), std::upper_bound(own_.begin(), own_.end(), cursor_));
  return external;
}

}  // namespace kvstore::detail
