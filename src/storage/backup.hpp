// A copy of a database file made with SQLite's online backup API (kvstore::backup_database).
#pragma once

#include <string>

#include "util/operation.hpp"

namespace kvstore::detail {

// Copies the database at `path`, read through a read-only connection, to "<destination>.partial",
// then links it to `destination` (which must not exist: never overwritten) and syncs the
// directory. Throws InvalidArgument if `destination` exists, StorageError (naming `op`) if the
// copy fails; the partial file is removed on every failure.
void copy_database(const std::string& path, const std::string& destination, const Operation& op);

}  // namespace kvstore::detail
