#include "change_log.hpp"

#include <array>
#include <string>

#include "clock.hpp"
#include "kvstore/errors.hpp"

namespace kvstore::detail {
namespace {

// Indexed by EventType; the values migrations/0002_revisions.sql documents for `op`.
constexpr std::array<std::string_view, 4> kOpNames = {"set", "erase", "delete_group", "expire"};

}  // namespace

std::string_view log_op_name(EventType type) { return kOpNames[static_cast<std::size_t>(type)]; }

EventType log_op_type(std::string_view name) {
  for (std::size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == name) return static_cast<EventType>(i);
  }
  throw SchemaError("kvstore: change log: unknown op '" + std::string(name) + "'");
}

std::vector<Event> read_changes_after(Statements& statements, std::uint64_t revision) {
  std::vector<Event> events;
  StatementUse use(statements.changes_after);
  use.integer(1, static_cast<std::int64_t>(revision));
  while (use.step()) {
    events.push_back(Event{log_op_type(use.column_text(1)), std::string(use.column_text(2)),
                           std::string(use.column_text(3)), std::string(use.column_text(5)),
                           from_unix_ms(use.column_int(4)),
                           static_cast<std::uint64_t>(use.column_int(0))});
  }
  return events;
}

std::optional<std::uint64_t> oldest_logged_revision(Statements& statements) {
  StatementUse use(statements.oldest_revision);
  use.step();
  const auto oldest = use.column_int_or_null(0);
  if (!oldest) return std::nullopt;
  return static_cast<std::uint64_t>(*oldest);
}

void require_replayable(Statements& statements, std::uint64_t revision, std::string_view op) {
  const auto oldest = oldest_logged_revision(statements);
  if (oldest && revision + 1 < *oldest) {
    throw Compacted("kvstore: " + std::string(op) + ": revision " + std::to_string(revision) +
                        " is older than the change log holds (oldest " +
                        std::to_string(*oldest) + ")",
                    *oldest);
  }
}

}  // namespace kvstore::detail
