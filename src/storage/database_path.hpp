// The path of a database file before SQLite opens it: the directories above it, created when
// Options::create_parent_directories allows, and the reasons a path cannot be opened that SQLite
// reports only as "unable to open database file" (a missing directory, a file in the way, a
// missing file for read_only), told by name.
//
// Thread-safety: none needed; several Stores (in one process or several) may prepare the same
// path at once: a directory another one just created counts as existing.
#pragma once

#include <string>

#include "kvstore/options.hpp"

namespace kvstore::detail {

// Makes sure the file database at `path` (not ":memory:") can be opened as `options` ask:
//  - read_only: the file must exist. Creates nothing.
//  - otherwise: the directory above `path` must exist; with create_parent_directories the
//    missing ones are created (0777 less the umask), each synced into its parent, through
//    file_system() (the test seam); a failed open removes the ones it created.
// Throws StorageError (SQLITE_CANTOPEN; SQLITE_FULL when the disk is full, SQLITE_IOERR_DIR_FSYNC
// when a new directory cannot be synced) whose message names the path and what is missing or in
// the way. A path it finds openable is left to SQLite, which reports any other failure.
void prepare_database_path(const std::string& path, const Options& options);

}  // namespace kvstore::detail
