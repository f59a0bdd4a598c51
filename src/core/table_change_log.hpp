// The change log of a store on a file: the table `changes` (migration 0002), appended in the same
// transaction as the mutation, so that every connection to the file can read what the others
// committed (the change feed). SQLite rolls back the entries of a write that rolls back.
// Guarded by the Store's connection lock.
#pragma once

#include "core/change_log.hpp"
#include "storage/change_rows.hpp"

namespace kvstore::detail {

class TableChangeLog final : public ChangeLog {
 public:
  explicit TableChangeLog(ChangeRows& rows) : rows_(rows) {}

  std::uint64_t append(EventType type, std::string_view group, std::string_view key,
                       std::int64_t now) override {
    return rows_.append(log_op_name(type), group, key, now);
  }
  bool undo_append(std::uint64_t revision) noexcept override { return rows_.try_delete(revision); }
  std::uint64_t latest() override { return rows_.latest(); }
  std::optional<std::uint64_t> oldest() override { return rows_.oldest(); }
  std::uint64_t size() override { return rows_.count(); }
  std::vector<Event> read_after(std::uint64_t revision) override;
  // Nothing to undo by hand: the rows go with the transaction or savepoint.
  std::uint64_t mark() const override { return 0; }
  void rollback_to(std::uint64_t) noexcept override {}
  // A put that fails undoes its own entry (undo_append): self_contained.
  Atomicity put_atomicity() const override { return Atomicity::self_contained; }

 private:
  void keep_newest(std::size_t kept) override { rows_.trim(kept); }

  ChangeRows& rows_;
};

}  // namespace kvstore::detail
