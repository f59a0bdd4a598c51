#include "core/table_counts.hpp"

namespace kvstore::detail {

NamespaceCounts::Usage TableCounts::usage(std::string_view ns) {
  const auto totals = rows_.namespace_totals(ns);
  if (!totals) return {};
  return {static_cast<std::size_t>(totals->keys), static_cast<std::size_t>(totals->groups)};
}

void TableCounts::count(std::string_view group, std::string_view ns, std::int64_t rows) {
  std::int64_t groups_added = 0;
  if (!rows_.add_to_group(group, rows)) {
    if (rows > 0) {
      rows_.insert_group(group, rows);
      groups_added = 1;
    }
  } else if (rows < 0 && rows_.delete_group_if_empty(group)) {
    groups_added = -1;
  }
  if (!rows_.add_to_namespace(ns, rows, groups_added)) {
    rows_.insert_namespace(ns, rows, groups_added);
  }
}

// The tables count after the insert: their write runs in a transaction or savepoint.
void TableCounts::after_insert(std::string_view group, std::size_t, bool added) {
  if (added) count_rows(group, 1);
}

void TableCounts::find_miscounts(Connection& connection, std::vector<Miscount>& groups,
                                 std::vector<Miscount>& namespaces) const {
  groups = miscounted_groups(connection);
  namespaces = miscounted_namespaces(connection);
}

}  // namespace kvstore::detail
