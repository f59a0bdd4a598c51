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
  // Period of the background purge of expired keys, which also trims the change log to
  // change_log_retention; 0 = no background purge. Any length is valid: one too long for the
  // clock (milliseconds::max()) waits forever, and destruction still ends the wait.
  // The purge runs on the Store's background thread, which starts only when there is work: when
  // this store writes a key with a TTL (set_with_ttl, a ScopedStore's TTL, a streamed value's
  // expires_at) or a change whose revision passes change_log_retention, or at open when the file
  // holds keys with a TTL. So a ":memory:" store that never holds a key with a TTL starts no
  // thread. Once started, it runs until the Store closes; its first pass comes one interval after
  // the start. If the thread cannot be started (the system's thread limit), the write that needed
  // it throws StorageError and stores nothing, and the next such write tries again.
  // Keys with a TTL that other connections write while this store runs no purge are hidden by
  // every read all the same (expired keys are invisible) and deleted by the next purge of any
  // store on the file, or by purge_expired().
  std::chrono::milliseconds purge_interval{60000};
  // PRAGMA synchronous: normal (default) or full. Ignored for ":memory:".
  Durability durability = Durability::normal;
  // Open an existing file for reading only: never creates, migrates or writes it, and every
  // write method throws StorageError. Expired keys are hidden but not deleted. A file of an older
  // schema (go-store's, or an earlier kvstore's) is read as it is, untouched: expiry is honoured;
  // a column it lacks reads as its migration would fill it (a key's Metadata revision 0, and
  // last_modified at the epoch before schema 2); before schema 2 there is no change log
  // (revision() is 0, changes_since and watch replay nothing). Refused (InvalidArgument) for
  // ":memory:", which would stay empty.
  bool read_only = false;
  // A read-write open of a file of an older schema migrates it in place (switching it to WAL
  // mode; go-store can no longer write it afterwards). false: such an open throws SchemaError
  // naming the file and changes nothing, so that a tool can ask first (the kvstore CLI does); a
  // new, empty file still gets the current schema. Ignored by read_only opens, which never
  // migrate.
  bool migrate_older_schema = true;
  // Creates the missing directories above the database file before opening it, as `mkdir -p`
  // does, with the default permissions (0777 less the process's umask); each new directory is
  // synced into its parent, so that a power cut cannot lose the path to a committed file. Never
  // applies to a read_only open (which creates nothing), to ":memory:" or to a path starting with
  // "file:" (which SQLite may read as a URI). Directories made before a failure later in the open
  // stay, as with `mkdir -p` (a directory another process has started to use is never removed).
  // Off: a missing directory throws StorageError naming the file and the directory. Either way, a
  // directory that cannot be created (no permission, a file in the way, a full disk) throws
  // StorageError naming it, and so does one that cannot be synced.
  bool create_parent_directories = true;
  // Change feed: how often to look for commits made by other connections to the same file
  // (a cheap PRAGMA data_version, no table read) and deliver them as external events, when the
  // file system's notifications are not used (see external_notifications).
  // 0 = never, notifications or not; any length is valid (milliseconds::max() polls practically
  // never). Ignored for ":memory:", which no other connection can reach.
  // The feed runs only once someone listens: the first Store::watch or Store::on_change (also a
  // ScopedStore's watch and a LastModifiedStore) starts it at the end of the change log, on the
  // Store's background thread, and it runs until the Store closes (it does not stop when the last
  // listener leaves). Commits by other connections before that deliver no event (watch from a
  // revision replays them). If the thread cannot be started, that call throws StorageError and
  // registers nothing.
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
