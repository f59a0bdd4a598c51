#include "connection.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

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
  const auto dir = std::filesystem::absolute(path).parent_path();
  return !std::filesystem::exists(path + "-wal") && ::access(dir.c_str(), W_OK) != 0;
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
// busy timeout 0: BusyWait is installed as the handler once the database is open.
SQLite::Database open_database(const std::string& path, const Options& options) {
  constexpr int busy_ms = 0;
  SQLite::Database db(path, open_flags(options), busy_ms);
  if (!options.read_only || path == kMemoryPath) return db;
  try {
    db.exec("PRAGMA schema_version");
    return db;
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() != SQLITE_READONLY || !no_writer_possible(path)) throw;
  }
  return SQLite::Database(immutable_uri(path), open_flags(options) | SQLite::OPEN_URI, busy_ms);
}

void try_run(PreparedStatement& statement) noexcept {
  sqlite3_step(statement.handle());
  sqlite3_reset(statement.handle());
}

}  // namespace

Connection::Connection(const std::string& path, const Options& options)
    : memory_(path == kMemoryPath),
      read_only_(options.read_only),
      busy_wait_(options.busy_timeout),
      db_(open_database(path, options)) {
  busy_wait_.install(db_.getHandle());
  db_.exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                  : "PRAGMA synchronous=NORMAL");
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
      return;
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) != SQLITE_BUSY || !busy_wait_.again(tries)) throw;
    }
  }
}

bool Connection::transaction_lost() const {
  return transaction_open_ && sqlite3_get_autocommit(db_.getHandle()) != 0;
}

void Connection::begin_immediate() {
  StatementUse(begin_immediate_).run();
  transaction_open_ = true;
}

void Connection::commit() {
  try {
    StatementUse(commit_).run();
  } catch (...) {
    transaction_open_ = sqlite3_get_autocommit(db_.getHandle()) == 0;
    throw;
  }
  transaction_open_ = false;
}

void Connection::savepoint() { StatementUse(savepoint_).run(); }
void Connection::release_savepoint() { StatementUse(release_).run(); }

void Connection::try_rollback() noexcept {
  if (sqlite3_get_autocommit(db_.getHandle()) == 0) try_run(rollback_);
  transaction_open_ = false;
}
void Connection::try_rollback_to_savepoint() noexcept {
  try_run(rollback_to_);
  // ROLLBACK TO leaves the savepoint open; release it so the stack stays balanced.
  try_run(release_);
}

}  // namespace kvstore::detail
