// The fault tests' own main: the seam must be in place before Catch2 or any test touches SQLite.
// The allocator first (its sqlite3_shutdown() would make "unix" the default VFS again), then the
// VFS shim as the new default, then the value files' file system.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <exception>

#include "fault_file_system.hpp"
#include "fault_vfs.hpp"
#include "sqlite_malloc_faults.hpp"

int main(int argc, char* argv[]) {
  try {
    kvfault::install_sqlite_malloc();
    kvfault::install_vfs();
    kvfault::install_file_system();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "cannot install the fault seam: %s\n", error.what());
    return 1;
  }
  return Catch::Session().run(argc, argv);
}
