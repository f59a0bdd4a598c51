// Reading a database of an older schema (go-store's, or an earlier kvstore's) without changing it:
// a read-only open shadows its tables with TEMP views and tables of the current shape.
#pragma once

#include <SQLiteCpp/Database.h>

#include <span>

namespace kvstore::detail {

struct SchemaColumn {
  const char* name;
  const char* fill;  // SQL for its value in a table of an older shape that lacks it; nullptr: none
};

struct SchemaTable {
  const char* name;
  std::span<const SchemaColumn> columns;
  // When the database has no such table: a SELECT of what it holds (the counts are derived from
  // kv, so that check() finds them right), or nullptr for an empty table (no revisions, no
  // streamed values).
  const char* absent;
};

// The tables and columns this kvstore relies on, kv first: what map_older_schema() provides and
// Store::check() looks for.
std::span<const SchemaTable> current_schema_tables();

// Creates, in the connection's TEMP schema (never in the file), a view or an empty table for each
// table of the current schema the database lacks or holds in an older shape, so that every
// statement of this kvstore reads it: unqualified names find TEMP objects first. A column an
// older schema lacks reads as the value its migration would have given (no expiry, revision 0,
// no tag, no streamed value); the change log is empty (no revisions); the namespace counts are
// computed from `kv`. Throws SchemaError if `kv` lacks grp, key or value (not a kvstore or
// go-store database). Called on a read-only connection only: a read-write open migrates instead.
void map_older_schema(SQLite::Database& db);

}  // namespace kvstore::detail
