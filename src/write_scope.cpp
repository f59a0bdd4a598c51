#include "write_scope.hpp"

#include <sqlite3.h>

#include "kvstore/errors.hpp"

namespace kvstore::detail {

namespace {

WriteScope::Kind kind_for(const Connection& connection, WriteScope::Atomicity atomicity) {
  if (!connection.in_transaction()) return WriteScope::Kind::transaction;
  return atomicity == WriteScope::Atomicity::self_contained ? WriteScope::Kind::none
                                                            : WriteScope::Kind::savepoint;
}

}  // namespace

WriteScope::WriteScope(Connection& connection, PendingChanges& pending, NamespaceCounts& counts,
                       Atomicity atomicity)
    : connection_(connection),
      pending_(pending),
      counts_(counts),
      before_(pending.mark()),
      counts_before_(counts.mark()),
      kind_(kind_for(connection, atomicity)) {
  // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
  // can fail with SQLITE_BUSY_SNAPSHOT in WAL mode instead of waiting for busy_timeout.
  if (kind_ == Kind::transaction) {
    pending_.must_roll_back = false;
    connection_.begin_immediate();
  } else if (kind_ == Kind::savepoint) {
    connection_.savepoint();
  }
}

WriteScope::~WriteScope() {
  if (done_) return;
  pending_.rollback_to(before_);
  counts_.rollback_to(counts_before_);
  if (kind_ == Kind::none) return;
  if (kind_ == Kind::savepoint) {
    connection_.try_rollback_to_savepoint();
  } else if (connection_.in_transaction()) {  // a failed COMMIT may already have ended it
    connection_.try_rollback();
  }
}

void WriteScope::commit() {
  if (kind_ == Kind::transaction) {
    if (pending_.must_roll_back) {
      throw StorageError(
          "kvstore: commit: a failed write could not be undone; the transaction "
          "was rolled back",
          SQLITE_ABORT);
    }
    connection_.commit();
    counts_.commit();
  } else if (kind_ == Kind::savepoint) {
    connection_.release_savepoint();
  }
  done_ = true;
}

}  // namespace kvstore::detail
