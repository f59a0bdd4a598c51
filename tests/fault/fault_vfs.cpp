#include "fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "fault_control.hpp"

namespace kvfault {
namespace {

// SQLite allocates szOsFile bytes per open file and hands them to xOpen: the shim's state comes
// first (so SQLite sees a sqlite3_file), the wrapped VFS's file right after it.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  SectorJournal::FileRef tracked;  // null for files a power cut does not concern
};
static_assert(std::is_standard_layout_v<ShimFile>, "a ShimFile* must be its sqlite3_file*");

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs{};
std::atomic<std::uint64_t> real_syncs{0};

SectorJournal& journal() {
  static SectorJournal instance;
  return instance;
}

ShimFile& shim(sqlite3_file* file) { return *reinterpret_cast<ShimFile*>(file); }

sqlite3_file* real(sqlite3_file* file) { return shim(file).real; }

int ask(Call call) { return Control::get().decide(call); }

// Runs the seam's own bookkeeping inside a C callback: its allocations are neither counted nor
// failed, and no exception may cross into SQLite. Returns `failure` when `work` says it failed.
template <class Work>
int bookkeeping(Work&& work, int failure) noexcept {
  const PauseAllocationCounting pause;
  try {
    return std::forward<Work>(work)() ? SQLITE_OK : failure;
  } catch (const std::bad_alloc&) {
    return SQLITE_IOERR_NOMEM;
  } catch (...) {
    return failure;
  }
}

// The journal reads a sector's durable content through the real file, before the shim lets a
// write or truncate change it.
SectorJournal::Reader reader_of(sqlite3_file* real_file) {
  return [real_file](std::int64_t offset, std::span<char> out) {
    const int rc =
        real_file->pMethods->xRead(real_file, out.data(), static_cast<int>(out.size()), offset);
    return rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ;
  };
}

// --- sqlite3_io_methods ----------------------------------------------------------------------

// Always closes the real file, also after a power cut: no descriptor may leak.
int shim_close(sqlite3_file* file) {
  ShimFile& self = shim(file);
  const int rc = self.real->pMethods->xClose(self.real);
  const PauseAllocationCounting pause;
  self.~ShimFile();
  return rc;
}

int shim_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  if (const int rc = ask(vfs_read)) return rc;
  return real(file)->pMethods->xRead(real(file), out, amount, offset);
}

int shim_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  if (const int rc = ask(vfs_write)) return rc;
  ShimFile& self = shim(file);
  if (self.tracked) {
    const int rc = bookkeeping(
        [&] { return journal().before_write(*self.tracked, offset, amount, reader_of(self.real)); },
        SQLITE_IOERR_WRITE);
    if (rc != SQLITE_OK) return rc;
  }
  return self.real->pMethods->xWrite(self.real, data, amount, offset);
}

int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (const int rc = ask(vfs_truncate)) return rc;
  ShimFile& self = shim(file);
  if (self.tracked) {
    sqlite3_int64 size_now = 0;
    if (const int rc = self.real->pMethods->xFileSize(self.real, &size_now)) return rc;
    const int rc = bookkeeping(
        [&] {
          return journal().before_truncate(*self.tracked, size, size_now, reader_of(self.real));
        },
        SQLITE_IOERR_TRUNCATE);
    if (rc != SQLITE_OK) return rc;
  }
  return self.real->pMethods->xTruncate(self.real, size);
}

// A sync point for the journal even when the real sync is skipped (real_sync() off): durability
// is then simulated by the journal alone.
int shim_sync(sqlite3_file* file, int flags) {
  if (const int rc = ask(vfs_sync)) return rc;
  ShimFile& self = shim(file);
  if (Control::get().real_sync()) {
    real_syncs.fetch_add(1);
    if (const int rc = self.real->pMethods->xSync(self.real, flags)) return rc;
  }
  if (self.tracked) {
    sqlite3_int64 size_now = 0;
    if (const int rc = self.real->pMethods->xFileSize(self.real, &size_now)) return rc;
    journal().synced(*self.tracked, size_now);
  }
  return SQLITE_OK;
}

int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
  if (const int rc = ask(vfs_file_size)) return rc;
  return real(file)->pMethods->xFileSize(real(file), size);
}

int shim_lock(sqlite3_file* file, int level) {
  if (const int rc = ask(vfs_lock)) return rc;
  return real(file)->pMethods->xLock(real(file), level);
}

// After a power cut an unlock still happens: it changes no data, and the process is winding
// down (a real kernel would drop the locks with the process anyway).
int shim_unlock(sqlite3_file* file, int level) {
  if (const int rc = ask(vfs_unlock); rc != SQLITE_OK && !Control::get().power_is_cut()) {
    return rc;
  }
  return real(file)->pMethods->xUnlock(real(file), level);
}

int shim_check_reserved_lock(sqlite3_file* file, int* reserved) {
  if (const int rc = ask(vfs_check_reserved_lock)) {
    *reserved = 0;
    return rc;
  }
  return real(file)->pMethods->xCheckReservedLock(real(file), reserved);
}

int shim_file_control(sqlite3_file* file, int op, void* arg) {
  // The VFS a file belongs to is the shim, not the VFS it wraps.
  if (op == SQLITE_FCNTL_VFS_POINTER) {
    *static_cast<sqlite3_vfs**>(arg) = &shim_vfs;
    return SQLITE_OK;
  }
  // A size hint grows the file: after a power cut nothing reaches the disk.
  if (op == SQLITE_FCNTL_SIZE_HINT && Control::get().power_is_cut()) return SQLITE_IOERR;
  return real(file)->pMethods->xFileControl(real(file), op, arg);
}

int shim_sector_size(sqlite3_file* file) { return real(file)->pMethods->xSectorSize(real(file)); }

int shim_device_characteristics(sqlite3_file* file) {
  return real(file)->pMethods->xDeviceCharacteristics(real(file));
}

int shim_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  if (const int rc = ask(vfs_shm_map)) {
    *out = nullptr;
    return rc;
  }
  return real(file)->pMethods->xShmMap(real(file), page, page_size, extend, out);
}

// Like xUnlock, releasing a wal-index lock still happens after a power cut.
int shim_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  if (const int rc = ask(vfs_shm_lock); rc != SQLITE_OK) {
    if (!(Control::get().power_is_cut() && (flags & SQLITE_SHM_UNLOCK))) return rc;
  }
  return real(file)->pMethods->xShmLock(real(file), offset, n, flags);
}

void shim_shm_barrier(sqlite3_file* file) { real(file)->pMethods->xShmBarrier(real(file)); }

// After a power cut the -shm file is kept: a dead process would not have deleted it. SQLite
// rebuilds the wal-index when the first connection opens the database again.
int shim_shm_unmap(sqlite3_file* file, int delete_flag) {
  const int flag = Control::get().power_is_cut() ? 0 : delete_flag;
  return real(file)->pMethods->xShmUnmap(real(file), flag);
}

// No memory-mapped pages: every read goes through xRead, where faults and counts apply.
int shim_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}

// Only ever called with no page (the shim hands none out): lets the real file drop its mapping.
int shim_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return real(file)->pMethods->xUnfetch(real(file), offset, page);
}

constexpr sqlite3_io_methods methods_of_version(int version) {
  return {version,
          shim_close,
          shim_read,
          shim_write,
          shim_truncate,
          shim_sync,
          shim_file_size,
          shim_lock,
          shim_unlock,
          shim_check_reserved_lock,
          shim_file_control,
          shim_sector_size,
          shim_device_characteristics,
          shim_shm_map,
          shim_shm_lock,
          shim_shm_barrier,
          shim_shm_unmap,
          shim_fetch,
          shim_unfetch};
}

// Each file gets the table of the version its real file offers, so SQLite never calls a method
// the wrapped file lacks.
constexpr sqlite3_io_methods methods_v1 = methods_of_version(1);
constexpr sqlite3_io_methods methods_v2 = methods_of_version(2);
constexpr sqlite3_io_methods methods_v3 = methods_of_version(3);

const sqlite3_io_methods* methods_for(const sqlite3_file* real_file) {
  const sqlite3_io_methods* methods = real_file->pMethods;
  if (methods->iVersion >= 3 && methods->xFetch && methods->xUnfetch) return &methods_v3;
  if (methods->iVersion >= 2 && methods->xShmMap) return &methods_v2;
  return &methods_v1;
}

// --- sqlite3_vfs -----------------------------------------------------------------------------

// What a power cut can lose: the files whose content SQLite relies on after a crash. Temporary
// files, statement journals and the -shm file are rebuilt or discarded anyway.
bool is_durable_kind(const char* name, int flags) {
  return name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL));
}

int shim_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  file->pMethods = nullptr;  // SQLite calls xClose only on files whose xOpen set pMethods
  if (const int rc = ask(vfs_open)) return rc;

  auto* real_file =
      reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(ShimFile));
  real_file->pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, real_file, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (real_file->pMethods) real_file->pMethods->xClose(real_file);
    return rc;
  }

  SectorJournal::FileRef tracked;
  if (is_durable_kind(name, flags)) {
    sqlite3_int64 size_now = 0;
    int tracked_rc = real_file->pMethods->xFileSize(real_file, &size_now);
    if (tracked_rc == SQLITE_OK) {
      tracked_rc = bookkeeping(
          [&] {
            tracked = journal().open(name, size_now);
            return true;
          },
          SQLITE_IOERR_NOMEM);
    }
    if (tracked_rc != SQLITE_OK) {
      real_file->pMethods->xClose(real_file);
      return tracked_rc;
    }
  }
  // SQLite owns the memory; the shim's state lives in it until shim_close destroys it.
  ::new (static_cast<void*>(file))
      ShimFile{{methods_for(real_file)}, real_file, std::move(tracked)};
  return SQLITE_OK;
}

int shim_delete(sqlite3_vfs*, const char* name, int sync_directory) {
  if (const int rc = ask(vfs_delete)) return rc;
  const int rc = real_vfs->xDelete(real_vfs, name, sync_directory);
  if (rc == SQLITE_OK || rc == SQLITE_IOERR_DELETE_NOENT) {
    bookkeeping(
        [&] {
          journal().removed(name);
          return true;
        },
        SQLITE_OK);
  }
  return rc;
}

int shim_access(sqlite3_vfs*, const char* name, int flags, int* result) {
  if (const int rc = ask(vfs_access)) {
    *result = 0;
    return rc;
  }
  return real_vfs->xAccess(real_vfs, name, flags, result);
}

int shim_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}

void* shim_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }

void shim_dl_error(sqlite3_vfs*, int size, char* out) { real_vfs->xDlError(real_vfs, size, out); }

using Symbol = void (*)();
Symbol shim_dl_sym(sqlite3_vfs*, void* handle, const char* name) {
  return real_vfs->xDlSym(real_vfs, handle, name);
}

void shim_dl_close(sqlite3_vfs*, void* handle) { real_vfs->xDlClose(real_vfs, handle); }

int shim_randomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}

int shim_sleep(sqlite3_vfs*, int microseconds) { return real_vfs->xSleep(real_vfs, microseconds); }

int shim_current_time(sqlite3_vfs*, double* now) { return real_vfs->xCurrentTime(real_vfs, now); }

int shim_get_last_error(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, size, out) : 0;
}

int shim_current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  return real_vfs->xCurrentTimeInt64(real_vfs, now);
}

int shim_set_system_call(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr call) {
  return real_vfs->xSetSystemCall(real_vfs, name, call);
}

sqlite3_syscall_ptr shim_get_system_call(sqlite3_vfs*, const char* name) {
  return real_vfs->xGetSystemCall(real_vfs, name);
}

const char* shim_next_system_call(sqlite3_vfs*, const char* name) {
  return real_vfs->xNextSystemCall(real_vfs, name);
}

void register_shim() {
  real_vfs = sqlite3_vfs_find(nullptr);
  if (!real_vfs) throw std::runtime_error("kvfault: SQLite has no default VFS");
  journal();  // registered with Control before the first file is opened

  shim_vfs.iVersion = real_vfs->iVersion;
  shim_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_vfs->szOsFile;
  shim_vfs.mxPathname = real_vfs->mxPathname;
  shim_vfs.zName = "kvfault";
  shim_vfs.xOpen = shim_open;
  shim_vfs.xDelete = shim_delete;
  shim_vfs.xAccess = shim_access;
  shim_vfs.xFullPathname = shim_full_pathname;
  shim_vfs.xDlOpen = real_vfs->xDlOpen ? shim_dl_open : nullptr;
  shim_vfs.xDlError = real_vfs->xDlError ? shim_dl_error : nullptr;
  shim_vfs.xDlSym = real_vfs->xDlSym ? shim_dl_sym : nullptr;
  shim_vfs.xDlClose = real_vfs->xDlClose ? shim_dl_close : nullptr;
  shim_vfs.xRandomness = shim_randomness;
  shim_vfs.xSleep = shim_sleep;
  shim_vfs.xCurrentTime = shim_current_time;
  shim_vfs.xGetLastError = shim_get_last_error;
  if (real_vfs->iVersion >= 2) {
    shim_vfs.xCurrentTimeInt64 = real_vfs->xCurrentTimeInt64 ? shim_current_time_int64 : nullptr;
  }
  if (real_vfs->iVersion >= 3) {
    shim_vfs.xSetSystemCall = real_vfs->xSetSystemCall ? shim_set_system_call : nullptr;
    shim_vfs.xGetSystemCall = real_vfs->xGetSystemCall ? shim_get_system_call : nullptr;
    shim_vfs.xNextSystemCall = real_vfs->xNextSystemCall ? shim_next_system_call : nullptr;
  }
  if (const int rc = sqlite3_vfs_register(&shim_vfs, 1); rc != SQLITE_OK) {
    throw std::runtime_error(std::string("kvfault: sqlite3_vfs_register: ") + sqlite3_errstr(rc));
  }
}

}  // namespace

void install_vfs() {
  static std::once_flag once;
  std::call_once(once, register_shim);
}

std::uint64_t real_syncs_made() { return real_syncs.load(); }

const SectorJournal& vfs_journal() { return journal(); }

}  // namespace kvfault
