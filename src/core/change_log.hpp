// The change log: one entry per committed mutation, keyed by the store-wide revision.
//
// Two backends, chosen when the store opens (core/backends.hpp): TableChangeLog keeps the log in
// the table `changes`, MemoryChangeLog in memory. Either way a `set` entry's value is read from kv
// when the log is read, not duplicated. Guarded by the Store's connection lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/atomicity.hpp"
#include "events/type_names.hpp"
#include "kvstore/events.hpp"
#include "util/operation.hpp"

namespace kvstore::detail {

class ChangeLog {
 public:
  virtual ~ChangeLog() = default;
  ChangeLog(const ChangeLog&) = delete;
  ChangeLog& operator=(const ChangeLog&) = delete;

  // Appends an entry and returns its revision, the latest revision plus one. Caller is inside a
  // WriteScope.
  virtual std::uint64_t append(EventType type, std::string_view group, std::string_view key,
                               std::int64_t now) = 0;
  // Removes the entry `append` just returned, for a write that failed where no savepoint undoes
  // it. Returns false if that failed (the transaction must then roll back). Never throws.
  virtual bool undo_append(std::uint64_t revision) noexcept = 0;

  // The latest revision (0 before the first mutation).
  virtual std::uint64_t latest() = 0;
  // The oldest revision still logged, or nullopt when the log is empty.
  virtual std::optional<std::uint64_t> oldest() = 0;
  // How many entries the log holds.
  virtual std::uint64_t size() = 0;
  // The logged changes after `revision`, oldest first; `set` events carry the key's current
  // value.
  virtual std::vector<Event> read_after(std::uint64_t revision) = 0;
  // read_after(revision) for a replay. Throws InvalidArgument if `revision` is after the latest
  // revision (there is nothing to replay from it, and a watcher would take the next changes for
  // ones already seen), Compacted if changes after it were trimmed away (a replay would have a
  // gap); both name `op`.
  std::vector<Event> replay_after(std::uint64_t revision, const Operation& op);
  // Keeps the newest `retention` entries (at least one, which carries the latest revision).
  void trim(std::size_t retention) { keep_newest(retention > 0 ? retention : 1); }

  // A write's entries that the database does not roll back are undone by revision: mark()
  // before the write, rollback_to(mark) if it rolls back (WriteScope). Never throws.
  virtual std::uint64_t mark() const = 0;
  virtual void rollback_to(std::uint64_t mark) noexcept = 0;

  // What logging a put adds to what the put's write needs.
  virtual Atomicity put_atomicity() const = 0;

 protected:
  ChangeLog() = default;
  // trim() with `kept` >= 1.
  virtual void keep_newest(std::size_t kept) = 0;
};

}  // namespace kvstore::detail
