#include "storage/connection.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "kvstore/errors.hpp"
#include "storage/database_path.hpp"
#include "storage/platform/platform.hpp"
#include "util/utf8_path.hpp"

namespace kvstore::detail {
namespace {

constexpr const char* kMemoryPath = ":memory:";

int open_flags(const Options& options) {
  // NOMUTEX: the Store already serializes every use of the connection.
  const int mode =
      options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
  return mode | SQLite::OPEN_NOMUTEX;
}

// A writer needs a -wal next to the file; with none there and a directory nobody can create one
// in, no connection can be writing the file.
bool no_writer_possible(const std::string& path) {
  const auto dir = std::filesystem::absolute(path_of_utf8(path)).parent_path();
  return !std::filesystem::exists(path_of_utf8(path + "-wal")) &&
         !may_create_files_in(utf8_of(dir));
}

std::string immutable_uri(const std::string& path) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      constexpr const char* kHex = "0123456789abcdef";
      uri += {'%', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
}

// A cleanly closed WAL store in a read-only directory: SQLite cannot create the -shm it needs
// (SQLITE_READONLY_CANTINIT or _DIRECTORY) and documents immutable=1 as the way to read such a
// file. It is used only when no writer can exist, since an immutable connection would not see a
// writer's commits.
// A file's path is prepared first (storage/database_path.hpp): its missing directories created,
// or a missing file or directory reported by name.
// `busy_wait` becomes the busy handler as soon as the database is open (SQLiteCpp's own timeout
// is left at 0), before the first statement: a read-only open reads at once.
SQLite::Database open_database(const std::string& path, const Options& options,
                               BusyWait& busy_wait) {
  // A "file:" URI (this SQLite may be built to read one without SQLITE_OPEN_URI) names its file
  // in SQLite's syntax; it is left to SQLite as it is.
  if (path != kMemoryPath && !path.starts_with("file:")) prepare_database_path(path, options);
  constexpr int busy_ms = 0;
  SQLite::Database db(path, open_flags(options), busy_ms);
  busy_wait.install(db.getHandle());
  if (!options.read_only || path == kMemoryPath) return db;
  try {
    db.exec("PRAGMA schema_version");
    return db;
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() != SQLITE_READONLY || !no_writer_possible(path)) throw;
  }
  SQLite::Database immutable(immutable_uri(path), open_flags(options) | SQLite::OPEN_URI, busy_ms);
  busy_wait.install(immutable.getHandle());
  return immutable;
}

// Runs a statement that returns no row; whether it succeeded.
bool try_run(PreparedStatement& statement) noexcept {
  sqlite3_stmt* handle = statement.try_handle();
  if (!handle) return false;
  const int rc = sqlite3_step(handle);
  sqlite3_reset(handle);
  return rc == SQLITE_DONE;
}

}  // namespace

Connection::Connection(const std::string& path, const Options& options)
    : memory_(path == kMemoryPath),
      read_only_(options.read_only),
      synced_commits_(options.durability == Durability::full),
      busy_wait_(options.busy_timeout),
      db_(open_database(path, options, busy_wait_)) {
  // FULL until the file is in WAL mode: a file in rollback-journal mode (a go-store file) is
  // safe from power loss only with FULL, and switching it to WAL writes it once that way. A
  // ":memory:" database syncs nothing at any level.
  if (memory_) return;
  db_.exec(synced_commits_ || !read_only_ ? "PRAGMA synchronous=FULL"
                                          : "PRAGMA synchronous=NORMAL");
  if constexpr (kSqliteNeedsFullFsync) {
    db_.exec("PRAGMA fullfsync=ON");
    db_.exec("PRAGMA checkpoint_fullfsync=ON");
  }
}

std::string Connection::file_path() const {
  const char* path = sqlite3_db_filename(db_.getHandle(), "main");
  return path ? path : "";
}

void Connection::use_write_ahead_log() {
  if (memory_ || read_only_) return;
  // SQLite answers SQLITE_BUSY here at once, without its busy handler, while another connection
  // holds the file (several processes opening a new file together): wait as for any lock.
  for (int tries = 0;; ++tries) {
    try {
      db_.exec("PRAGMA journal_mode=WAL");
      break;
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) != SQLITE_BUSY || !busy_wait_.again(tries)) throw;
    }
  }
  if (!synced_commits_) db_.exec("PRAGMA synchronous=NORMAL");  // safe in WAL mode
}

bool Connection::make_commits_durable() noexcept {
  if (memory_ || synced_commits_) return true;
  sqlite3_file* log = nullptr;  // the WAL, while the database is in WAL mode
  if (sqlite3_file_control(db_.getHandle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) !=
          SQLITE_OK ||
      !log || !log->pMethods) {
    return false;
  }
  return log->pMethods->xSync(log, SQLITE_SYNC_NORMAL) == SQLITE_OK;
}

bool Connection::transaction_lost() const {
  return transaction_open_ && sqlite3_get_autocommit(db_.getHandle()) != 0;
}

void Connection::begin_immediate() {
  // What ends the transaction is compiled before it begins: a rollback must not fail to compile.
  commit_.prepare();
  rollback_.prepare();
  StatementUse(begin_immediate_).run();
  transaction_open_ = true;
}

void Connection::commit() {
  try {
    StatementUse(commit_).run();
  } catch (...) {
    transaction_open_ = sqlite3_get_autocommit(db_.getHandle()) == 0;
    commit_failed_ = true;
    throw;
  }
  transaction_open_ = false;
}

void Connection::savepoint() {
  release_.prepare();
  rollback_to_.prepare();
  StatementUse(savepoint_).run();
}
void Connection::release_savepoint() { StatementUse(release_).run(); }

void Connection::try_rollback() noexcept {
  if (sqlite3_get_autocommit(db_.getHandle()) == 0) try_run(rollback_);
  transaction_open_ = false;
  if (std::exchange(commit_failed_, false)) overwrite_unacknowledged_commit();
}

// A COMMIT that failed may still have left its frames in the WAL, commit mark and checksums
// valid (they were written; the sync, or the wal-index update after it, failed). No connection
// sees them now, but the next recovery of the WAL (the first open after every connection closed,
// or after a power cut) would, and the failed call would come back. A commit of nothing
// (user_version written unchanged, which rewrites page 1 as it is) goes to the same place in the
// WAL and breaks their checksum chain. Best effort: should it fail too, what it leaves is a
// commit that changes nothing.
void Connection::overwrite_unacknowledged_commit() noexcept {
  if (memory_) return;
  sqlite3* db = db_.getHandle();
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return;
  int version = -1;
  const auto read_version = [](void* out, int, char** values, char**) {
    *static_cast<int*>(out) = values[0] ? std::atoi(values[0]) : -1;
    return 0;
  };
  char rewrite[64];
  const bool done =
      sqlite3_exec(db, "PRAGMA user_version", read_version, &version, nullptr) == SQLITE_OK &&
      version >= 0 &&
      std::snprintf(rewrite, sizeof rewrite, "PRAGMA user_version = %d", version) > 0 &&
      sqlite3_exec(db, rewrite, nullptr, nullptr, nullptr) == SQLITE_OK &&
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
  if (!done && sqlite3_get_autocommit(db) == 0) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}
bool Connection::try_rollback_to_savepoint() noexcept {
  const bool undone = try_run(rollback_to_);
  // ROLLBACK TO leaves the savepoint open; release it so the stack stays balanced.
  try_run(release_);
  return undone;
}

void Connection::end_leftover_transaction() {
  if (transaction_open_ || sqlite3_get_autocommit(db_.getHandle()) != 0) return;
  try_rollback();
  if (sqlite3_get_autocommit(db_.getHandle()) == 0) {
    throw StorageError("kvstore: rollback: a transaction that failed cannot be rolled back",
                       sqlite3_extended_errcode(db_.getHandle()));
  }
}

}  // namespace kvstore::detail
