// The namespace counts of a store on a file: the tables of migration 0004, updated in the same
// transaction as the rows they count, so that every connection to the file sees the same
// numbers. SQLite rolls back what a write that rolls back counted. Guarded by the Store's
// connection lock.
#pragma once

#include "core/namespace_counts.hpp"
#include "storage/count_rows.hpp"

namespace kvstore::detail {

class TableCounts final : public NamespaceCounts {
 public:
  explicit TableCounts(CountRows& rows) : rows_(rows) {}

  Usage usage(std::string_view ns) override;
  // Nothing to undo by hand: the tables go with the transaction or savepoint.
  std::size_t mark() const override { return 0; }
  void rollback_to(std::size_t) noexcept override {}
  void commit() noexcept override {}
  // Counting updates tables after the row's statement: needs_savepoint.
  Atomicity put_atomicity() const override { return Atomicity::needs_savepoint; }

 private:
  void count(std::string_view group, std::string_view ns, std::int64_t rows) override;
  std::size_t before_insert(std::string_view) override { return 0; }
  void after_insert(std::string_view group, std::size_t ticket, bool added) override;
  void find_miscounts(Connection& connection, std::vector<Miscount>& groups,
                      std::vector<Miscount>& namespaces) const override;

  CountRows& rows_;
};

}  // namespace kvstore::detail
