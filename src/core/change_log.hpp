// The change log: one entry per committed mutation, keyed by the store-wide revision.
//
// A store on a file keeps it in the table `changes` (migration 0002), appended in the same
// transaction as the mutation, so that every connection to the file can read what the others
// committed (the change feed). A ":memory:" store, which no other connection can open, keeps it
// in this object instead: that spares every write an INSERT, which in SQLite costs a plain set
// about half of a raw upsert, and lets a single-row write run as one autocommit statement. In
// memory, entries of a write that rolls back are removed through WriteScope (rollback_to).
// Either way a `set` entry's value is read from kv when the log is read, not duplicated.
// Guarded by the Store's connection lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvstore/events.hpp"
#include "storage/statements.hpp"
#include "util/operation.hpp"

namespace kvstore::detail {

// The `op` column's value for an event type that is logged (not `gap`), and back.
std::string_view log_op_name(EventType type);
EventType log_op_type(std::string_view name);

class ChangeLog {
 public:
  // `in_memory`: log here rather than in the table (a ":memory:" store).
  ChangeLog(Statements& statements, bool in_memory);

  bool in_memory() const { return in_memory_; }

  // Appends an entry and returns its revision, the latest revision plus one. Caller is inside a
  // WriteScope.
  std::uint64_t append(EventType type, std::string_view group, std::string_view key,
                       std::int64_t now);
  // Removes the entry `append` just returned, for a write that failed where no savepoint undoes
  // it. Returns false if that failed (the transaction must then roll back). Never throws.
  bool undo_append(std::uint64_t revision) noexcept;

  // The latest revision (0 before the first mutation).
  std::uint64_t latest();
  // The oldest revision still logged, or nullopt when the log is empty.
  std::optional<std::uint64_t> oldest();
  // How many entries the log holds.
  std::uint64_t size();
  // The logged changes after `revision`, oldest first; `set` events carry the key's current
  // value.
  std::vector<Event> read_after(std::uint64_t revision);
  // read_after(revision) for a replay. Throws InvalidArgument if `revision` is after the latest
  // revision (there is nothing to replay from it, and a watcher would take the next changes for
  // ones already seen), Compacted if changes after it were trimmed away (a replay would have a
  // gap); both name `op`.
  std::vector<Event> replay_after(std::uint64_t revision, const Operation& op);
  // Keeps the newest `retention` entries (at least one, which carries the latest revision).
  // In memory a trim is never undone: a rolled-back purge only trimmed earlier than the next.
  void trim(std::size_t retention);

  // In memory, a write's entries are undone by revision: mark() before it, rollback_to(mark)
  // if it rolls back. For the table both are no-ops (SQLite rolls the rows back).
  std::uint64_t mark() const { return latest_; }
  void rollback_to(std::uint64_t mark);

 private:
  struct Entry {
    std::uint64_t revision;
    EventType type;
    std::string group, key;
    std::int64_t time;
  };

  std::string current_value(std::string_view group, std::string_view key);

  Statements& statements_;
  const bool in_memory_;
  std::deque<Entry> entries_;  // in memory: oldest first
  std::uint64_t latest_ = 0;   // in memory: the latest revision
};

}  // namespace kvstore::detail
