#include "storage/change_rows.hpp"

#include <algorithm>
#include <limits>

namespace kvstore::detail {

ChangeRows::ChangeRows(SQLite::Database& db)
    : append_(db, "INSERT INTO changes(op, grp, key, time) VALUES (?1, ?2, ?3, ?4)"),
      delete_(db, "DELETE FROM changes WHERE revision = ?1"),
      latest_(db, "SELECT coalesce(max(revision), 0) FROM changes"),
      oldest_(db, "SELECT min(revision) FROM changes"),
      count_(db, "SELECT count(*) FROM changes"),
      after_(db,
             "SELECT c.revision, c.op, c.grp, c.key, c.time, kv.value "
             "FROM changes AS c LEFT JOIN kv "
             "ON c.op = 'set' AND kv.grp = c.grp AND kv.key = c.key "
             "AND kv.revision = c.revision AND kv.blob_id IS NULL "
             "WHERE c.revision > ?1 ORDER BY c.revision"),
      trim_(db,
            "DELETE FROM changes WHERE revision <= "
            "(SELECT max(revision) FROM changes) - ?1"),
      data_version_(db, "PRAGMA data_version") {}

std::uint64_t ChangeRows::append(std::string_view op, std::string_view group, std::string_view key,
                                 std::int64_t time) {
  delete_.prepare();  // try_delete, the undo of an append, must not fail to compile
  StatementUse use(append_);
  use.text(1, op).text(2, group).text(3, key).integer(4, time).run();
  return static_cast<std::uint64_t>(use.last_insert_rowid());
}

bool ChangeRows::try_delete(std::uint64_t revision) noexcept {
  if (!delete_.try_handle()) return false;  // compiled by append(): cannot happen
  return StatementUse(delete_).integer(1, static_cast<std::int64_t>(revision)).try_run();
}

std::uint64_t ChangeRows::latest() {
  StatementUse use(latest_);
  use.step();
  return static_cast<std::uint64_t>(use.column_int(0));
}

std::optional<std::uint64_t> ChangeRows::oldest() {
  StatementUse use(oldest_);
  use.step();
  const auto oldest = use.column_int_or_null(0);
  if (!oldest) return std::nullopt;
  return static_cast<std::uint64_t>(*oldest);
}

std::uint64_t ChangeRows::count() {
  StatementUse use(count_);
  use.step();
  return static_cast<std::uint64_t>(use.column_int(0));
}

void ChangeRows::read_after(std::uint64_t revision, FunctionRef<void(const Logged&)> visit) {
  StatementUse use(after_);
  use.integer(1, static_cast<std::int64_t>(revision));
  while (use.step()) {
    visit(Logged{static_cast<std::uint64_t>(use.column_int(0)), use.column_text(1),
                 use.column_text(2), use.column_text(3), use.column_int(4),
                 use.column_text_or_null(5)});
  }
}

void ChangeRows::trim(std::size_t kept) {
  // Saturated: a retention past INT64_MAX (SIZE_MAX: "keep everything") would bind as a negative
  // number, and "max(revision) - ?1" would then reach above every revision and delete them all.
  kept = std::min<std::size_t>(kept, std::numeric_limits<std::int64_t>::max());
  StatementUse(trim_).integer(1, static_cast<std::int64_t>(kept)).run();
}

std::int64_t ChangeRows::data_version() {
  StatementUse use(data_version_);
  use.step();
  return use.column_int(0);
}

}  // namespace kvstore::detail
