#include "sqlite_malloc_faults.hpp"

#include <sqlite3.h>

#include <mutex>
#include <stdexcept>
#include <string>

#include "fault_control.hpp"

namespace kvfault {
namespace {

sqlite3_mem_methods real_methods{};

bool allocation_fails() { return Control::get().decide(sqlite_malloc) != 0; }

void* faulty_malloc(int size) { return allocation_fails() ? nullptr : real_methods.xMalloc(size); }

// A failed realloc leaves the old block alone, as SQLite expects of a real allocator.
void* faulty_realloc(void* block, int size) {
  return allocation_fails() ? nullptr : real_methods.xRealloc(block, size);
}

void real_free(void* block) { real_methods.xFree(block); }
int real_size(void* block) { return real_methods.xSize(block); }
int real_roundup(int size) { return real_methods.xRoundup(size); }
int real_init(void* app_data) { return real_methods.xInit(app_data); }
void real_shutdown(void* app_data) { real_methods.xShutdown(app_data); }

void check(int rc, const char* call) {
  if (rc != SQLITE_OK) {
    throw std::runtime_error(std::string("kvfault: ") + call + ": " + sqlite3_errstr(rc));
  }
}

void wrap_allocator() {
  // SQLite accepts a new allocator only while it is not initialised.
  check(sqlite3_shutdown(), "sqlite3_shutdown");
  check(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_methods), "SQLITE_CONFIG_GETMALLOC");
  sqlite3_mem_methods wrapped = real_methods;  // pAppData goes to xInit/xShutdown unchanged
  wrapped.xMalloc = faulty_malloc;
  wrapped.xFree = real_free;
  wrapped.xRealloc = faulty_realloc;
  wrapped.xSize = real_size;
  wrapped.xRoundup = real_roundup;
  wrapped.xInit = real_init;
  wrapped.xShutdown = real_shutdown;
  check(sqlite3_config(SQLITE_CONFIG_MALLOC, &wrapped), "SQLITE_CONFIG_MALLOC");
  check(sqlite3_initialize(), "sqlite3_initialize");
}

}  // namespace

void install_sqlite_malloc() {
  static std::once_flag once;
  std::call_once(once, wrap_allocator);
}

}  // namespace kvfault
