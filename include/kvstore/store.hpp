// kvstore::Store — a persistent, embedded key-value store on SQLite.
//
// Data lives in a table kv(grp, key, value, expires_at): every value belongs to a group and a key.
// The data methods (get, set, ...) are DataApi's (data_api.hpp), which documents them.
// Groups, keys and values are byte strings: NUL bytes, invalid UTF-8 and empty strings round-trip
// exactly. Keys may carry a TTL; an expired key is invisible to every read, is deleted lazily when
// `get` meets it, and is purged by a background thread every Options::purge_interval.
//
// Threads: a Store starts its one background thread only when it has work (Options::
// purge_interval, Options::external_poll_interval): the purge once it holds a key with a TTL
// (or its change log may outgrow change_log_retention), the change-feed poll once someone
// watches a file. A ":memory:" store without keys with a TTL starts none. It stops on close.
//
// Thread-safety: a Store may be shared by any number of threads. It owns one SQLite connection,
// serialized by an internal mutex; every method is atomic with respect to the others.
//
// Group commit: writes (set, set_with_ttl, set_json, erase, delete_group, delete_prefix, the
// ScopedStore writes, a streamed value's commit, and so LastModifiedStore's write-through) that
// arrive while another write of this Store commits wait in a queue; the first of them then commits
// itself and every write queued behind it (up to 256) in one SQLite transaction, one sync under
// Durability::full. A write that finds no commit running commits at once, except under
// Durability::full on a file right after a shared commit: it then waits for the writers of that
// commit to come back, for at most half the time that commit took, so that they share the next sync
// instead of queueing behind a commit of one; a thread that writes alone never waits for company.
// It polls for them, yielding the processor, for up to 200 us, and blocks for the rest. Writers
// queued behind a short commit (no sync) poll likewise for up to twice its duration before they
// block, as waking a blocked thread costs about as much. Each write of a
// shared commit is atomic on its own (a savepoint, or for a plain set its own undo, as inside
// transaction(fn)): one that fails on its own (InvalidArgument, QuotaExceeded, a caller's
// exception, ...) is undone alone and only its caller gets the error; if the shared commit itself
// fails (I/O error, disk full, Busy), every write of it throws a StorageError or Busy and none of
// them is stored. Each call returns only once its own write has committed (and synced under
// Durability::full), and after the on_change callbacks of its own events have run on the calling
// thread (see on_change), exactly as a write alone. A write may run on another caller's thread (the
// one leading the commit), so it must not rely on thread-local state; the library's own writes do
// not. transaction(fn) is never shared, and the calls fn makes join it as described there. Several
// Store objects (in one or several processes) may open the same file; SQLite's locking keeps them
// consistent and a writer waits up to Options::busy_timeout for another's lock.
//
// Errors: see errors.hpp. Every method may throw StorageError (or Busy) when SQLite fails, with
// the operation, group and key in what(); the store then holds exactly what it held before.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "kvstore/blob.hpp"
#include "kvstore/data_api.hpp"
#include "kvstore/errors.hpp"
#include "kvstore/events.hpp"
#include "kvstore/export.hpp"
#include "kvstore/options.hpp"

namespace kvstore {

// The view of the store inside Store::transaction(fn): the Store itself, through its data
// methods. Valid only during fn and only on the thread running fn, where every call joins the
// transaction: reads see its writes, and each write commits or rolls back with it. Each method
// behaves like the Store method of the same name and throws the same errors; a failed call
// leaves the transaction as it was before the call.
using Transaction = DataApi;

// A snapshot of a store's size and shape (Store::stats).
struct StoreStats {
  int schema_version = 0;    // PRAGMA user_version
  std::string journal_mode;  // "wal" for files, "memory" for ":memory:"
  std::uint64_t page_size = 0, page_count = 0, free_pages = 0;
  std::uint64_t file_bytes = 0, wal_bytes = 0;  // on disk; 0 for ":memory:"
  std::uint64_t groups = 0, keys = 0;           // live ones
  std::uint64_t expiring_keys = 0;              // live keys with a TTL
  std::uint64_t revision = 0;
  std::uint64_t change_log_entries = 0;
};

namespace detail {
struct WatchFilter;
class ScopedSeam;
}  // namespace detail

class KVSTORE_EXPORT Store final : public DataApi {
 public:
  // Opens (creating if needed, with the missing directories above it: see
  // Options::create_parent_directories) the database at `path`, in WAL mode, and applies the
  // pending schema migrations. ":memory:" opens a private in-memory database.
  // Throws InvalidArgument for an empty path (or, on Windows, one that is not valid UTF-16),
  // InvalidConfig for a negative interval in options;
  // SchemaError if the file is not a database, is corrupt, or was written by a newer
  // kvstore; StorageError if it cannot be opened (missing with read_only, a directory, a
  // directory above it missing or not creatable, ...), naming the path and what is missing.
  // Any path std::filesystem can name opens, non-ASCII characters included (on Windows too).
  explicit Store(const std::filesystem::path& path, Options options = {});
  // Stops the background thread, if one was started (promptly, without waiting out
  // purge_interval), and closes.
  // Must not run while other threads still use the Store.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // Moves the open database, with its threads, watchers, callbacks, readers and writers, to a new
  // Store object. Every later call on the moved-from Store throws Error (a ScopedStore or
  // LastModifiedStore still referring to it included); it may be assigned to or destroyed.
  // Move assignment first closes the database this Store held, as the destructor does. Neither
  // may run while other threads use either Store.
  Store(Store&& other) noexcept;
  Store& operator=(Store&& other) noexcept;

  // The data methods: DataApi (data_api.hpp) documents them. purge_expired is Store's own.
  [[nodiscard]] std::optional<std::string> get(std::string_view group,
                                               std::string_view key) const override;
  void set(std::string_view group, std::string_view key, std::string_view value) override;
  void set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                    std::chrono::milliseconds ttl) override;
  bool erase(std::string_view group, std::string_view key) override;
  bool expire(std::string_view group, std::string_view key, std::chrono::milliseconds ttl) override;
  bool persist(std::string_view group, std::string_view key) override;
  [[nodiscard]] std::optional<TimeToLive> ttl(std::string_view group,
                                              std::string_view key) const override;
  std::size_t delete_group(std::string_view group) override;
  std::size_t delete_prefix(std::string_view group_prefix) override;
  [[nodiscard]] std::map<std::string, std::string> get_all(std::string_view group) const override;
  [[nodiscard]] std::vector<std::string> keys(std::string_view group) const override;
  void for_each(
      std::string_view group,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) const override;
  [[nodiscard]] std::size_t count(std::string_view group) const override;
  [[nodiscard]] std::size_t count_all(std::string_view group_prefix = {}) const override;
  [[nodiscard]] std::vector<std::string> groups(std::string_view group_prefix = {}) const override;
  void set_json(std::string_view group, std::string_view key, const nlohmann::json& value) override;

  // Deletes every expired key now (publishing an `expire` event for each), deletes the streamed
  // values no key refers to any more, and trims the change log to change_log_retention; returns
  // how many keys were deleted. Up to 1,000 expired keys this is one transaction. More are
  // deleted 1,000 per transaction, so that other writers are not held up meanwhile: if a later
  // transaction fails, the keys the earlier ones deleted stay deleted (they were invisible to
  // every read already) and the exception says what failed.
  std::size_t purge_expired();

  // Runs fn inside one SQLite transaction and commits when fn returns: either every write made in
  // fn is stored, or (fn threw, or the commit failed) none is, and the exception is rethrown
  // unchanged, whatever its type. Other threads' calls wait until the transaction ends.
  // A failure that makes SQLite roll the whole transaction back (disk full, I/O error, out of
  // memory) ends it: if fn catches that error and goes on, every later call in fn throws
  // StorageError (sqlite_code() SQLITE_ABORT_ROLLBACK) and so does transaction() when fn
  // returns; nothing of fn is stored.
  // Re-entrancy: while fn runs, calls to this Store from the same thread (directly, or a nested
  // transaction()) join the transaction: they see its writes and commit or roll back with it.
  // A nested transaction() is a savepoint: if its fn throws, only its own writes are undone.
  // fn receives this Store as a Transaction (a DataApi&): see Transaction.
  void transaction(const std::function<void(Transaction&)>& fn);

  // The store-wide revision: bumped by every committed mutation, persisted, never decreasing
  // (also across reopen and across processes sharing the file). 0 for a new store.
  [[nodiscard]] std::uint64_t revision() const;

  // Events. Every committed mutation publishes one Event per key (one per group for
  // delete_group / delete_prefix), after the commit and outside every lock; a rolled-back
  // transaction or a failed call publishes nothing.
  //
  // What holds across connections (other Store objects and processes on the same file):
  // - Their commits arrive the same way, marked `external`: as soon as the file system reports
  //   the write (Options::external_notifications) or else within about
  //   Options::external_poll_interval, and at the latest with this Store's next write, which
  //   delivers every commit made before it ahead of its own (interval 0 = never: no external
  //   event).
  // - Order: every subscriber of this Store receives events in revision order (commit order
  //   across all connections), its own and external ones interleaved as they were committed.
  // - Nothing is skipped silently: a watcher's dropped() counts the events its full queue
  //   refused, and changes other connections committed that were trimmed from the change log
  //   before this Store read them (change_log_retention) arrive as one EventType::gap event.
  // - Resume: a watcher created with from_revision = the last revision it received replays
  //   everything after it, then goes on live, with no gap and no duplicate; so after drops,
  //   watch again from the last revision received (Compacted if the log no longer reaches it).
  //
  // Watches `group` ("*" = every group) and `key` ("*" = every key of the group; a
  // delete_group of the group also matches). The watcher's queue holds `capacity` events; when
  // it is full new events are dropped and counted in dropped(), and the writer never waits.
  // With from_revision, the logged changes after that revision that match are delivered first,
  // then live events, with no gap and no duplicate at the seam; to resume after drops, watch
  // again from the last revision received. Throws InvalidArgument if from_revision is after the
  // latest revision (revision(); UINT64_MAX included), Compacted if it is older than the change
  // log holds. On a file, the first watcher or callback starts the change-feed poll
  // (Options::external_poll_interval): StorageError, registering nothing, if its thread cannot
  // be started. Thread-safe.
  [[nodiscard]] Watcher watch(std::string_view group, std::string_view key = "*",
                              std::optional<std::uint64_t> from_revision = {},
                              std::size_t capacity = 16);
  // Calls fn(event) for every event, synchronously on the thread that called the write (in a
  // group commit too: each caller delivers its own write's events, never the thread that led the
  // commit, and returns after they were delivered; for external changes: the background thread or
  // the next writer; a change committed from inside fn while another thread waits for its turn
  // may be delivered by that thread), after the commit, with no lock
  // held: fn may call any method of this Store, including writes, watch, on_change and
  // unsubscribing itself. A change committed from inside fn is delivered after fn returns.
  // Callbacks run one at a time, in commit order, so a slow callback delays the return of other
  // writers. An exception thrown by fn does not undo the write nor stop other callbacks: it goes to
  // Options::on_error. Keep the Subscription: destroying it unsubscribes. Starts the change-feed
  // poll like watch (and fails like it if that fails). Thread-safe.
  [[nodiscard]] Subscription on_change(std::function<void(const Event&)> fn);
  // The logged changes after `revision`, oldest first (what their values hold: Event::value);
  // empty for the
  // latest revision. Throws InvalidArgument if `revision` is after the latest revision
  // (revision(); UINT64_MAX included), Compacted if it is older than the change log holds.
  // Thread-safe.
  [[nodiscard]] std::vector<Event> changes_since(std::uint64_t revision) const;

  // Maintenance.
  //
  // Size and shape of the store. Thread-safe.
  [[nodiscard]] StoreStats stats() const;
  // Runs PRAGMA integrity_check and checks the schema (version and tables), the namespace
  // counts, and the files of streamed values (each present, of its recorded size); returns the
  // problems found, empty when the store is sound. Thread-safe.
  [[nodiscard]] std::vector<std::string> check() const;
  // Copies the WAL into the database file and truncates it (PRAGMA wal_checkpoint(TRUNCATE)).
  // Throws Busy if readers of other connections keep it from completing. No-op for ":memory:".
  void checkpoint();
  // Rebuilds the file to reclaim free pages (VACUUM). Throws StorageError inside a transaction
  // and on a read-only store.
  void vacuum();

  // Streaming values (blob.hpp). A streamed value is a value like any other: get returns it
  // whole, count/groups/get_all/erase treat it as any key.
  //
  // The metadata of group/key without reading its value (any value has one: a plain set has tag
  // ""), or nullopt if absent or expired.
  [[nodiscard]] std::optional<Metadata> stat(std::string_view group, std::string_view key) const;
  // A reader of group/key's value, or nullopt if absent or expired (a MISS). Throws for a
  // storage failure (an ERROR): the two are never confused.
  [[nodiscard]] std::optional<BlobReader> open_reader(std::string_view group,
                                                      std::string_view key) const;
  // Starts writing group/key's value in chunks; invisible until BlobWriter::commit(). `meta`
  // gives the tag and, through expires_at, a TTL (size, revision, last_modified are ignored).
  // Throws InvalidArgument if expires_at is not in the future, and when called inside
  // transaction(fn) on this thread (a streamed value is staged and published on its own, never
  // by a transaction that could roll it back). A stopped `cancel` makes write() and commit()
  // throw and discard what was staged.
  [[nodiscard]] BlobWriter begin_set(std::string_view group, std::string_view key,
                                     Metadata meta = {}, std::stop_token cancel = {});

  class KVSTORE_HIDDEN Impl;  // the implementation: src/core/store_impl.hpp

 private:
  friend class detail::ScopedSeam;  // what ScopedStore needs: src/scoped/seam.hpp
  KVSTORE_HIDDEN Watcher watch_filtered(detail::WatchFilter filter,
                                        std::optional<std::uint64_t> from_revision,
                                        std::size_t capacity);
  // The implementation; throws Error on a moved-from Store.
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;  // shared: readers and writers hold weak references
};

}  // namespace kvstore
