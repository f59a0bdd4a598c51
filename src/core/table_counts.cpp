#include "core/table_counts.hpp"

#include <SQLiteCpp/Statement.h>

#include <utility>

namespace kvstore::detail {
namespace {

// Recounts compared with the tables. A row counting zero is as good as no row (emptied
// namespaces keep theirs). Columns: name, holds keys, holds groups, counted keys, counted groups.
std::string miscounted_groups(const char* group_keys) {
  return std::string("WITH actual AS (") + group_keys + R"()
  SELECT coalesce(a.grp, c.grp), coalesce(a.keys, 0), 0, coalesce(c.keys, 0), 0
  FROM actual a FULL JOIN ns_group_counts c ON a.grp = c.grp
  WHERE coalesce(a.keys, 0) != coalesce(c.keys, 0))";
}
std::string miscounted_namespaces(const char* group_keys) {
  return std::string("WITH grp_keys AS (") + group_keys + R"(),
  actual AS (SELECT CAST(substr(CAST(grp AS BLOB), 1, instr(CAST(grp AS BLOB), X'3A') - 1)
                         AS TEXT) AS ns, sum(keys) AS keys, count(*) AS groups
             FROM grp_keys GROUP BY 1)
  SELECT coalesce(a.ns, c.ns), coalesce(a.keys, 0), coalesce(a.groups, 0), coalesce(c.keys, 0),
         coalesce(c.groups, 0)
  FROM actual a FULL JOIN ns_counts c ON a.ns = c.ns
  WHERE coalesce(a.keys, 0) != coalesce(c.keys, 0) OR coalesce(a.groups, 0) != coalesce(c.groups, 0))";
}

}  // namespace

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

void TableCounts::find_miscounts(SQLite::Database& db, std::vector<Miscount>& groups,
                                 std::vector<Miscount>& namespaces) const {
  for (auto [query_text, out] : {std::pair{miscounted_groups(kGroupKeys), &groups},
                                 std::pair{miscounted_namespaces(kGroupKeys), &namespaces}}) {
    SQLite::Statement query(db, query_text);
    while (query.executeStep()) {
      out->push_back({query.getColumn(0).getString(), query.getColumn(1).getInt64(),
                      query.getColumn(2).getInt64(), query.getColumn(3).getInt64(),
                      query.getColumn(4).getInt64()});
    }
  }
}

}  // namespace kvstore::detail
