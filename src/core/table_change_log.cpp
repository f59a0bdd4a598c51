#include "core/table_change_log.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "util/unix_time.hpp"

namespace kvstore::detail {

std::uint64_t TableChangeLog::append(EventType type, std::string_view group, std::string_view key,
                                     std::int64_t now) {
  StatementUse use(statements_.log_change);
  use.text(1, log_op_name(type)).text(2, group).text(3, key).integer(4, now).run();
  return static_cast<std::uint64_t>(use.last_insert_rowid());
}

bool TableChangeLog::undo_append(std::uint64_t revision) noexcept {
  return StatementUse(statements_.delete_change)
      .integer(1, static_cast<std::int64_t>(revision))
      .try_run();
}

std::uint64_t TableChangeLog::latest() {
  StatementUse use(statements_.latest_revision);
  use.step();
  return static_cast<std::uint64_t>(use.column_int(0));
}

std::optional<std::uint64_t> TableChangeLog::oldest() {
  StatementUse use(statements_.oldest_revision);
  use.step();
  const auto oldest = use.column_int_or_null(0);
  if (!oldest) return std::nullopt;
  return static_cast<std::uint64_t>(*oldest);
}

std::uint64_t TableChangeLog::size() {
  StatementUse use(statements_.count_changes);
  use.step();
  return static_cast<std::uint64_t>(use.column_int(0));
}

std::vector<Event> TableChangeLog::read_after(std::uint64_t revision) {
  std::vector<Event> events;
  StatementUse use(statements_.changes_after);
  use.integer(1, static_cast<std::int64_t>(revision));
  while (use.step()) {
    events.push_back(Event{log_op_type(use.column_text(1)), std::string(use.column_text(2)),
                           std::string(use.column_text(3)), std::string(use.column_text(5)),
                           from_unix_ms(use.column_int(4)),
                           static_cast<std::uint64_t>(use.column_int(0))});
  }
  return events;
}

void TableChangeLog::keep_newest(std::size_t kept) {
  // Saturated: a retention past INT64_MAX (SIZE_MAX: "keep everything") would bind as a negative
  // number, and "max(revision) - ?1" would then reach above every revision and delete them all.
  kept = std::min<std::size_t>(kept, std::numeric_limits<std::int64_t>::max());
  StatementUse(statements_.trim_changes).integer(1, static_cast<std::int64_t>(kept)).run();
}

}  // namespace kvstore::detail
