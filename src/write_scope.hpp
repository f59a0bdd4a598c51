// RAII for one atomic write: a top-level IMMEDIATE transaction, or a savepoint when the caller is
// already inside one. Rolls back on destruction unless commit() ran, and then also forgets the
// events the write recorded, so that nothing rolled back is ever published, and reverts what it
// counted in memory (NamespaceCounts of a ":memory:" store).
#pragma once

#include "connection.hpp"
#include "namespace_counts.hpp"
#include "pending_changes.hpp"

namespace kvstore::detail {

class WriteScope {
 public:
  enum class Kind { transaction, savepoint, none };
  enum class Atomicity { needs_savepoint, self_contained };
  WriteScope(Connection& connection, PendingChanges& pending, NamespaceCounts& counts,
             Atomicity atomicity = Atomicity::needs_savepoint);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  // Makes the writes permanent (COMMIT) or folds them into the enclosing transaction (RELEASE).
  // A top-level commit throws StorageError, rolling back, if PendingChanges::must_roll_back.
  void commit();

 private:
  Connection& connection_;
  PendingChanges& pending_;
  NamespaceCounts& counts_;
  const PendingChanges::Mark before_;
  const std::size_t counts_before_;
  const Kind kind_;
  bool done_ = false;
};

}  // namespace kvstore::detail
