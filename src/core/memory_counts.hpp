// The namespace counts of a ":memory:" store, which no other connection can open: kept in this
// object. That spares each write to a namespaced group two table updates (in SQLite, one
// single-row UPDATE costs a namespaced write about 40% of a plain set). The changes of a write
// are journaled until its top-level transaction commits and reverted if it rolls back, through
// WriteScope. Guarded by the Store's connection lock.
#pragma once

#include <functional>
#include <map>
#include <optional>

#include "core/namespace_counts.hpp"

namespace kvstore::detail {

class MemoryCounts final : public NamespaceCounts {
 public:
  Usage usage(std::string_view ns) override;
  // The journal of the open transaction.
  std::size_t mark() const override { return journal_.size(); }
  void rollback_to(std::size_t mark) noexcept override;
  void commit() noexcept override { journal_.clear(); }
  // Counting changes no row: single_statement.
  Atomicity put_atomicity() const override { return Atomicity::single_statement; }

 private:
  // The counts of one namespace (signed, like the table columns).
  struct Totals {
    std::int64_t keys, groups;
  };
  using GroupKeys = std::map<std::string, std::int64_t, std::less<>>;  // "ns:group" -> rows
  using TotalsMap = std::map<std::string, Totals, std::less<>>;        // ns -> totals, never erased
  // The state of one group's and its namespace's counts before a change, to restore them. A
  // group count the change erased keeps its node here, so that putting it back allocates nothing
  // (rollback_to runs in destructors).
  struct Undo {
    std::string group;
    std::optional<std::int64_t> group_keys;
    std::optional<Totals> totals;
    GroupKeys::node_type erased;
  };

  void count(std::string_view group, std::string_view ns, std::int64_t rows) override;
  std::size_t before_insert(std::string_view group) override;
  void after_insert(std::string_view group, std::size_t ticket, bool added) override;
  void find_miscounts(Connection& connection, std::vector<Miscount>& groups,
                      std::vector<Miscount>& namespaces) const override;

  GroupKeys group_keys_;
  TotalsMap totals_;
  std::vector<Undo> journal_;
};

}  // namespace kvstore::detail
