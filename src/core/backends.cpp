#include "core/backends.hpp"

#include "core/memory_change_log.hpp"
#include "core/memory_counts.hpp"
#include "core/table_change_log.hpp"
#include "core/table_counts.hpp"

namespace kvstore::detail {

Backends backends_for(const Connection& connection, Statements& statements) {
  if (connection.is_memory()) {
    return {std::make_unique<MemoryChangeLog>(statements), std::make_unique<MemoryCounts>()};
  }
  return {std::make_unique<TableChangeLog>(statements), std::make_unique<TableCounts>(statements)};
}

}  // namespace kvstore::detail
