// The change log (table `changes`): one row per committed mutation, keyed by revision.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kvstore/events.hpp"
#include "statements.hpp"

namespace kvstore::detail {

// The op column's value for an event type, and back.
std::string_view log_op_name(EventType type);
EventType log_op_type(std::string_view name);

// The logged changes after `revision`, oldest first; `set` events carry the key's current value.
std::vector<Event> read_changes_after(Statements& statements, std::uint64_t revision);

// The oldest revision still logged, or nullopt when the log is empty.
std::optional<std::uint64_t> oldest_logged_revision(Statements& statements);

// Throws Compacted if changes after `revision` were trimmed away (a replay would have a gap).
void require_replayable(Statements& statements, std::uint64_t revision, std::string_view op);

}  // namespace kvstore::detail
