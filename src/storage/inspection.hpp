// What Store::stats(), Store::check() and the open read of a database, and the maintenance
// statements (checkpoint, vacuum). Rare, so each statement is prepared per call. The caller holds
// the connection.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/connection.hpp"
#include "storage/value_files.hpp"

namespace kvstore::detail {

struct DatabaseFacts {
  int schema_version = 0;
  std::string journal_mode;
  std::uint64_t page_size = 0, page_count = 0, free_pages = 0;
  std::uint64_t file_bytes = 0, wal_bytes = 0;            // 0 where there is no file
  std::uint64_t keys = 0, groups = 0, expiring_keys = 0;  // live at `now`
};
DatabaseFacts database_facts(Connection& connection, std::int64_t now);
// Whether kv holds a row with a TTL, live or expired: the open's test for purge work (one step
// through the partial index kv_expiry).
bool holds_expiring_rows(Connection& connection);

// Appends a line to `problems` per finding of SQLite's integrity check, and per schema version or
// column this kvstore does not expect.
void add_database_problems(Connection& connection, std::vector<std::string>& problems);
// Appends a line to `problems` per streamed value whose file is missing or of the wrong size.
void add_value_file_problems(Connection& connection, const BlobFiles& files,
                             std::vector<std::string>& problems);

// A group or namespace whose count differs from what kv holds: holds_* are recounted from kv,
// counted_* are what the counts say.
struct Miscount {
  std::string name;
  std::int64_t holds_keys, holds_groups, counted_keys, counted_groups;
};
// Recounts every namespaced group of kv: fn(group, keys).
void recount_namespaced_groups(Connection& connection,
                               const std::function<void(std::string_view, std::int64_t)>& fn);
// The recount compared with the count tables (ns_group_counts, ns_counts). A count of zero is as
// good as no count (emptied namespaces keep theirs).
std::vector<Miscount> miscounted_groups(Connection& connection);
std::vector<Miscount> miscounted_namespaces(Connection& connection);

// Copies the write-ahead log into the database and truncates it; false if other connections'
// readers kept it from completing. Without a write-ahead log (":memory:") there is nothing to
// copy: true.
bool checkpoint_truncate(Connection& connection);
// Rebuilds the database file (SQLite's VACUUM); outside any transaction.
void vacuum(Connection& connection);

}  // namespace kvstore::detail
