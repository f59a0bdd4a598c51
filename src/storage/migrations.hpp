// Schema migrations: migrations/NNNN_name.sql, embedded at build time, tracked in
// PRAGMA user_version.
#pragma once

#include <SQLiteCpp/Database.h>

#include "storage/connection.hpp"
#include "storage/embedded_migrations.hpp"

namespace kvstore::detail {

// The version the newest embedded migration produces.
int latest_schema_version();

// Throws SchemaError, reading nothing but the header, if the database comes from a newer kvstore.
void refuse_newer_schema(SQLite::Database& db);

// Applies the pending migrations in order, each in its own IMMEDIATE transaction (a crash leaves
// the previous version intact; concurrent openers apply each migration once). A go-store
// database is adopted with every row kept. Throws SchemaError for a database from a newer
// kvstore (refuse_newer_schema runs first, before anything touches the file) or a `kv` table of
// unknown shape (its rows untouched; the file is already in WAL mode by then).
void migrate(SQLite::Database& db);

// What an open does before any statement that names a table is run: a read-write open refuses
// a newer schema, switches a file to WAL, then creates the schema of an empty database at once
// (create_fresh_schema; a ":memory:" database, always new, loads the image instead:
// load_fresh_image) or migrates any other that is not up to date, unless `migrate_older` is
// false: then an older schema throws SchemaError naming the file, before anything is written. A
// read-only open refuses a newer schema and reads an older one as it is (map_older_schema). An
// up-to-date database costs one read of its version (and the WAL switch, a no-op for a file
// already in WAL mode).
void bring_schema_up_to_date(Connection& connection, bool migrate_older);

}  // namespace kvstore::detail
