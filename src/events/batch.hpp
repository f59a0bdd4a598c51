// The events one commit publishes, in the queue node that carries them to the EventHub. The node
// is allocated while the write can still fail, so that nothing after the commit allocates.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "kvstore/events.hpp"

namespace kvstore::detail {

using BatchQueue = std::map<std::uint64_t, std::vector<Event>>;  // by delivery turn
using BatchNode = BatchQueue::node_type;                         // events: mapped()

// An empty node. Throws std::bad_alloc.
inline BatchNode make_batch_node() {
  BatchQueue holder;
  holder.try_emplace(0);
  return holder.extract(holder.begin());
}

}  // namespace kvstore::detail
