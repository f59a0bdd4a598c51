// The seam under the value files: kvstore's FileSystem (src/storage/file_system.hpp) wrapped so
// that every call asks Control::decide() first (fs_* calls: a fault makes it throw
// std::system_error with the errno of the SQLite code, ENOSPC for SQLITE_FULL, EIO otherwise), and
// so that a power cut loses what was not made durable:
// - file contents through a SectorJournal (written bytes are durable once the file is synced);
// - directory entries: a file (or directory) created, or a file removed, since the last sync of
//   its directory may come back or vanish at a cut (drop: every such change is lost; tear: each
//   one independently). A removed file is kept aside (hard link) until its directory is synced,
//   so that a lost removal brings it back with its bytes.
//
// install_file_system() makes it the file system of every Store opened afterwards in the process.
#pragma once

namespace kvfault {

// Idempotent. Call before opening the Stores under test.
void install_file_system();

}  // namespace kvfault
