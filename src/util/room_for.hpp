// Makes room for more elements ahead of time, so that adding them later allocates nothing (for
// what must not fail after a commit, or in a rollback). Grows geometrically: reserving one more
// element at a time stays amortised O(1), which a plain reserve(size() + 1) is not.
#pragma once

#include <algorithm>
#include <cstddef>

namespace kvstore::detail {

// Throws std::bad_alloc.
template <class Vector>
void make_room(Vector& vector, std::size_t more) {
  const auto needed = vector.size() + more;
  if (vector.capacity() < needed) vector.reserve(std::max(needed, 2 * vector.capacity()));
}

}  // namespace kvstore::detail
