// The rows of the namespace count tables of a store on a file (migration 0004): ns_counts (keys
// and groups per namespace) and ns_group_counts (keys per namespaced group). Every statement that
// reads or writes them, with its parameters and columns. Each prepared on its first use, then
// reused. Guarded by the Store's connection lock, like the connection.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/prepared_statement.hpp"

namespace kvstore::detail {

class CountRows {
 public:
  explicit CountRows(SQLite::Database& db);

  struct Totals {
    std::int64_t keys, groups;
  };
  // A namespace's counts; nullopt: no row, the namespace holds nothing.
  std::optional<Totals> namespace_totals(std::string_view ns);

  // Adds `rows` (negative: removes) to a group's count; false if the group has no count yet
  // (nothing changed).
  bool add_to_group(std::string_view group, std::int64_t rows);
  // The first count of a group.
  void insert_group(std::string_view group, std::int64_t rows);
  // Deletes the group's count if it reached 0; returns whether it did.
  bool delete_group_if_empty(std::string_view group);
  // Adds to a namespace's counts (negative: removes); false if the namespace has no counts yet
  // (nothing changed).
  bool add_to_namespace(std::string_view ns, std::int64_t keys, std::int64_t groups);
  // The first counts of a namespace.
  void insert_namespace(std::string_view ns, std::int64_t keys, std::int64_t groups);

 private:
  PreparedStatement namespace_totals_;
  // No RETURNING in the writes: SQLite runs it through a temporary table on every call.
  PreparedStatement add_to_group_;
  PreparedStatement insert_group_;
  PreparedStatement delete_group_if_empty_;
  PreparedStatement add_to_namespace_;
  PreparedStatement insert_namespace_;
};

}  // namespace kvstore::detail
