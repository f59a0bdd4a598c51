#include "namespace_counts.hpp"

namespace kvstore::detail {

void count_rows(Statements& statements, std::string_view group, std::int64_t rows) {
  const auto ns = namespace_of(group);
  if (ns.empty() || rows == 0) return;
  std::int64_t group_rows;
  {
    StatementUse use(statements.add_group_count);
    use.text(1, group).integer(2, rows).step();
    group_rows = use.column_int(0);
  }
  std::int64_t groups_added = 0;
  if (group_rows <= 0) {
    StatementUse(statements.delete_group_count).text(1, group).run();
    groups_added = -1;
  } else if (group_rows == rows) {  // the group's count row was just created
    groups_added = 1;
  }
  StatementUse(statements.add_namespace_count).text(1, ns).integer(2, rows).integer(3, groups_added).run();
}

}  // namespace kvstore::detail
