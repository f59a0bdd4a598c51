#include "storage/count_rows.hpp"

namespace kvstore::detail {

CountRows::CountRows(SQLite::Database& db)
    : namespace_totals_(db, "SELECT keys, groups FROM ns_counts WHERE ns = ?1"),
      add_to_group_(db, "UPDATE ns_group_counts SET keys = keys + ?2 WHERE grp = ?1"),
      insert_group_(db, "INSERT INTO ns_group_counts(grp, keys) VALUES (?1, ?2)"),
      delete_group_if_empty_(db, "DELETE FROM ns_group_counts WHERE grp = ?1 AND keys <= 0"),
      add_to_namespace_(db,
                        "UPDATE ns_counts SET keys = keys + ?2, groups = groups + ?3 "
                        "WHERE ns = ?1"),
      insert_namespace_(db, "INSERT INTO ns_counts(ns, keys, groups) VALUES (?1, ?2, ?3)") {}

std::optional<CountRows::Totals> CountRows::namespace_totals(std::string_view ns) {
  StatementUse use(namespace_totals_);
  if (!use.text(1, ns).step()) return std::nullopt;
  return Totals{use.column_int(0), use.column_int(1)};
}

bool CountRows::add_to_group(std::string_view group, std::int64_t rows) {
  return StatementUse(add_to_group_).text(1, group).integer(2, rows).run() > 0;
}

void CountRows::insert_group(std::string_view group, std::int64_t rows) {
  StatementUse(insert_group_).text(1, group).integer(2, rows).run();
}

bool CountRows::delete_group_if_empty(std::string_view group) {
  return StatementUse(delete_group_if_empty_).text(1, group).run() > 0;
}

bool CountRows::add_to_namespace(std::string_view ns, std::int64_t keys, std::int64_t groups) {
  return StatementUse(add_to_namespace_).text(1, ns).integer(2, keys).integer(3, groups).run() > 0;
}

void CountRows::insert_namespace(std::string_view ns, std::int64_t keys, std::int64_t groups) {
  StatementUse(insert_namespace_).text(1, ns).integer(2, keys).integer(3, groups).run();
}

}  // namespace kvstore::detail
