// A SQLite VFS shim, "kvfault", installed as the default VFS so that every sqlite3_open in the
// process goes through the seam with no change to the code under test. Every VFS and file call
// that reads or changes the disk asks Control::decide() first; the database, WAL and rollback
// journal files are tracked by a SectorJournal, so a power cut can lose what they had not synced.
//
// All reads go through xRead (xFetch hands out no pages), so a read fault cannot be bypassed by
// memory-mapped I/O.
#pragma once

#include <cstdint>

#include "sector_journal.hpp"

namespace kvfault {

// Registers "kvfault", wrapping the default VFS at the time of the first call ("unix"), as the
// new default. Idempotent and thread-safe; throws std::runtime_error if SQLite refuses. Call it
// after install_sqlite_malloc(), whose sqlite3_shutdown() makes "unix" the default again.
void install_vfs();

// How many times the shim has called the real xSync since the process started (for the tests of
// Control::set_real_sync()).
std::uint64_t real_syncs_made();

// The journal of the files the shim tracks (for tests that look at what is unsynced).
const SectorJournal& vfs_journal();

}  // namespace kvfault
