// RAII for one atomic write: a top-level IMMEDIATE transaction, or a savepoint when the caller is
// already inside one. Rolls back on destruction unless commit() ran, and then also forgets the
// events the write recorded, so that nothing rolled back is ever published, and reverts what it
// logged and counted in memory (MemoryChangeLog, MemoryCounts: the backends of a ":memory:"
// store).
#pragma once

#include <cstdint>

#include "core/atomicity.hpp"
#include "core/change_log.hpp"
#include "core/namespace_counts.hpp"
#include "core/pending_changes.hpp"
#include "storage/connection.hpp"

namespace kvstore::detail {

class WriteScope {
 public:
  enum class Kind { transaction, savepoint, none };
  using Atomicity = detail::Atomicity;  // what the write's body needs (core/atomicity.hpp)
  WriteScope(Connection& connection, PendingChanges& pending, ChangeLog& log,
             NamespaceCounts& counts, Atomicity atomicity = Atomicity::needs_savepoint);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  // Whether this scope began a transaction of its own (a top-level write).
  bool began_transaction() const { return kind_ == Kind::transaction; }
  // What was recorded so far (right after the scope began) stays if the scope rolls back.
  void keep_recorded() { before_ = pending_.mark(); }

  // Makes the writes permanent (COMMIT) or folds them into the enclosing transaction (RELEASE).
  // A top-level commit throws StorageError, rolling back, if PendingChanges::must_roll_back.
  void commit();

 private:
  Connection& connection_;
  PendingChanges& pending_;
  ChangeLog& log_;
  NamespaceCounts& counts_;
  PendingChanges::Mark before_;
  const std::uint64_t log_before_;
  const std::size_t counts_before_;
  const bool top_level_;
  const Kind kind_;
  bool done_ = false;
};

}  // namespace kvstore::detail
