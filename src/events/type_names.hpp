// EventType's two spellings, kept in one table (type_names.cpp): the public name (to_string,
// JSON, the CLI's watch) and the value the change log's `op` column stores
// (migrations/0002_revisions.sql). They differ for erase only: "delete" in public, as go-store
// names it, and "erase" in the log, which files already hold.
#pragma once

#include <string_view>

#include "kvstore/events.hpp"

namespace kvstore::detail {

// The `op` column's value for an event type that is logged (every type but `gap`).
std::string_view log_op_name(EventType type);
// The event type of an `op` value; throws SchemaError for one no kvstore writes.
EventType log_op_type(std::string_view name);

}  // namespace kvstore::detail
