// One SQLite connection, opened with kvstore's settings, with its transaction control.
//
// Not thread-safe: Store serializes every use of a Connection with its own mutex.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>

#include "kvstore/store.hpp"
#include "prepared_statement.hpp"

namespace kvstore::detail {

class Connection {
 public:
  // Opens `path` (":memory:" for a private database) with synchronous and busy_timeout from
  // `options`. Throws SQLite::Exception on failure (callers translate it).
  Connection(const std::string& path, const Options& options);
  // Switches a writable file to WAL mode (persistent: it changes the file, so only once the
  // file is known to be one this kvstore may write).
  void use_write_ahead_log();

  SQLite::Database& database() { return db_; }
  bool is_memory() const { return memory_; }
  // The main database file's absolute path; "" for a database without one (":memory:").
  std::string file_path() const;
  bool read_only() const { return read_only_; }
  // Whether a transaction is open on the connection (SQLite has left autocommit mode).
  bool in_transaction() const;

  // Transaction control on statements prepared once. The void ones throw SQLite::Exception;
  // the try_ ones never throw (for destructors).
  void begin_immediate();
  void commit();
  void savepoint();
  void release_savepoint();
  void try_rollback() noexcept;
  void try_rollback_to_savepoint() noexcept;

 private:
  bool memory_;
  bool read_only_;
  SQLite::Database db_;
  PreparedStatement begin_immediate_{db_, "BEGIN IMMEDIATE"};
  PreparedStatement commit_{db_, "COMMIT"};
  PreparedStatement rollback_{db_, "ROLLBACK"};
  PreparedStatement savepoint_{db_, "SAVEPOINT kvstore_write"};
  PreparedStatement release_{db_, "RELEASE kvstore_write"};
  PreparedStatement rollback_to_{db_, "ROLLBACK TO kvstore_write"};
};

}  // namespace kvstore::detail
