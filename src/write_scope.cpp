#include "write_scope.hpp"

namespace kvstore::detail {

WriteScope::WriteScope(Connection& connection, PendingChanges& pending)
    : connection_(connection),
      pending_(pending),
      before_(pending.mark()),
      kind_(connection.in_transaction() ? Kind::savepoint : Kind::transaction) {
  // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
  // can fail with SQLITE_BUSY_SNAPSHOT in WAL mode instead of waiting for busy_timeout.
  if (kind_ == Kind::transaction) {
    connection_.begin_immediate();
  } else {
    connection_.savepoint();
  }
}

WriteScope::~WriteScope() {
  if (done_) return;
  pending_.rollback_to(before_);
  if (kind_ == Kind::savepoint) {
    connection_.try_rollback_to_savepoint();
  } else if (connection_.in_transaction()) {  // a failed COMMIT may already have ended it
    connection_.try_rollback();
  }
}

void WriteScope::commit() {
  if (kind_ == Kind::transaction) {
    connection_.commit();
  } else {
    connection_.release_savepoint();
  }
  done_ = true;
}

}  // namespace kvstore::detail
