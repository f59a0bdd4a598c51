// Keeps a LastModifiedCache coherent with its Store. Every path that moves data between the two
// goes through here: the layer's writes and get misses, the Store's change events, and the
// cleanup and validation jobs.
//
// How memory follows the Store:
// - The layer's own write: set() commits to the Store; the Store then delivers the write's event
//   to on_event() on the same thread before set() returns (callbacks run after the commit, in
//   commit order). on_event() recognises it (a thread-local marker left by write()) and stores
//   the value with the event's timestamp (the commit time) and revision. If the event is not
//   delivered before the Store returns (set() called from inside a Store callback or
//   transaction, where delivery is deferred), write() invalidates the entry instead; the next get
//   reads the Store.
// - Any other change (direct Store or ScopedStore writes, other processes via the change feed,
//   expiry): erase/expire/delete_group remove the older entries; a set re-reads the key from the
//   Store (value, TTL and revision of one version) if memory holds an older version of it.
// - A gap (other processes' changes trimmed from the log before the Store read them): every
//   entry older than the gap is dropped, and the next get reads the Store.
// - Validation replays the change log since the last validation the same way, which catches
//   changes whose events never arrived (change feed off, or this layer not subscribed then).
//
// Thread-safety: every method may be called from any thread; none holds a lock of the cache
// while it calls the Store (the cache's locks are taken only inside LastModifiedCache calls).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "kvstore/events.hpp"
#include "kvstore/store.hpp"
#include "last_modified/cache.hpp"
#include "last_modified/counters.hpp"

namespace kvstore::detail {

class CacheSync {
 public:
  CacheSync(Store& store, std::size_t max_size, FullPolicy policy,
            std::shared_ptr<LastModifiedCounters> counters);
  CacheSync(const CacheSync&) = delete;
  CacheSync& operator=(const CacheSync&) = delete;

  LastModifiedCache& cache() { return cache_; }

  // The layer's data paths. Errors: StoreFull, InvalidArgument, and the Store's.
  void write(std::string_view operation, KeyRef key, std::string_view value,
             std::optional<std::chrono::milliseconds> ttl);
  std::optional<LastModifiedItem> get(KeyRef key);
  bool erase(KeyRef key);
  // Removes the entries held from the Store (one transaction) and from memory; returns how many
  // live keys the Store removed.
  std::size_t clear();

  // The Store's on_change callback: applies one committed change to memory. Never throws (on a
  // failure the key's entry is dropped).
  void on_event(const Event& event) noexcept;

  // Jobs. Drops the expired entries from memory, then purges the Store.
  void cleanup();
  // Replays the change log since the last validation (all of memory after a Compacted).
  void validate();

 private:
  std::optional<LastModifiedItem> load_missing(KeyRef key);
  void apply_change(const Event& event);
  void apply_own_set(const Event& event, std::optional<std::chrono::milliseconds> ttl,
                     LastModifiedCache::Slot& slot);
  // Re-reads `key` from the Store; drops the entry if the Store no longer has the key and the
  // entry's revision is below `stale_below`.
  void refresh(KeyRef key, std::uint64_t stale_below);
  void drop_after_failure(const Event& event) noexcept;
  void validate_all();

  Store& store_;
  const std::shared_ptr<LastModifiedCounters> counters_;
  LastModifiedCache cache_;
  std::atomic<std::uint64_t> validated_revision_;  // the change log is applied up to here
};

}  // namespace kvstore::detail
