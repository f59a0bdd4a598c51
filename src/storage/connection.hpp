// One SQLite connection, opened with kvstore's settings, with its transaction control.
//
// Not thread-safe: Store serializes every use of a Connection with its own mutex.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>

#include "kvstore/options.hpp"
#include "storage/busy_wait.hpp"
#include "storage/prepared_statement.hpp"

namespace kvstore::detail {

class Connection {
 public:
  // Opens `path` (":memory:" for a private database) with synchronous and busy_timeout (see
  // BusyWait) from `options`, after prepare_database_path (creating the missing directories
  // above a file). Throws SQLite::Exception on failure (callers translate it), StorageError when
  // the path cannot be prepared.
  Connection(const std::string& path, const Options& options);
  // Switches a writable file to WAL mode (persistent: it changes the file, so only once the
  // file is known to be one this kvstore may write), waiting up to busy_timeout for others.
  void use_write_ahead_log();

  SQLite::Database& database() { return db_; }
  bool is_memory() const { return memory_; }
  // The main database file's absolute path; "" for a database without one (":memory:").
  std::string file_path() const;
  bool read_only() const { return read_only_; }
  // Whether kvstore began a transaction that has not ended through commit() or try_rollback().
  // Decided by kvstore, not by SQLite's autocommit flag: SQLite rolls a transaction back by itself
  // on SQLITE_FULL, SQLITE_IOERR or SQLITE_NOMEM, and the writes that follow inside the caller's
  // transaction must then fail rather than autocommit one by one.
  bool in_transaction() const { return transaction_open_; }
  // A transaction kvstore began is open, but SQLite already rolled it back (see in_transaction).
  bool transaction_lost() const;

  // Makes every commit made so far durable, as Durability::full does at each commit: a file
  // deleted because of a commit must not outlive, on a power cut, the commit itself (the WAL is
  // synced only at checkpoints under Durability::normal). Returns whether it could.
  bool make_commits_durable() noexcept;

  // Transaction control on statements prepared once, when first needed (a transaction's commit
  // and rollback before it begins, so that ending it never fails to compile). The void ones
  // throw SQLite::Exception;
  // the try_ ones never throw (for destructors). commit() ends the transaction whether it
  // succeeds or not, unless SQLite kept it open (SQLITE_BUSY: try_rollback() ends it then).
  // After a failed commit(), try_rollback() also makes sure that what the commit may have left
  // in the WAL never comes back (see overwrite_unacknowledged_commit).
  void begin_immediate();
  void commit();
  void savepoint();
  void release_savepoint();
  void try_rollback() noexcept;
  // Returns false when the savepoint's changes could not be undone (the enclosing transaction
  // must then roll back).
  bool try_rollback_to_savepoint() noexcept;
  // Ends a transaction SQLite still has open although kvstore ended it (its ROLLBACK failed, out
  // of memory for instance). Call before a top-level call uses the connection. Throws
  // StorageError if it cannot.
  void end_leftover_transaction();

 private:
  void overwrite_unacknowledged_commit() noexcept;

  bool memory_;
  bool read_only_;
  bool synced_commits_;  // Durability::full: every commit already syncs the WAL
  bool transaction_open_ = false;
  bool commit_failed_ = false;  // the last commit() failed; try_rollback() repairs the WAL
  BusyWait busy_wait_;          // before db_: the connection's busy handler points at it
  SQLite::Database db_;
  PreparedStatement begin_immediate_{db_, "BEGIN IMMEDIATE"};
  PreparedStatement commit_{db_, "COMMIT"};
  PreparedStatement rollback_{db_, "ROLLBACK"};
  PreparedStatement savepoint_{db_, "SAVEPOINT kvstore_write"};
  PreparedStatement release_{db_, "RELEASE kvstore_write"};
  PreparedStatement rollback_to_{db_, "ROLLBACK TO kvstore_write"};
};

}  // namespace kvstore::detail
