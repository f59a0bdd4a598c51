// What the store needs from the operating system besides SQLite, behind one interface: the only
// files of src/ that include an operating-system header are those of this folder. The build picks
// one implementation of each part per system (cmake/kvstore_layers.cmake):
//   files (FileSystem, storage/file_system.hpp;   posix_files.cpp, windows_files.cpp
//   link_file)
//   the process and its rights                     posix_process.cpp, windows_process.cpp
//   change notifications of a database file        linux_notifications.cpp (inotify), elsewhere
//                                                  no_notifications.cpp (the caller polls)
// Paths are UTF-8 strings everywhere (as SQLite takes them); the Windows implementation converts
// them to UTF-16 for its calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>

namespace kvstore::detail {

// Whether SQLite's syncs must be F_FULLFSYNC (PRAGMA fullfsync, checkpoint_fullfsync): on macOS
// fsync(2) leaves the data in the drive's cache, and SQLite asks for more only when told.
#ifdef __APPLE__
inline constexpr bool kSqliteNeedsFullFsync = true;
#else
inline constexpr bool kSqliteNeedsFullFsync = false;
#endif

// This process's id, as the operating system numbers it. Recorded for a person reading the blobs
// table; nothing decides on it (a writer's liveness is its value file's lock: File::try_lock).
std::int64_t current_process_id() noexcept;

// Gives the file at `from` the name `to` too (a hard link: link(2), CreateHardLinkW), never
// replacing what is at `to`. Throws std::system_error naming the call (EEXIST if `to` exists).
// Thread-safe.
void link_file(const std::string& from, const std::string& to);

// Whether this process may create a file in `directory` (an existing one). False when it cannot
// tell. Thread-safe.
bool may_create_files_in(const std::string& directory);

// The operating system's notifications of writes to a database file, its write-ahead log and
// their directory (storage/wal_watch.hpp says what they are for). One thread at a time in wait().
class FileNotifications {
 public:
  enum class Outcome {
    changed,   // one of the files may have changed
    deadline,  // the deadline passed with nothing to report
    stopped,   // stop was requested
    lost,      // the watch can no longer see the files: from now on the caller polls
  };

  virtual ~FileNotifications() = default;
  // Blocks until an event concerns the files, the deadline passes or stop is requested. Past the
  // deadline it still reports the events queued before the call. Does not throw.
  virtual Outcome wait(std::chrono::steady_clock::time_point deadline,
                       const std::stop_token& stop) = 0;
};

// The notifications for the database file at `database` (an absolute path), or nullptr where this
// system, or the file system the file is on, cannot give them all. Throws std::bad_alloc.
std::unique_ptr<FileNotifications> watch_database_files(const std::filesystem::path& database);

}  // namespace kvstore::detail
