#include "core/change_log.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

#include "kvstore/errors.hpp"
#include "util/unix_time.hpp"

namespace kvstore::detail {
namespace {

// Indexed by EventType; the values migrations/0002_revisions.sql documents for `op`.
constexpr std::array<std::string_view, 4> kOpNames = {"set", "erase", "delete_group", "expire"};

std::uint64_t table_latest(Statements& statements) {
  StatementUse use(statements.latest_revision);
  use.step();
  return static_cast<std::uint64_t>(use.column_int(0));
}

}  // namespace

std::string_view log_op_name(EventType type) { return kOpNames[static_cast<std::size_t>(type)]; }

EventType log_op_type(std::string_view name) {
  for (std::size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == name) return static_cast<EventType>(i);
  }
  throw SchemaError("kvstore: change log: unknown op '" + std::string(name) + "'");
}

ChangeLog::ChangeLog(Statements& statements, bool in_memory)
    : statements_(statements), in_memory_(in_memory) {
  if (in_memory_) latest_ = table_latest(statements_);
}

std::uint64_t ChangeLog::append(EventType type, std::string_view group, std::string_view key,
                                std::int64_t now) {
  if (in_memory_) {
    entries_.push_back({latest_ + 1, type, std::string(group), std::string(key), now});
    return ++latest_;
  }
  StatementUse use(statements_.log_change);
  use.text(1, log_op_name(type)).text(2, group).text(3, key).integer(4, now).run();
  return static_cast<std::uint64_t>(use.last_insert_rowid());
}

bool ChangeLog::undo_append(std::uint64_t revision) noexcept {
  if (in_memory_) {
    rollback_to(revision - 1);
    return true;
  }
  return StatementUse(statements_.delete_change)
      .integer(1, static_cast<std::int64_t>(revision))
      .try_run();
}

std::uint64_t ChangeLog::latest() { return in_memory_ ? latest_ : table_latest(statements_); }

std::optional<std::uint64_t> ChangeLog::oldest() {
  if (in_memory_) {
    if (entries_.empty()) return std::nullopt;
    return entries_.front().revision;
  }
  StatementUse use(statements_.oldest_revision);
  use.step();
  const auto oldest = use.column_int_or_null(0);
  if (!oldest) return std::nullopt;
  return static_cast<std::uint64_t>(*oldest);
}

std::uint64_t ChangeLog::size() {
  if (in_memory_) return entries_.size();
  StatementUse use(statements_.count_changes);
  use.step();
  return static_cast<std::uint64_t>(use.column_int(0));
}

std::string ChangeLog::current_value(std::string_view group, std::string_view key) {
  StatementUse use(statements_.select_row);
  if (!use.text(1, group).text(2, key).step()) return {};
  return std::string(use.column_text(0));
}

std::vector<Event> ChangeLog::read_after(std::uint64_t revision) {
  std::vector<Event> events;
  if (in_memory_) {
    const auto first =
        std::upper_bound(entries_.begin(), entries_.end(), revision,
                         [](std::uint64_t r, const Entry& entry) { return r < entry.revision; });
    for (auto entry = first; entry != entries_.end(); ++entry) {
      events.push_back(Event{
          entry->type, entry->group, entry->key,
          entry->type == EventType::set ? current_value(entry->group, entry->key) : std::string(),
          from_unix_ms(entry->time), entry->revision});
    }
    return events;
  }
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

std::vector<Event> ChangeLog::replay_after(std::uint64_t revision, const Operation& op) {
  if (const auto last = latest(); revision > last) {
    throw InvalidArgument(op.message("revision " + std::to_string(revision) +
                                     " is after the latest revision " + std::to_string(last)));
  }
  auto events = read_after(revision);
  // Judged from the rows read, in their snapshot (another connection may trim the log between two
  // statements): revisions are consecutive, so a first one past revision + 1 means a trim. The
  // newest entry is never trimmed, so a revision below it always reads at least that one.
  // Compared as "first - 1 > revision", never "revision + 1 < first": revision may be UINT64_MAX.
  if (!events.empty() && events.front().revision - 1 > revision) {
    const auto first = events.front().revision;
    throw Compacted(
        op.message("revision " + std::to_string(revision) +
                   " is older than the change log holds (oldest " + std::to_string(first) + ")"),
        first);
  }
  return events;
}

void ChangeLog::trim(std::size_t retention) {
  retention = std::max<std::size_t>(retention, 1);
  if (in_memory_) {
    while (entries_.size() > retention) entries_.pop_front();
    return;
  }
  // Saturated: a retention past INT64_MAX (SIZE_MAX: "keep everything") would bind as a negative
  // number, and "max(revision) - ?1" would then reach above every revision and delete them all.
  const auto kept = std::min<std::size_t>(retention, std::numeric_limits<std::int64_t>::max());
  StatementUse(statements_.trim_changes).integer(1, static_cast<std::int64_t>(kept)).run();
}

void ChangeLog::rollback_to(std::uint64_t mark) {
  if (!in_memory_ || mark >= latest_) return;
  while (!entries_.empty() && entries_.back().revision > mark) entries_.pop_back();
  latest_ = mark;
}

}  // namespace kvstore::detail
