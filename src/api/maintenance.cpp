// Store's maintenance methods: rare, so their statements are prepared per call.
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <filesystem>

#include "core/store_impl.hpp"
#include "storage/migrations.hpp"

namespace kvstore {

using detail::Operation;

namespace {

std::uint64_t file_size_or_zero(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

std::uint64_t scalar(SQLite::Database& db, const char* sql) {
  return static_cast<std::uint64_t>(db.execAndGet(sql).getInt64());
}

// A count over rows live at `now` (?1).
std::uint64_t live_count(SQLite::Database& db, const char* sql, std::int64_t now) {
  SQLite::Statement query(db, sql);
  query.bind(1, static_cast<int64_t>(now));
  query.executeStep();
  return static_cast<std::uint64_t>(query.getColumn(0).getInt64());
}

// Tables and columns this version of kvstore relies on.
const std::vector<std::pair<const char*, std::vector<const char*>>> kExpectedSchema = {
    {"kv", {"grp", "key", "value", "expires_at", "modified_at", "revision", "tag", "blob_id"}},
    {"changes", {"revision", "op", "grp", "key", "time"}},
    {"ns_counts", {"ns", "keys", "groups"}},
    {"ns_group_counts", {"grp", "keys"}},
    {"blobs", {"id", "size", "writer_pid", "created_at", "committed", "in_file"}},
    {"blob_chunks", {"blob_id", "seq", "data"}},
};

// Each streamed value the database keeps in a file: the file is there, of the recorded size.
void add_value_file_problems(SQLite::Database& db, const detail::BlobFiles& files,
                             std::vector<std::string>& problems) {
  SQLite::Statement values(db,
                           "SELECT kv.grp, kv.key, b.id, b.size FROM kv "
                           "JOIN blobs AS b ON b.id = kv.blob_id WHERE b.in_file = 1");
  while (values.executeStep()) {
    const auto problem = files.problem(values.getColumn(2).getInt64(),
                                       static_cast<std::uint64_t>(values.getColumn(3).getInt64()));
    if (!problem.empty()) {
      problems.push_back("value file of " + values.getColumn(0).getString() + "/" +
                         values.getColumn(1).getString() + ": " + problem);
    }
  }
}

}  // namespace

StoreStats Store::stats() {
  return impl_->with_connection(Operation::of("stats"), [&] {
    auto& db = impl_->connection.database();
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
            .count();
    StoreStats stats;
    stats.schema_version = static_cast<int>(scalar(db, "PRAGMA user_version"));
    stats.journal_mode = db.execAndGet("PRAGMA journal_mode").getString();
    stats.page_size = scalar(db, "PRAGMA page_size");
    stats.page_count = scalar(db, "PRAGMA page_count");
    stats.free_pages = scalar(db, "PRAGMA freelist_count");
    if (!impl_->connection.is_memory()) {
      stats.file_bytes = file_size_or_zero(db.getFilename());
      stats.wal_bytes = file_size_or_zero(db.getFilename() + "-wal");
    }
    stats.keys =
        live_count(db, "SELECT count(*) FROM kv WHERE expires_at IS NULL OR expires_at > ?1", now);
    stats.groups = live_count(
        db, "SELECT count(DISTINCT grp) FROM kv WHERE expires_at IS NULL OR expires_at > ?1", now);
    stats.expiring_keys = live_count(db, "SELECT count(*) FROM kv WHERE expires_at > ?1", now);
    stats.revision = impl_->log.latest();
    stats.change_log_entries = impl_->log.size();
    return stats;
  });
}

std::vector<std::string> Store::check() {
  return impl_->with_connection(Operation::of("check"), [&] {
    auto& db = impl_->connection.database();
    std::vector<std::string> problems;
    SQLite::Statement integrity(db, "PRAGMA integrity_check");
    while (integrity.executeStep()) {
      const auto line = integrity.getColumn(0).getString();
      if (line != "ok") problems.push_back("integrity: " + line);
    }
    const auto version = static_cast<int>(scalar(db, "PRAGMA user_version"));
    if (version != detail::latest_schema_version()) {
      problems.push_back("schema version " + std::to_string(version) + ", expected " +
                         std::to_string(detail::latest_schema_version()));
    }
    for (const auto& [table, columns] : kExpectedSchema) {
      SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?1)");
      info.bind(1, table);
      std::vector<std::string> present;
      while (info.executeStep()) present.push_back(info.getColumn(0).getString());
      for (const char* column : columns) {
        if (std::find(present.begin(), present.end(), column) == present.end()) {
          problems.push_back(std::string("schema: table ") + table + " lacks column " + column);
        }
      }
    }
    impl_->counts.add_problems(db, problems);
    add_value_file_problems(db, impl_->files, problems);
    return problems;
  });
}

void Store::checkpoint() {
  impl_->with_connection(Operation::of("checkpoint"), [&] {
    if (impl_->connection.is_memory()) return;
    SQLite::Statement checkpoint(impl_->connection.database(), "PRAGMA wal_checkpoint(TRUNCATE)");
    checkpoint.executeStep();
    if (checkpoint.getColumn(0).getInt() != 0) {
      throw Busy(Operation::of("checkpoint")
                     .message("other connections' readers kept the "
                              "checkpoint from completing"),
                 SQLITE_BUSY);
    }
  });
}

void Store::vacuum() {
  const auto op = Operation::of("vacuum");
  impl_->require_writable(op);
  impl_->with_connection(op, [&] {
    if (impl_->connection.in_transaction()) {
      throw StorageError(op.message("cannot vacuum inside a transaction"), SQLITE_ERROR);
    }
    impl_->connection.database().exec("VACUUM");
  });
}

}  // namespace kvstore
