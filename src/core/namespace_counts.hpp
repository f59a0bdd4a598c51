// The per-namespace row counts that ScopedStore quotas check (a check never scans a namespace).
//
// A store on a file keeps them in the tables of migration 0004, updated in the same transaction
// as the rows they count, so that every connection to the file sees the same numbers. A
// ":memory:" store, which no other connection can open, keeps them in this object instead: that
// spares each write to a namespaced group two table updates (in SQLite, one single-row UPDATE
// costs a namespaced write about 40% of a plain set). In memory, the changes of a write are
// journaled until its top-level transaction commits and reverted if it rolls back, through
// WriteScope. Guarded by the Store's connection lock.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/statements.hpp"

namespace kvstore::detail {

// The namespace of a group: the part before its first ':', or "" for a plain group.
inline std::string_view namespace_of(std::string_view group) {
  const auto colon = group.find(':');
  return colon == std::string_view::npos ? std::string_view() : group.substr(0, colon);
}

// Rows stored in a namespace (expired or not) and its groups holding at least one. Outside the
// class: clang cannot default-construct a nested struct with member initializers until the
// enclosing class is complete.
struct NamespaceUsage {
  std::size_t keys = 0, groups = 0;
};

class NamespaceCounts {
 public:
  using Usage = NamespaceUsage;

  // `in_memory`: count here rather than in the tables (a ":memory:" store).
  NamespaceCounts(Statements& statements, bool in_memory);

  bool in_memory() const { return in_memory_; }
  Usage usage(std::string_view ns);
  // Records that `rows` rows were added to `group` (negative: removed). No-op for plain groups.
  // Caller is inside a WriteScope.
  void count_rows(std::string_view group, std::int64_t rows);

  // The journal of the open transaction (always empty for the tables, which SQLite rolls back).
  std::size_t mark() const { return journal_.size(); }
  // Reverts what was counted after `mark`. Never throws and allocates nothing.
  void rollback_to(std::size_t mark) noexcept;
  // The top-level transaction committed: what it counted stays.
  void commit() { journal_.clear(); }

  // Recounts the rows of kv and appends a line to `problems` per group or namespace whose count
  // differs (a writer that went around kvstore's write paths leaves the tables wrong).
  void add_problems(SQLite::Database& db, std::vector<std::string>& problems) const;

 private:
  // The in-memory counts of one namespace (signed, like the table columns).
  struct Totals {
    std::int64_t keys, groups;
  };
  using GroupKeys = std::map<std::string, std::int64_t, std::less<>>;  // "ns:group" -> rows
  // The state of one group's and its namespace's counts before a change, to restore them. A
  // group count the change erased keeps its node here, so that putting it back allocates nothing
  // (rollback_to runs in destructors).
  struct Undo {
    std::string group;
    std::optional<std::int64_t> group_keys;
    std::optional<Totals> totals;
    GroupKeys::node_type erased;
  };

  void count_in_tables(std::string_view group, std::string_view ns, std::int64_t rows);
  void count_in_memory(std::string_view group, std::string_view ns, std::int64_t rows);

  Statements& statements_;
  const bool in_memory_;
  GroupKeys group_keys_;                                         // in memory
  using TotalsMap = std::map<std::string, Totals, std::less<>>;  // ns -> totals, never erased
  TotalsMap totals_;                                             // in memory
  std::vector<Undo> journal_;
};

}  // namespace kvstore::detail
