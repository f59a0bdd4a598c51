// RAII for one atomic write: a top-level IMMEDIATE transaction, or a savepoint when the caller is
// already inside one. Rolls back on destruction unless commit() ran, and then also forgets the
// events the write recorded, so that nothing rolled back is ever published.
#pragma once

#include "connection.hpp"
#include "pending_changes.hpp"

namespace kvstore::detail {

class WriteScope {
 public:
  enum class Kind { transaction, savepoint };
  WriteScope(Connection& connection, PendingChanges& pending);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  // Makes the writes permanent (COMMIT) or folds them into the enclosing transaction (RELEASE).
  void commit();

 private:
  Connection& connection_;
  PendingChanges& pending_;
  const PendingChanges::Mark before_;
  const Kind kind_;
  bool done_ = false;
};

}  // namespace kvstore::detail
