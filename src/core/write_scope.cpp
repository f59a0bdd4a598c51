#include "core/write_scope.hpp"

#include <sqlite3.h>

#include "kvstore/errors.hpp"

namespace kvstore::detail {

namespace {

WriteScope::Kind kind_for(bool top_level, WriteScope::Atomicity atomicity) {
  using Atomicity = WriteScope::Atomicity;
  if (atomicity == Atomicity::single_statement) return WriteScope::Kind::none;
  if (top_level) return WriteScope::Kind::transaction;
  return atomicity == Atomicity::self_contained ? WriteScope::Kind::none
                                                : WriteScope::Kind::savepoint;
}

}  // namespace

WriteScope::WriteScope(Connection& connection, PendingChanges& pending, ChangeLog& log,
                       NamespaceCounts& counts, Atomicity atomicity)
    : connection_(connection),
      pending_(pending),
      log_(log),
      counts_(counts),
      before_(pending.mark()),
      log_before_(log.mark()),
      counts_before_(counts.mark()),
      top_level_(!connection.in_transaction()),
      kind_(kind_for(top_level_, atomicity)) {
  if (top_level_) pending_.must_roll_back = false;
  // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
  // can fail with SQLITE_BUSY_SNAPSHOT in WAL mode instead of waiting for busy_timeout.
  if (kind_ == Kind::transaction) {
    connection_.begin_immediate();
  } else if (kind_ == Kind::savepoint) {
    connection_.savepoint();
  }
}

WriteScope::~WriteScope() {
  if (done_) return;
  pending_.rollback_to(before_);
  log_.rollback_to(log_before_);
  counts_.rollback_to(counts_before_);
  if (kind_ == Kind::savepoint) {
    if (!connection_.try_rollback_to_savepoint()) pending_.must_roll_back = true;
  } else if (kind_ == Kind::transaction) {
    connection_.try_rollback();
  }
}

void WriteScope::commit() {
  if (kind_ == Kind::transaction) {
    if (connection_.transaction_lost()) {
      throw StorageError(
          "kvstore: commit: an earlier failure made SQLite roll the transaction back; nothing "
          "of it was stored",
          SQLITE_ABORT_ROLLBACK);
    }
    if (pending_.must_roll_back) {
      throw StorageError(
          "kvstore: commit: a failed write could not be undone; the transaction "
          "was rolled back",
          SQLITE_ABORT);
    }
    connection_.commit();
  } else if (kind_ == Kind::savepoint) {
    connection_.release_savepoint();
  }
  if (top_level_) counts_.commit();
  done_ = true;
}

}  // namespace kvstore::detail
