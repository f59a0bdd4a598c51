// kvstore::LastModifiedStore — an in-memory layer in front of a Store, with the semantics of the
// lastmodstore design: every item carries its last-modified time; a start/shutdown lifecycle;
// an optional capacity; a worker pool for periodic jobs; statistics.
//
// Items are keyed by (group, key), like the Store's. Writes go through: set() commits to the
// Store before it returns, then updates the memory entry with the commit's time. get() serves
// from memory; a miss reads the Store (value, last-modified time and TTL of one version) and
// caches what it found, absence included: a get() of a key the Store lacks is then answered
// from memory too, until a change could have added it. The layer's view is the whole Store:
// get() finds any key of it.
//
// Coherence: the layer subscribes to the Store's change events (Store::on_change), so writes
// made directly on the Store, through a ScopedStore over it, or by other processes (the change
// feed, Options::external_poll_interval) update or invalidate the memory entry; once a change
// has been published, get() never returns an older value. A `validation` job reconciles memory
// with the Store when the Store's revision is ahead of the events received (e.g. the change feed
// is off, or events were missed).
//
// Lifecycle: a new layer is not running. start() starts `worker_count` worker threads, plus a
// ticker thread when `cleanup_interval` > 0 that submits the cleanup, validation and WAL
// checkpoint jobs every interval. shutdown() (or a stop request on start()'s stop_token, or the
// destructor) stops it. A stopped layer may be started again; it then starts with empty memory.
//
// Thread-safety: every method may be called from any thread. Reads of items held in memory run
// in parallel (memory is split in shards, each under its own reader-writer lock); writes wait
// for the Store. The Store must outlive the layer.
//
// Re-entrancy: the layer's own writes publish Store events, so on_change callbacks of the Store
// may run inside set()/erase()/clear(); such a callback may call the layer's data methods, but
// must not call shutdown() or destroy the layer while another thread's write is waiting for it
// (use the stop_token, whose request never blocks). A set() made inside a Store callback or
// inside Store::transaction(fn) cannot see its commit before it returns: it drops the memory
// entry instead, and the next get() reads the Store. Inside Store::transaction(fn), a get()
// miss reads (and caches, absence included) the transaction's uncommitted state: read through
// the layer outside Store transactions.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "kvstore/errors.hpp"
#include "kvstore/export.hpp"
#include "kvstore/store.hpp"

namespace kvstore {

// What a write of a new key does when memory already holds max_size entries.
enum class FullPolicy {
  reject,        // throw StoreFull; nothing is written, neither in memory nor in the Store
  evict_oldest,  // write, then drop the least recently modified entry from memory (not the Store)
};

struct LastModifiedConfig {
  // Entries held in memory; 0 (the default) = unlimited. Negative: InvalidConfig.
  long long max_size = 0;
  // Worker threads running the periodic jobs; 0 (the default) means 2. Negative: InvalidConfig.
  int worker_count = 0;
  // Period of the cleanup, validation and checkpoint jobs; 0 (the default) = no periodic jobs and
  // no ticker thread. Negative: InvalidConfig. Any positive length is valid: one too long for the
  // clock (milliseconds::max()) never ticks, and shutdown() still ends the wait at once.
  std::chrono::milliseconds cleanup_interval{0};
  // Reject (the default) or evict when memory is full; ignored when max_size is 0.
  FullPolicy on_full = FullPolicy::reject;
};

// One item as the layer returns it.
struct LastModifiedItem {
  std::string value;                            // the bytes stored
  Clock::time_point last_modified;              // commit time of the write (millisecond precision)
  std::optional<Clock::time_point> expires_at;  // TTL; nullopt = never
};

// Counters since construction (they survive shutdown and restart), except in_flight.
struct LastModifiedStats {
  std::uint64_t hits = 0;           // get()/last_modified() served from memory (absence too)
  std::uint64_t misses = 0;         // get()/last_modified() that had to read the Store
  std::uint64_t sets = 0;           // successful set()/set_with_ttl() calls
  std::uint64_t deletes = 0;        // keys removed by erase() and clear()
  std::uint64_t evictions = 0;      // entries dropped from memory by FullPolicy::evict_oldest
  std::uint64_t expirations = 0;    // entries dropped from memory because their TTL passed
  std::uint64_t rejected_full = 0;  // writes refused with StoreFull
  std::uint64_t cleanup_runs = 0;   // cleanup jobs completed
  std::uint64_t jobs_run = 0;       // worker jobs run (including failed ones)
  std::uint64_t jobs_failed = 0;    // worker jobs that threw (the worker goes on)
  std::uint64_t in_flight = 0;      // data-method calls running right now
};

// {"hits": .., "misses": .., ...}: one number per field of LastModifiedStats, under the field's
// name.
KVSTORE_EXPORT void to_json(nlohmann::json& out, const LastModifiedStats& stats);

// The layer. Not copyable or movable; see the top of this file for the model.
class KVSTORE_EXPORT LastModifiedStore {
 public:
  // A layer in front of `backing`, not running. Throws InvalidConfig, naming the field, if
  // max_size, worker_count or cleanup_interval is negative. `backing` must outlive the layer.
  explicit LastModifiedStore(Store& backing, LastModifiedConfig config = {});
  // Shuts down (see shutdown()); no thread of the layer outlives it. Must not run inside one of
  // the layer's own operations or jobs.
  ~LastModifiedStore();
  LastModifiedStore(const LastModifiedStore&) = delete;
  LastModifiedStore& operator=(const LastModifiedStore&) = delete;

  // The configuration in effect: as given, with worker_count 0 replaced by 2. Thread-safe.
  [[nodiscard]] const LastModifiedConfig& config() const;

  // Subscribes to the Store's events, starts the workers and (cleanup_interval > 0) the ticker,
  // and accepts operations. Throws AlreadyRunning if running. A stop request on `stop` later
  // shuts the layer down gracefully (and at once if already requested): it refuses new
  // operations and stops the ticker and the workers without blocking the requesting thread;
  // the threads end on their own once in-flight work is done, and are joined by the next
  // shutdown(), start() or the destructor. Memory starts empty. Thread-safe.
  void start(std::stop_token stop = {});
  // Whether the layer accepts operations. Thread-safe, never blocks.
  [[nodiscard]] bool is_running() const;
  // Stops accepting operations (they throw NotRunning), waits for the in-flight ones, stops the
  // ticker and the workers (jobs already queued still run), joins every thread, unsubscribes and
  // empties memory. Idempotent; a no-op before start(). Called from inside one of the layer's
  // own operations (an on_change callback run by its write) or jobs, it only requests the
  // shutdown, like a stop request, and returns at once. Thread-safe.
  void shutdown();

  // Data methods. Each throws NotRunning unless running, and the Store's errors (StorageError,
  // Busy, ...) when the Store fails; memory is then unchanged. Thread-safe.
  //
  // Stores value under group/key in the Store (clearing any TTL), then in memory with
  // last_modified = the commit time. Throws StoreFull (and writes nothing) when the policy is
  // reject, memory holds max_size live entries and group/key is not one of them.
  void set(std::string_view group, std::string_view key, std::string_view value);
  // Like set(), expiring `ttl` from the commit. Throws InvalidArgument if ttl <= 0.
  void set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                    std::chrono::milliseconds ttl);
  // The item of group/key with its metadata, or nullopt if absent or expired. Served from memory
  // (a hit); otherwise read from the Store with its persisted last-modified time and cached (a
  // miss; not cached when the policy is reject and memory is full). A key found absent is
  // remembered as absent (a later get() of it is a hit) until any change in its part of memory
  // (memory is split in 64 parts by key hash) or a validation after missed events; at most 256
  // absent keys per part are remembered, beyond max_size.
  [[nodiscard]] std::optional<LastModifiedItem> get(std::string_view group,
                                                    std::string_view key) const;
  // Removes group/key from the Store and from memory. Returns whether a live key existed.
  bool erase(std::string_view group, std::string_view key);
  // Number of live (unexpired) entries held in memory. O(entries) when some entry has a TTL.
  [[nodiscard]] std::size_t size() const;
  // A copy of the live entries held in memory, as (group, key, item), sorted by group and key.
  [[nodiscard]] std::vector<std::tuple<std::string, std::string, LastModifiedItem>> list() const;
  // Removes every entry held in memory from memory and from the Store (one Store transaction).
  // Store keys that memory does not hold (never read through the layer, or evicted) stay; use
  // Store::delete_prefix("") to empty the Store. A write racing with clear() may survive it.
  void clear();
  // get(group, key)'s last_modified, counted as get() is.
  [[nodiscard]] std::optional<Clock::time_point> last_modified(std::string_view group,
                                                               std::string_view key) const;

  // A snapshot of the counters. Never throws, also when not running. Thread-safe.
  [[nodiscard]] LastModifiedStats stats() const;

  struct KVSTORE_HIDDEN Impl;  // private state: src/last_modified/impl.hpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvstore
