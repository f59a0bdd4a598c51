#include "namespace_counts.hpp"

namespace kvstore::detail {

void count_rows(Statements& statements, std::string_view group, std::int64_t rows) {
  const auto ns = namespace_of(group);
  if (ns.empty() || rows == 0) return;
  std::int64_t groups_added = 0;
  if (StatementUse(statements.add_group_count).text(1, group).integer(2, rows).run() == 0) {
    if (rows > 0) {
      StatementUse(statements.insert_group_count).text(1, group).integer(2, rows).run();
      groups_added = 1;
    }
  } else if (rows < 0 &&
             StatementUse(statements.delete_empty_group_count).text(1, group).run() > 0) {
    groups_added = -1;
  }
  if (StatementUse(statements.add_namespace_count)
          .text(1, ns)
          .integer(2, rows)
          .integer(3, groups_added)
          .run() == 0) {
    StatementUse(statements.insert_namespace_count)
        .text(1, ns)
        .integer(2, rows)
        .integer(3, groups_added)
        .run();
  }
}

}  // namespace kvstore::detail
