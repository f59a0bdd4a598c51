// The memory of a LastModifiedStore: entries keyed by (group, key), split into shards so that
// readers of different keys never share a lock, with the capacity rules of LastModifiedConfig.
// It never calls the Store nor user code.
//
// Locking: each shard's `mutex` (a shared_mutex) guards the shard's entries and generation;
// lookups take it shared, changes exclusive, and a thread never holds two shard locks.
// `order_mutex_` guards the eviction order; it is taken inside a shard lock (shard, then order;
// never the reverse). The sizes and counters are atomics.
//
// Versions: every entry remembers the Store revision of the version it holds, and an update never
// replaces a newer version by an older one, whatever order the threads arrive in.
// Generations: every change a shard receives bumps its generation. A get miss that read the
// Store caches what it read only if the generation has not moved since before the read, so a
// read that raced with a commit never overwrites, nor brings back, what the commit published.
// Absences: a get miss that found no key records that in its shard, tagged with the generation
// read before the read; the record holds only while the shard's generation stays there, so every
// change the shard receives (any of the coherence calls below, for any key of the shard) drops
// all of its absences at once. At most kAbsentPerShard are kept per shard (then they are dropped
// and recorded anew); they are not entries: not counted in max_size, size() or list().
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kvstore/last_modified_store.hpp"
#include "last_modified/counters.hpp"
#include "last_modified/table.hpp"

namespace kvstore::detail {

struct KeyVersion {
  std::string group, key;
  std::uint64_t revision = 0;
};

// Why an entry leaves memory (expired and evicted ones are counted).
enum class Removal { erased, expired, evicted };

class LastModifiedCache {
 public:
  // max_size 0 = unlimited.
  LastModifiedCache(std::size_t max_size, FullPolicy policy,
                    std::shared_ptr<LastModifiedCounters> counters);
  LastModifiedCache(const LastModifiedCache&) = delete;
  LastModifiedCache& operator=(const LastModifiedCache&) = delete;

  // Room for one new entry, reserved before a write reaches the Store (FullPolicy::reject with a
  // max_size only), so that concurrent writers of new keys cannot overfill memory. Move-only;
  // gives the room back on destruction unless an entry took it.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept : cache_(std::exchange(other.cache_, nullptr)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() { release(); }
    bool held() const { return cache_ != nullptr; }
    void release() noexcept;                       // gives the room back
    void consume() noexcept { cache_ = nullptr; }  // an entry took the room

   private:
    friend class LastModifiedCache;
    explicit Slot(LastModifiedCache* cache) : cache_(cache) {}
    LastModifiedCache* cache_ = nullptr;
  };

  // get: the live item of `key` (a copy), or why there is none.
  struct Lookup {
    std::optional<LastModifiedItem> item;
    bool expired = false;  // an expired entry is still held (drop it with remove_if_expired)
    bool absent = false;   // known absent from the Store (insert_absent): no need to read it
  };
  Lookup find(KeyRef key) const;
  // Removes `key` if its entry has expired (counted).
  void remove_if_expired(KeyRef key);
  // The generation of `key`'s shard, read before a get miss reads the Store.
  std::uint64_t generation(KeyRef key) const;
  // Caches what a get miss read: replaces an older version, or inserts if the shard's generation
  // is still `generation` and there is room (none with reject when full; evicts otherwise).
  void insert_loaded(KeyRef key, const Version& version, std::uint64_t generation);
  // Records what a get miss found: no key, if the shard's generation is still `generation`.
  void insert_absent(KeyRef key, std::uint64_t generation);
  // Drops every absence recorded (the Store may have changed in ways no event reported).
  void forget_absences();

  // set: returns a Slot holding room when `key` is a new entry and the policy is reject with a
  // max_size, an empty Slot when no room is needed. Throws StoreFull (counted), naming
  // `operation` and the key, when memory is full even after dropping the expired entries.
  Slot reserve(KeyRef key, std::string_view operation);
  // The layer's own committed write, in commit order: replaces an older version or inserts
  // (using `slot`'s room, or free room; with reject and no room the key is left uncached).
  void apply_write(KeyRef key, const Version& version, Slot& slot);

  // Coherence. Records that `key` changed in the Store at `revision`; returns whether memory
  // holds an older version of it (the caller then refreshes it: update_if_newer or
  // remove_before).
  bool note_change(KeyRef key, std::uint64_t revision);
  // Replaces the entry of `key` by `version` if memory holds an older one.
  void update_if_newer(KeyRef key, const Version& version);
  // Removes the entry of `key` if its revision is below `revision`.
  void remove_before(KeyRef key, std::uint64_t revision, Removal why);
  // Removes the entries of `group` whose revision is below `revision`. O(entries).
  void remove_group_before(std::string_view group, std::uint64_t revision);
  // Removes every entry whose revision is below `revision`. O(entries).
  void remove_all_before(std::uint64_t revision);
  // Removes the entry of `key`, whatever its version.
  void invalidate(KeyRef key);

  // Whole memory. Removes the expired entries (counted); returns how many.
  std::size_t remove_expired();
  // Live entries: O(1) when no entry has a TTL, O(entries) otherwise.
  std::size_t live_size() const;
  // Copies of the live entries, sorted by group and key.
  std::vector<std::tuple<std::string, std::string, LastModifiedItem>> live_items() const;
  // The key and revision of every entry held (expired ones included).
  std::vector<KeyVersion> versions() const;

 private:
  struct Shard;
  // Where a key lives: its shard and its hash (computed once per call).
  struct Place {
    Shard& shard;
    std::uint64_t hash;
  };
  struct alignas(64) Shard {
    mutable std::shared_mutex mutex;
    EntryTable table;
    std::uint64_t generation = 0;
    EntryTable absent;                    // keys known absent (empty values), while...
    std::uint64_t absent_generation = 0;  // ...generation is still this
  };
  static constexpr std::size_t kAbsentPerShard = 256;
  struct OrderedKey {
    std::string group, key;
  };
  static constexpr std::size_t kShards = 64;  // shard_index() yields 6 bits

  static std::size_t shard_index(std::uint64_t hash) {
    return (hash * 0x9e3779b97f4a7c15ULL) >> 58;  // the high bits; tables use the low ones
  }
  Place place_of(KeyRef key) {
    const std::uint64_t hash = hash_of(key);
    return {shards_[shard_index(hash)], hash};
  }
  bool limited() const { return max_size_ > 0; }
  bool rejecting() const { return limited() && policy_ == FullPolicy::reject; }
  bool evicting() const { return limited() && policy_ == FullPolicy::evict_oldest; }

  // Room accounting: occupied_ = entries + reserved slots.
  bool try_occupy() noexcept;
  void release_room() noexcept { occupied_.fetch_sub(1); }

  // Under the shard's exclusive lock. insert_locked needs the room already taken, and gives it
  // back if it throws.
  void insert_locked(Place place, KeyRef key, const Version& version);
  void replace_locked(Entry& entry, const Version& version);
  void erase_locked(Place place, KeyRef key, const Entry& entry, Removal why);
  // The bookkeeping of an entry about to leave its table.
  void forget_locked(const Entry& entry, Removal why);
  // Replaces an older version; returns false if memory does not hold `key`.
  bool replace_if_newer_locked(Place place, KeyRef key, const Version& version);
  Stamp stamp_for(const Version& version) {
    return {version.last_modified, next_seq_.fetch_add(1)};
  }

  // evict_oldest: drops least recently modified entries until memory fits. No lock held.
  // Removes (as erased) every entry for which matches(entry) holds, under each shard's lock.
  template <class Matches>
  void remove_matching(Matches&& matches);
  void evict_excess();
  bool evict_one();
  // Calls fn(shard) for every shard under its shared (const) or exclusive lock.
  template <class Fn>
  void for_each_shard_shared(Fn&& fn) const;
  template <class Fn>
  void for_each_shard_exclusive(Fn&& fn);

  const std::size_t max_size_;
  const FullPolicy policy_;
  const std::shared_ptr<LastModifiedCounters> counters_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> entries_{0};   // entries held
  std::atomic<std::size_t> occupied_{0};  // entries + reserved slots
  std::atomic<std::size_t> expiring_{0};  // entries with a TTL
  std::atomic<std::uint64_t> next_seq_{0};
  std::mutex order_mutex_;
  std::map<Stamp, OrderedKey> order_;  // guarded by order_mutex_; evict_oldest only
};

}  // namespace kvstore::detail
