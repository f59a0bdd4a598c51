// kvstore::Store — a persistent, embedded key-value store on SQLite.
//
// Data lives in a table kv(grp, key, value, expires_at): every value belongs to a group and a key.
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
// arrive while another write of this Store commits wait in a queue; the first of them then
// commits itself and every write queued behind it (up to 256) in one SQLite transaction, one sync
// under Durability::full. A write that finds no commit running commits at once, alone: nothing
// waits for company. Each write of a shared commit is atomic on its own (a savepoint, or for a
// plain set its own undo, as inside transaction(fn)): one that fails on its own (InvalidArgument,
// QuotaExceeded, a caller's exception, ...) is undone alone and only its caller gets the error; if
// the shared commit itself fails (I/O error, disk full, Busy), every write of it throws a
// StorageError or Busy and none of them is stored. Each call returns only once its own write has
// committed (and synced under Durability::full), and after the on_change callbacks of its own
// events have run on the calling thread (see on_change), exactly as a write alone. A write may run
// on another caller's thread (the one leading the commit), so it must not rely on thread-local
// state; the library's own writes do not. transaction(fn) is never shared, and the calls fn makes
// join it as described there. Several Store objects (in one or several processes) may open the same
// file; SQLite's locking keeps them consistent and a writer waits up to Options::busy_timeout for
// another's lock.
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
#include "kvstore/errors.hpp"
#include "kvstore/events.hpp"
#include "kvstore/export.hpp"
#include "kvstore/options.hpp"

namespace kvstore {

class Transaction;

// The text of a Mustache template for render(group, template). A distinct type, so that a
// template and a group (both strings) cannot be swapped silently: write
// render("user", Template{"Hello {{name}}"}). Holds a view: the text must outlive the call.
struct Template {
  constexpr explicit Template(std::string_view source) noexcept : text(source) {}
  std::string_view text;
};

// A live key's time to live, as Store::ttl reads it.
struct TimeToLive {
  // The time left before the key expires (at least 1 ms), or nullopt: it never expires.
  std::optional<std::chrono::milliseconds> remaining;
};

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

class KVSTORE_EXPORT Store {
 public:
  // Opens (creating if needed, with the missing directories above it: see
  // Options::create_parent_directories) the database at `path`, in WAL mode, and applies the
  // pending schema migrations. ":memory:" opens a private in-memory database.
  // Throws InvalidArgument for an empty path, InvalidConfig for a negative interval in options;
  // SchemaError if the file is not a database, is corrupt, or was written by a newer
  // kvstore; StorageError if it cannot be opened (missing with read_only, a directory, a
  // directory above it missing or not creatable, ...), naming the path and what is missing.
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

  // Reads are const: what they change (the lazy deletion of an expired key) is not visible.
  //
  // Returns the value of group/key, or nullopt if absent or expired (an expired key is deleted).
  [[nodiscard]] std::optional<std::string> get(std::string_view group, std::string_view key) const;
  // Stores value under group/key, replacing any previous value and clearing any TTL.
  void set(std::string_view group, std::string_view key, std::string_view value);
  // Stores value under group/key, expiring `ttl` from now (replaces any previous TTL).
  // Throws InvalidArgument if ttl <= 0; nothing is written then. The first key with a TTL starts
  // the background purge (Options::purge_interval): StorageError, writing nothing, if its thread
  // cannot be started.
  void set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                    std::chrono::milliseconds ttl);
  // Removes group/key. Returns true if a live key was removed, false if there was none.
  bool erase(std::string_view group, std::string_view key);
  // Makes group/key expire `ttl` from now and keeps its value (Redis EXPIRE): a sliding session
  // extends itself without rewriting its value. Returns whether a live key existed; if none did,
  // nothing is written. The change is a write: it takes a new revision and publishes a `set`
  // event with the value, and the key's Metadata::last_modified stays that of its value.
  // Throws InvalidArgument if ttl <= 0, writing nothing; starts the background purge like
  // set_with_ttl (and fails like it if that fails).
  bool expire(std::string_view group, std::string_view key, std::chrono::milliseconds ttl);
  // Removes group/key's TTL and keeps its value (Redis PERSIST). Returns whether a live key
  // existed. A key that had a TTL changes as with expire (a new revision, a `set` event); a key
  // without one is left as it is: nothing is written, no event.
  bool persist(std::string_view group, std::string_view key);
  // group/key's time to live: nullopt if the key is absent or expired (an expired key is deleted,
  // as get does); otherwise a TimeToLive whose `remaining` is nullopt for a key without a TTL.
  [[nodiscard]] std::optional<TimeToLive> ttl(std::string_view group, std::string_view key) const;
  // Removes every key of `group`; returns how many live keys were removed.
  std::size_t delete_group(std::string_view group);
  // Removes every group whose name starts with `group_prefix` (byte-wise; `%`, `_`, `\0` are
  // literal); returns how many live keys were removed. An empty prefix removes everything.
  std::size_t delete_prefix(std::string_view group_prefix);
  // Returns every live key of `group` with its value, ordered by key bytes.
  [[nodiscard]] std::map<std::string, std::string> get_all(std::string_view group) const;
  // The live keys of `group`, ordered by key bytes; values are not read.
  [[nodiscard]] std::vector<std::string> keys(std::string_view group) const;
  // Calls fn(key, value) for each live key of `group` in key order until fn returns false.
  // Rows are read in batches and fn runs with no lock held, so fn may call any method of this
  // Store; a key written or erased during the walk may or may not be visited. Each key is
  // visited at most once.
  void for_each(std::string_view group,
                const std::function<bool(std::string_view key, std::string_view value)>& fn) const;
  // Number of live keys in `group`.
  [[nodiscard]] std::size_t count(std::string_view group) const;
  // Number of live keys in every group starting with `group_prefix` (all groups if empty).
  [[nodiscard]] std::size_t count_all(std::string_view group_prefix = {}) const;
  // Names of the groups with at least one live key that start with `group_prefix`, sorted.
  [[nodiscard]] std::vector<std::string> groups(std::string_view group_prefix = {}) const;
  // Deletes every expired key now (publishing an `expire` event for each), deletes the streamed
  // values no key refers to any more, and trims the change log to change_log_retention; returns
  // how many keys were deleted. Up to 1,000 expired keys this is one transaction. More are
  // deleted 1,000 per transaction, so that other writers are not held up meanwhile: if a later
  // transaction fails, the keys the earlier ones deleted stay deleted (they were invisible to
  // every read already) and the exception says what failed.
  std::size_t purge_expired();
  // Renders a Mustache template with the live keys of `group` as variables. Values are inserted
  // as they are (no HTML escaping); a missing variable renders empty. Partials ({{> name}}) are
  // not supported: a stored value is never rendered as a template.
  // Group first, like every method (go-store's Render takes the template first; so did kvstore
  // before 0.2): the template is a Template, so a call in the old order does not compile.
  // Throws InvalidArgument, naming the position, on a template syntax error or a partial, and
  // for sections nested deeper than 256.
  [[nodiscard]] std::string render(std::string_view group, Template mustache_template) const;
  // Splits the value of group/key on `sep` (non-empty); empty vector if the key is absent.
  // Throws InvalidArgument if sep is empty.
  [[nodiscard]] std::vector<std::string> get_split(std::string_view group, std::string_view key,
                                                   std::string_view sep) const;
  // Splits the value of group/key on runs of ASCII whitespace; empty vector if absent.
  [[nodiscard]] std::vector<std::string> get_fields(std::string_view group,
                                                    std::string_view key) const;
  // Stores value.dump() under group/key (clears any TTL). Throws InvalidArgument, writing
  // nothing, if the value holds a string that is not valid UTF-8.
  void set_json(std::string_view group, std::string_view key, const nlohmann::json& value);
  // Parses the value of group/key as JSON; nullopt if absent. Throws InvalidArgument, naming the
  // group and key, if the stored value is not valid JSON or holds a number too large for a double
  // (such as 1e99999); no nlohmann exception escapes.
  [[nodiscard]] std::optional<nlohmann::json> get_json(std::string_view group,
                                                       std::string_view key) const;

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
  // The logged changes after `revision`, oldest first (values as they are now); empty for the
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
  friend class Transaction;
  friend class detail::ScopedSeam;  // what ScopedStore needs: src/scoped/seam.hpp
  KVSTORE_HIDDEN Watcher watch_filtered(detail::WatchFilter filter,
                                        std::optional<std::uint64_t> from_revision,
                                        std::size_t capacity);
  // The implementation; throws Error on a moved-from Store.
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;  // shared: readers and writers hold weak references
};

// The view of the store inside Store::transaction(fn). Reads see the transaction's own writes.
// Valid only during fn and only on the thread running fn. Each method behaves like the Store
// method of the same name and throws the same errors; a failed call leaves the transaction as
// it was before the call.
class KVSTORE_EXPORT Transaction {
 public:
  [[nodiscard]] std::optional<std::string> get(std::string_view group, std::string_view key) const;
  void set(std::string_view group, std::string_view key, std::string_view value);
  void set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                    std::chrono::milliseconds ttl);
  bool erase(std::string_view group, std::string_view key);
  bool expire(std::string_view group, std::string_view key, std::chrono::milliseconds ttl);
  bool persist(std::string_view group, std::string_view key);
  [[nodiscard]] std::optional<TimeToLive> ttl(std::string_view group, std::string_view key) const;
  std::size_t delete_group(std::string_view group);
  std::size_t delete_prefix(std::string_view group_prefix);
  [[nodiscard]] std::map<std::string, std::string> get_all(std::string_view group) const;
  [[nodiscard]] std::vector<std::string> keys(std::string_view group) const;
  [[nodiscard]] std::size_t count(std::string_view group) const;

  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  friend class Store;
  explicit Transaction(Store& store) : store_(store) {}
  Store& store_;
};

}  // namespace kvstore
