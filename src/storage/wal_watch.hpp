// Tells when another connection may have written a database file, so that the change feed looks
// when there is something to see instead of polling on a timer.
//
// On Linux it watches, with inotify (storage/platform/linux_notifications.cpp), the file's
// write-ahead log (<db>-wal, where every commit in WAL mode is written), the database file itself
// (commits in rollback-journal mode, checkpoints) and their directory: SQLite deletes the WAL when
// its last connection closes and creates it anew when the next one opens, and the directory's
// events name the new file so that it is watched again. A signal only says "look now": PRAGMA
// data_version decides whether anything changed. Spurious signals are expected (this process's own
// commits, checkpoints); a missed commit is not.
//
// An event can come before the commit it belongs to can be read: SQLite makes a commit visible
// (the wal-index header, in shared memory, which raises no event) only after its last write to
// the WAL and, under synchronous=FULL, an fsync. So after the last event of a burst, wait() says
// "look now" again after each of the `repeats` delays (measured from that event); a writer
// stalled longer than the last one between its write and its commit (a stalled fsync) is seen at
// the file's next event, or with this Store's next write. Events signal at most once a
// millisecond, so that a burst of commits (this process's own too) costs one look per millisecond,
// not one per commit.
//
// Where events cannot be had, available() is false and wait() only waits out its deadline, so the
// caller polls: another system (storage/platform/no_notifications.cpp), Mode::poll (the caller's
// choice), inotify refused (no descriptor left, the watch limit reached), or a network file system
// (changes made on another machine raise no event here). A watch lost later (the WAL recreated once
// the watch limit is reached, the directory removed or renamed) makes wait() return true once and
// available() false from then on.
//
// The interface names no operating-system type; the descriptors it holds close with it.
// Thread-safety: as WakeSource (one thread at a time in wait(); available() and stop requests
// from any thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "storage/platform/platform.hpp"
#include "util/wake_source.hpp"

namespace kvstore::detail {

class WalWatch final : public WakeSource {
 public:
  enum class Mode {
    notify,  // the file system's notifications where they work, else unavailable
    poll,    // never any notification: available() is false (tests, file systems known to lie)
  };

  // The looks repeated after a burst of events (see above): early enough for a commit that is
  // being published, late enough for one waiting on an fsync.
  static std::vector<std::chrono::milliseconds> default_repeats() {
    using std::chrono::milliseconds;
    return {milliseconds(1), milliseconds(10), milliseconds(100), milliseconds(1000)};
  }

  // Watches the database file at `database_path` (as SQLite names it: sqlite3_db_filename). Never
  // fails for want of notifications: they are then unavailable. `repeats`, ascending, may be
  // empty (the tests' choice: every signal then comes from an event). Throws std::bad_alloc.
  WalWatch(const std::string& database_path, Mode mode,
           std::vector<std::chrono::milliseconds> repeats = default_repeats());
  ~WalWatch() override;
  WalWatch(const WalWatch&) = delete;
  WalWatch& operator=(const WalWatch&) = delete;

  bool available() const noexcept override { return available_.load(); }
  // As WakeSource::wait. With notifications available the first call returns true at once: what
  // happened before the watch was set up is not known (without, the caller's first poll, an
  // interval after its start, covers it). A deadline already past still reports a change signalled
  // before the call (without blocking), so a loop of such calls drains what is pending.
  bool wait(std::chrono::steady_clock::time_point deadline, std::stop_token stop) override;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Sleeps until `until` or stop; false if stopped.
  bool sleep_until(TimePoint until, const std::stop_token& stop);

  std::unique_ptr<FileNotifications> notifications_;  // null when unavailable
  std::atomic<bool> available_;
  bool look_first_;  // whether wait() has still to give its first "look now"
  const std::vector<std::chrono::milliseconds> repeats_;
  std::size_t repeated_;  // repeats_ given since the last event (all of them: none due)
  TimePoint last_event_;
  TimePoint last_signal_;  // when wait() last reported an event or a repeat (one per ms at most)
  // sleep_until() waits on these (members: a condition_variable_any allocates when constructed,
  // and a wait must not fail).
  std::mutex mutex_;
  std::condition_variable_any never_notified_;
};

}  // namespace kvstore::detail
