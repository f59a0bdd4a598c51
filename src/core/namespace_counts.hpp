// The per-namespace row counts that ScopedStore quotas check (a check never scans a namespace).
//
// Two backends, chosen when the store opens (core/backends.hpp): TableCounts keeps them in the
// tables of migration 0004, MemoryCounts in memory. Guarded by the Store's connection lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/atomicity.hpp"
#include "storage/connection.hpp"
#include "storage/inspection.hpp"

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

  virtual ~NamespaceCounts() = default;
  NamespaceCounts(const NamespaceCounts&) = delete;
  NamespaceCounts& operator=(const NamespaceCounts&) = delete;

  virtual Usage usage(std::string_view ns) = 0;
  // Records that `rows` rows were added to `group` (negative: removed). No-op for plain groups.
  // Caller is inside a WriteScope.
  void count_rows(std::string_view group, std::int64_t rows);
  // Runs `insert`, the statement that adds a row to namespaced `group` unless the row exists
  // (returns whether it added one), and counts the row it added. Returns what `insert` returned.
  // Caller is inside a WriteScope.
  template <class Insert>
  bool count_insert(std::string_view group, Insert&& insert) {
    const auto ticket = before_insert(group);
    const bool added = insert();
    after_insert(group, ticket, added);
    return added;
  }

  // What the open transaction counted that the database does not roll back: mark() before a
  // write, rollback_to(mark) reverts what it counted if it rolls back (never throws and
  // allocates nothing: it runs in destructors), commit() when the top-level transaction
  // committed.
  virtual std::size_t mark() const = 0;
  virtual void rollback_to(std::size_t mark) noexcept = 0;
  virtual void commit() noexcept = 0;

  // What counting a put's new row adds to what the put's write needs.
  virtual Atomicity put_atomicity() const = 0;

  // Recounts the rows of kv and appends a line to `problems` per group or namespace whose count
  // differs (a writer that went around kvstore's write paths leaves the tables wrong).
  void add_problems(Connection& connection, std::vector<std::string>& problems) const;

 protected:
  NamespaceCounts() = default;

  // count_rows for a namespaced group and rows != 0.
  virtual void count(std::string_view group, std::string_view ns, std::int64_t rows) = 0;
  // count_insert's steps, around `insert`: the ticket goes from the first to the second.
  virtual std::size_t before_insert(std::string_view group) = 0;
  virtual void after_insert(std::string_view group, std::size_t ticket, bool added) = 0;
  // add_problems' findings (for a group, both `groups` are 0).
  virtual void find_miscounts(Connection& connection, std::vector<Miscount>& groups,
                              std::vector<Miscount>& namespaces) const = 0;
};

}  // namespace kvstore::detail
