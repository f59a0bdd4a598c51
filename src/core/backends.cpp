#include "core/backends.hpp"

#include "core/memory_change_log.hpp"
#include "core/memory_counts.hpp"
#include "core/table_change_log.hpp"
#include "core/table_counts.hpp"

namespace kvstore::detail {

Backends backends_for(const Connection& connection, Rows& rows) {
  if (connection.is_memory()) {
    return {std::make_unique<MemoryChangeLog>(rows.kv), std::make_unique<MemoryCounts>(), false};
  }
  return {std::make_unique<TableChangeLog>(rows.changes),
          std::make_unique<TableCounts>(rows.counts), true};
}

}  // namespace kvstore::detail
