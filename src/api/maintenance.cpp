// Store's maintenance methods: rare, so their statements are prepared per call (see
// storage/inspection.hpp).
#include <sqlite3.h>

#include "core/namespace_counts.hpp"
#include "core/store_impl.hpp"
#include "storage/inspection.hpp"
#include "util/unix_time.hpp"

namespace kvstore {

using detail::Operation;

StoreStats Store::stats() const {
  return impl().with_connection(Operation::of("stats"), [&](detail::HeldStore& held) {
    const auto facts = detail::database_facts(held.connection(), detail::now_unix_ms());
    StoreStats stats;
    stats.schema_version = facts.schema_version;
    stats.journal_mode = facts.journal_mode;
    stats.page_size = facts.page_size;
    stats.page_count = facts.page_count;
    stats.free_pages = facts.free_pages;
    stats.file_bytes = facts.file_bytes;
    stats.wal_bytes = facts.wal_bytes;
    stats.keys = facts.keys;
    stats.groups = facts.groups;
    stats.expiring_keys = facts.expiring_keys;
    stats.revision = held.log().latest();
    stats.change_log_entries = held.log().size();
    return stats;
  });
}

std::vector<std::string> Store::check() const {
  return impl().with_connection(Operation::of("check"), [&](detail::HeldStore& held) {
    std::vector<std::string> problems;
    detail::add_database_problems(held.connection(), problems);
    held.counts().add_problems(held.connection(), problems);
    detail::add_value_file_problems(held.connection(), held.files(), problems);
    return problems;
  });
}

void Store::checkpoint() {
  const auto op = Operation::of("checkpoint");
  impl().with_connection(op, [&](detail::HeldStore& held) {
    if (!detail::checkpoint_truncate(held.connection())) {
      throw Busy(op.message("other connections' readers kept the checkpoint from completing"),
                 SQLITE_BUSY);
    }
  });
}

void Store::vacuum() {
  const auto op = Operation::of("vacuum");
  impl().require_writable(op);
  impl().with_connection(op, [&](detail::HeldStore& held) {
    if (held.connection().in_transaction()) {
      throw StorageError(op.message("cannot vacuum inside a transaction"), SQLITE_ERROR);
    }
    detail::vacuum(held.connection());
  });
}

}  // namespace kvstore
