// The per-namespace row counts of migration 0004, kept by the write paths in the same
// transaction as the rows they count. Caller holds the connection inside a write scope.
#pragma once

#include <cstdint>
#include <string_view>

#include "statements.hpp"

namespace kvstore::detail {

// The namespace of a group: the part before its first ':', or "" for a plain group.
inline std::string_view namespace_of(std::string_view group) {
  const auto colon = group.find(':');
  return colon == std::string_view::npos ? std::string_view() : group.substr(0, colon);
}

// Records that `rows` rows were added to `group` (negative: removed). No-op for plain groups.
void count_rows(Statements& statements, std::string_view group, std::int64_t rows);

}  // namespace kvstore::detail
