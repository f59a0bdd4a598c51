// The writes of one key, indexed by time, to ask what a read over [start, end] may return.
#pragma once

#include <cstdint>
#include <vector>

#include "index.hpp"

namespace history {

class Timeline {
 public:
  // `writes`: sorted by revision (Index::writes_to); must outlive the timeline.
  explicit Timeline(const std::vector<Write>& writes);

  // The write with the highest revision among those whose call ended before `time`.
  const Write* last_ended_before(Nanos time) const;
  // Whether a removal with a revision above `revision` started before `time`.
  bool removal_after_started_before(std::uint64_t revision, Nanos time) const;

 private:
  const std::vector<Write>& writes_;
  // (end, index in writes_ of the highest revision among the writes ended by then), by end.
  std::vector<std::pair<Nanos, std::size_t>> by_end_;
  // For each index i of writes_: the earliest start of a removal at i or later.
  std::vector<Nanos> removal_start_from_;
};

}  // namespace history
