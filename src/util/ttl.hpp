// The one check of a TTL argument, shared by every method that takes one.
#pragma once

#include <chrono>
#include <string>

#include "kvstore/errors.hpp"
#include "util/operation.hpp"

namespace kvstore::detail {

// Throws InvalidArgument naming `op` unless ttl > 0.
inline void require_positive_ttl(const Operation& op, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) {
    throw InvalidArgument(
        op.message("ttl must be positive, got " + std::to_string(ttl.count()) + " ms"));
  }
}

}  // namespace kvstore::detail
