// SQLite's allocator wrapped so that a fault on `sqlite_malloc` makes sqlite3_malloc (and
// sqlite3_realloc) return NULL, the way SQLite's own malloc-failure tests do it: every allocation
// SQLite makes, for any connection in the process, asks Control::decide() first.
#pragma once

namespace kvfault {

// Shuts SQLite down, installs the wrapper around the allocator it had, and initialises it again.
// Call before any SQLite use in the process (no connection may be open), and before
// install_vfs(). Idempotent; throws std::runtime_error if SQLite refuses.
void install_sqlite_malloc();

}  // namespace kvfault
