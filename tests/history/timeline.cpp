#include "timeline.hpp"

#include <algorithm>
#include <limits>

namespace history {

Timeline::Timeline(const std::vector<Write>& writes)
    : writes_(writes), removal_start_from_(writes.size() + 1, std::numeric_limits<Nanos>::max()) {
  for (std::size_t i = 0; i < writes.size(); ++i) by_end_.emplace_back(writes[i].call->end, i);
  std::sort(by_end_.begin(), by_end_.end());
  for (std::size_t i = 1; i < by_end_.size(); ++i) {
    by_end_[i].second = std::max(by_end_[i].second, by_end_[i - 1].second);
  }
  for (std::size_t i = writes.size(); i-- > 0;) {
    removal_start_from_[i] = removal_start_from_[i + 1];
    if (writes[i].removal()) {
      removal_start_from_[i] = std::min(removal_start_from_[i], writes[i].call->start);
    }
  }
}

const Write* Timeline::last_ended_before(Nanos time) const {
  const auto ended =
      std::lower_bound(by_end_.begin(), by_end_.end(), std::pair<Nanos, std::size_t>(time, 0));
  if (ended == by_end_.begin()) return nullptr;
  return &writes_[std::prev(ended)->second];
}

bool Timeline::removal_after_started_before(std::uint64_t revision, Nanos time) const {
  const auto after =
      std::upper_bound(writes_.begin(), writes_.end(), revision,
                       [](std::uint64_t r, const Write& write) { return r < write.revision(); });
  return removal_start_from_[static_cast<std::size_t>(after - writes_.begin())] < time;
}

}  // namespace history
