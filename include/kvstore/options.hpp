// How a Store is opened: Options, its Durability, and the Clock every timestamp and expiry is
// measured on. Plain values: copy them freely; a Store keeps its own copy.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace kvstore {

using Clock = std::chrono::system_clock;

// How hard a commit tries to reach the disk (PRAGMA synchronous in WAL mode).
//   normal: a commit survives a crash of the process; the last commits may be lost on power loss.
//   full:   a commit is on disk before it returns; survives power loss. Slower.
enum class Durability { normal, full };

struct Options {
  // How long a write waits for another connection's lock before throwing Busy.
  std::chrono::milliseconds busy_timeout{5000};
  // Period of the background purge of expired keys; 0 = no background purge (the background
  // thread still runs if external_poll_interval polls a file). Any length is valid: one too long
  // for the clock (milliseconds::max()) waits forever, and destruction still ends the wait.
  std::chrono::milliseconds purge_interval{60000};
  // PRAGMA synchronous: normal (default) or full. Ignored for ":memory:".
  Durability durability = Durability::normal;
  // Open an existing file for reading only: never creates, migrates or writes it, and every
  // write method throws StorageError. Expired keys are hidden but not deleted.
  bool read_only = false;
  // Change feed: how often to look for commits made by other connections to the same file
  // (a cheap PRAGMA data_version, no table read) and deliver them as external events, when the
  // file system's notifications are not used (see external_notifications).
  // 0 = never, notifications or not; any length is valid (milliseconds::max() polls practically
  // never). Ignored for ":memory:", which no other connection can reach.
  std::chrono::milliseconds external_poll_interval{100};
  // Change feed: look when the file system says the file's write-ahead log changed (inotify, on
  // Linux) instead of every external_poll_interval: a commit is seen at once, and an idle store
  // does not wake. Where notifications cannot be had (other systems, network file systems, the
  // inotify limits reached) the store polls instead. false: always poll (for a file system whose
  // notifications miss some writers). Either way PRAGMA data_version decides what changed.
  bool external_notifications = true;
  // Change-log entries kept by the purge pass (at least 1 is always kept). Replays and
  // changes_since() can reach this far back. Any value is valid: SIZE_MAX keeps everything.
  std::size_t change_log_retention = 10000;
  // Receives failures that have no caller to throw to, such as a failed background purge. Runs
  // on the thread that met the failure, with no lock held; must not throw.
  // Empty (the default): the message is written to stderr as one line.
  std::function<void(const std::string& message)> on_error;
};

}  // namespace kvstore
