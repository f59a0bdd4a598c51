// The on-disk schema: which version this kvstore writes, the migrations that lead there, and a
// copy of a database file taken before migrating it (docs/schema.md).
#pragma once

#include <string>
#include <vector>

namespace kvstore {

// The schema version (PRAGMA user_version) this kvstore creates and migrates files to. A file of
// a lower version (0: go-store's, or a new empty file) is older: a read_only open reads it as it
// is, a read-write open migrates it (Options::migrate_older_schema). Thread-safe.
int latest_schema_version();

struct SchemaMigration {
  int version;       // the user_version it leaves
  std::string name;  // migrations/NNNN_<name>.sql, e.g. "revisions"
};

// Every migration, in version order 1 .. latest_schema_version(). Thread-safe.
std::vector<SchemaMigration> schema_migrations();

// Copies the database at `path` (with what its WAL holds) to a new file `destination` with
// SQLite's online backup API, reading `path` through a read-only connection: the source is not
// changed. The copy is written to "<destination>.partial" and renamed into place once complete
// and synced, so `destination` either appears whole or not at all.
// Throws InvalidArgument if `destination` already exists (never overwritten); StorageError if
// `path` cannot be read or the copy cannot be written (the partial file is removed). Thread-safe;
// other connections may read and write `path` meanwhile (the copy is a consistent snapshot).
void backup_database(const std::string& path, const std::string& destination);

}  // namespace kvstore
