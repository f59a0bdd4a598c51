// Reading a database of an older schema (go-store's, or an earlier kvstore's) without changing it:
// a read-only open shadows its tables with TEMP views and tables of the current shape.
#pragma once

#include <SQLiteCpp/Database.h>

namespace kvstore::detail {

// Creates, in the connection's TEMP schema (never in the file), a view or an empty table for each
// table of the current schema the database lacks or holds in an older shape, so that every
// statement of this kvstore reads it: unqualified names find TEMP objects first. A column an
// older schema lacks reads as the value its migration would have given (no expiry, revision 0,
// no tag, no streamed value); the change log is empty (no revisions); the namespace counts are
// computed from `kv`. Throws SchemaError if `kv` lacks grp, key or value (not a kvstore or
// go-store database). Called on a read-only connection only: a read-write open migrates instead.
void map_older_schema(SQLite::Database& db);

}  // namespace kvstore::detail
