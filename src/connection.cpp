#include "connection.hpp"

#include <sqlite3.h>

namespace kvstore::detail {
namespace {

constexpr const char* kMemoryPath = ":memory:";

int open_flags(const Options& options) {
  // NOMUTEX: the Store already serializes every use of the connection.
  const int mode = options.read_only ? SQLite::OPEN_READONLY
                                     : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
  return mode | SQLite::OPEN_NOMUTEX;
}


void try_run(PreparedStatement& statement) noexcept {
  sqlite3_step(statement.handle());
  sqlite3_reset(statement.handle());
}

}  // namespace

Connection::Connection(const std::string& path, const Options& options)
    : memory_(path == kMemoryPath),
      read_only_(options.read_only),
      db_(path, open_flags(options), static_cast<int>(options.busy_timeout.count())) {
  db_.exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                  : "PRAGMA synchronous=NORMAL");
}

void Connection::use_write_ahead_log() {
  if (!memory_ && !read_only_) db_.exec("PRAGMA journal_mode=WAL");
}

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_.getHandle()) == 0; }

void Connection::begin_immediate() { StatementUse(begin_immediate_).run(); }
void Connection::commit() { StatementUse(commit_).run(); }
void Connection::savepoint() { StatementUse(savepoint_).run(); }
void Connection::release_savepoint() { StatementUse(release_).run(); }
void Connection::try_rollback() noexcept { try_run(rollback_); }
void Connection::try_rollback_to_savepoint() noexcept {
  try_run(rollback_to_);
  // ROLLBACK TO leaves the savepoint open; release it so the stack stays balanced.
  try_run(release_);
}

}  // namespace kvstore::detail
