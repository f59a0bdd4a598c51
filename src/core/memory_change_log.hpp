// The change log of a ":memory:" store, which no other connection can open: kept in this object.
// That spares every write an INSERT, which in SQLite costs a plain set about half of a raw
// upsert, and lets a single-row write run as one autocommit statement. The entries of a write
// that rolls back are removed through WriteScope (rollback_to). Guarded by the Store's
// connection lock.
#pragma once

#include <deque>
#include <string>

#include "core/change_log.hpp"
#include "storage/kv_rows.hpp"

namespace kvstore::detail {

class MemoryChangeLog final : public ChangeLog {
 public:
  // Starts at revision 0: a ":memory:" database is always new. Reads the values of `set`
  // entries from `kv` while their keys still hold them (KvRows::value_written_at).
  explicit MemoryChangeLog(KvRows& kv) : kv_(kv) {}

  std::uint64_t append(EventType type, std::string_view group, std::string_view key,
                       std::int64_t now) override;
  bool undo_append(std::uint64_t revision) noexcept override;
  std::uint64_t latest() override { return latest_; }
  std::optional<std::uint64_t> oldest() override;
  std::uint64_t size() override { return entries_.size(); }
  std::vector<Event> read_after(std::uint64_t revision) override;
  std::uint64_t mark() const override { return latest_; }
  void rollback_to(std::uint64_t mark) noexcept override;
  // Logging changes no row: single_statement.
  Atomicity put_atomicity() const override { return Atomicity::single_statement; }

 private:
  struct Entry {
    std::uint64_t revision;
    EventType type;
    std::string group, key;
    std::int64_t time;
  };

  // Never undone: a rolled-back purge only trimmed earlier than the next.
  void keep_newest(std::size_t kept) override;

  KvRows& kv_;
  std::deque<Entry> entries_;  // oldest first
  std::uint64_t latest_ = 0;
};

}  // namespace kvstore::detail
