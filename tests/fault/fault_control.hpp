// The process-wide switchboard of the test-only fault seam: every wrapped call (SQLite's VFS, its
// allocator, C++ operator new, the value-file system wrapper) asks Control::decide() before it
// runs, so a test can count calls, make the nth one fail, or cut the power just before it and
// later apply what a power cut loses. Modelled on SQLite's own crash VFS (test6.c) and I/O-error
// tests, and on LevelDB's fault_injection_test.
//
// Nothing in src/ knows about it: the seam is linked only into test executables.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

namespace kvfault {

// One bit each, so a fault names a set of calls.
enum Call : std::uint32_t {
  vfs_open = 1u << 0,
  vfs_delete = 1u << 1,
  vfs_access = 1u << 2,
  vfs_read = 1u << 3,
  vfs_write = 1u << 4,
  vfs_truncate = 1u << 5,
  vfs_sync = 1u << 6,
  vfs_file_size = 1u << 7,
  vfs_lock = 1u << 8,
  vfs_unlock = 1u << 9,
  vfs_check_reserved_lock = 1u << 10,
  vfs_shm_map = 1u << 11,
  vfs_shm_lock = 1u << 12,
  // 1u<<16 .. 1u<<27 are reserved for the value-file system wrapper.
  fs_create = 1u << 16,
  fs_open = 1u << 17,
  fs_write = 1u << 18,
  fs_read = 1u << 19,
  fs_sync = 1u << 20,
  fs_sync_directory = 1u << 21,
  fs_make_directory = 1u << 22,
  fs_remove = 1u << 23,
  fs_list = 1u << 24,
  fs_lock = 1u << 25,
  fs_size = 1u << 26,
  sqlite_malloc = 1u << 28,
  cxx_new = 1u << 29,
};
using CallSet = std::uint32_t;

// "Sync points": where data becomes durable.
constexpr CallSet kSyncCalls = vfs_sync | fs_sync | fs_sync_directory;
// Every call of SQLite's VFS, of the value-file wrapper, and both: the calls that touch the disk,
// which a power cut stops. Allocations are not among them (see decide()).
constexpr CallSet kVfsCalls = (1u << 13) - 1;
constexpr CallSet kFsCalls = ((1u << 28) - 1) & ~((1u << 16) - 1);
constexpr CallSet kIoCalls = kVfsCalls | kFsCalls;

struct Fault {
  CallSet calls;      // which calls count towards nth
  std::uint64_t nth;  // 1-based: the nth matching call made after arm() fails
  int sqlite_code;    // e.g. SQLITE_IOERR_WRITE, SQLITE_FULL, SQLITE_BUSY, SQLITE_NOMEM;
                      // the fs wrapper maps it to an errno itself
  bool persistent;    // false: only that call fails; true: it and every later matching call
};

// At a power cut: drop = every unsynced write is lost; tear = each unsynced sector independently
// kept or lost.
enum class LossMode { drop, tear };

// Something whose unsynced writes a power cut can lose (the VFS files; the value files).
class Journal {
 public:
  virtual ~Journal() = default;
  // Applies the loss of what was not made durable since the last sync, to the real files.
  virtual void lose_unsynced(LossMode mode, std::mt19937_64& random) = 0;
  // Treats everything written so far as durable (a fresh start between runs).
  virtual void forget_unsynced() = 0;
};

// Thread-safety: every member may be called from any thread. decide() is lock-free and never
// allocates. arm(), disarm() and arm_cut() are meant for moments when the code under test is
// quiet: a call racing with them may be decided under the old or the new setting.
class Control {
 public:
  static Control& get();  // the one per process

  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;

  // Zeroes the counts, disarms the fault and the cut, restores the power without any loss, and
  // calls forget_unsynced() on every journal; files are untouched. real_sync() is kept.
  void reset();
  // Calls of the set seen since reset() (cxx_new: only those made under CountAllocationsHere).
  std::uint64_t count(CallSet calls) const;

  // Replaces any armed fault; counting for nth starts now.
  void arm(const Fault& fault);
  void disarm();
  // The armed fault failed at least one call.
  bool fired() const;

  // Asked by every wrapped call just before it runs: 0 = go ahead; otherwise the SQLite code the
  // call must fail with (without doing anything). After a power cut every I/O call (kIoCalls)
  // gets SQLITE_IOERR; allocations are still decided by the armed fault alone, so the code under
  // test can unwind and be destroyed. Thread-safe and allocation-free (it is called from
  // operator new and SQLite's malloc).
  int decide(Call call);

  // Power cut: the nth matching call (1-based, counted from now) does not happen; the power is
  // cut just before it (that call gets SQLITE_IOERR). From then on decide() fails every I/O call,
  // until restore_power(). Only I/O calls (kIoCalls) in `calls` count. Replaces any armed cut.
  void arm_cut(CallSet calls, std::uint64_t nth);
  bool power_is_cut() const;
  // After the code under test has given up (the Store was destroyed, no file open): applies every
  // journal's loss with a generator seeded by `seed`, then lets calls through again (also forgets
  // the journals' unsynced state and disarms the cut). Without a cut it simulates a power loss at
  // this moment. If applying a loss throws, the power is restored all the same and the exception
  // propagates.
  void restore_power(LossMode mode, std::uint64_t seed);

  // Whether wrapped syncs reach the real file system (default true). The sweep turns it off:
  // durability is then simulated by the journals only, which makes runs fast.
  void set_real_sync(bool on);
  bool real_sync() const;

  // Registration is by the wrappers; thread-safe. A journal must outlive its registration.
  void add_journal(Journal* journal);
  void remove_journal(Journal* journal);

 private:
  Control() = default;
  static constexpr int kBits = 32;

  void clear_power_state();

  std::atomic<std::uint64_t> counts_[kBits] = {};

  std::atomic<CallSet> fault_calls_{0};  // 0 while disarmed; stored last when arming
  std::atomic<std::uint64_t> fault_nth_{0};
  std::atomic<int> fault_code_{0};
  std::atomic<bool> fault_persistent_{false};
  std::atomic<std::uint64_t> fault_seen_{0};
  std::atomic<bool> fired_{false};

  std::atomic<CallSet> cut_calls_{0};  // 0 while no cut is armed
  std::atomic<std::uint64_t> cut_nth_{0};
  std::atomic<std::uint64_t> cut_seen_{0};
  std::atomic<bool> power_cut_{false};

  std::atomic<bool> real_sync_{true};

  mutable std::mutex journals_mutex_;
  std::vector<Journal*> journals_;
};

// Counts (and may fail) C++ allocations only on the calling thread, only while alive. Nests.
class CountAllocationsHere {
 public:
  CountAllocationsHere();
  ~CountAllocationsHere();
  CountAllocationsHere(const CountAllocationsHere&) = delete;
  CountAllocationsHere& operator=(const CountAllocationsHere&) = delete;
};

// Stops counting C++ allocations on the calling thread while alive: for the seam's own
// bookkeeping (a wrapper's allocation must never be failed by, or counted as, the code under
// test's), and for a test's own assertions inside a CountAllocationsHere.
class PauseAllocationCounting {
 public:
  PauseAllocationCounting();
  ~PauseAllocationCounting();
  PauseAllocationCounting(const PauseAllocationCounting&) = delete;
  PauseAllocationCounting& operator=(const PauseAllocationCounting&) = delete;

 private:
  int saved_depth_;
};

// Whether the calling thread's C++ allocations are counted now (read by operator new).
bool counting_allocations_here() noexcept;

}  // namespace kvfault
