// The entries of one shard of a LastModifiedCache: an open-addressing hash table (linear probing,
// backward-shift deletion, no tombstones) keyed by (group, key).
//
// Layout, for lookups that touch few cache lines: each slot holds its entry inline, and an
// entry keeps group, key and value in one string, so a hit reads the slot and that string (two
// cache misses at most for a cold entry, where a node-based map needs four or five).
//
// Not thread-safe: the shard's lock guards it. Entry pointers stay valid until the next insert
// or erase.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvstore/last_modified_store.hpp"

namespace kvstore::detail {

struct KeyRef {
  std::string_view group, key;
};

// The hash of a key as the tables use it (never 0, which marks an empty slot).
std::uint64_t hash_of(KeyRef key) noexcept;

// Position in a cache's eviction order: last-modified time, ties broken by arrival.
struct Stamp {
  Clock::time_point last_modified;
  std::uint64_t seq = 0;
  auto operator<=>(const Stamp&) const = default;
};

// One version of a key, as committed to the Store. Borrows the value: the entry copies it.
struct Version {
  std::string_view value;
  Clock::time_point last_modified;
  std::optional<Clock::time_point> expires_at;
  std::uint64_t revision = 0;
};

class Entry {
 public:
  Entry() = default;
  Entry(KeyRef key, const Version& version, Stamp stamp);

  std::string_view group() const { return std::string_view(bytes_).substr(0, group_size_); }
  std::string_view key() const { return std::string_view(bytes_).substr(group_size_, key_size_); }
  std::string_view value() const {
    return std::string_view(bytes_).substr(group_size_ + key_size_);
  }
  bool matches(KeyRef key) const { return group() == key.group && this->key() == key.key; }
  // A copy of the item.
  LastModifiedItem item() const { return {std::string(value()), last_modified_, expires_at_}; }
  bool expired_at(Clock::time_point now) const { return expires_at_ && *expires_at_ <= now; }
  bool expiring() const { return expires_at_.has_value(); }
  std::uint64_t revision() const { return revision_; }
  const Stamp& stamp() const { return stamp_; }
  // Takes `version` (same key), in place.
  void replace(const Version& version, Stamp stamp);

 private:
  std::string bytes_;  // group + key + value
  std::size_t group_size_ = 0, key_size_ = 0;
  std::uint64_t revision_ = 0;
  Clock::time_point last_modified_;
  std::optional<Clock::time_point> expires_at_;
  Stamp stamp_;
};

class EntryTable {
 public:
  // The entry of `key` (whose hash_of is `hash`), or null.
  Entry* find(KeyRef key, std::uint64_t hash);
  const Entry* find(KeyRef key, std::uint64_t hash) const;
  // Adds `entry`, whose key must not be in the table yet.
  void insert(std::uint64_t hash, Entry&& entry);
  // Removes the entry of `key`, if any.
  void erase(KeyRef key, std::uint64_t hash);
  // Removes the entries for which remove(entry) returns true; remove runs before the removal.
  template <class Remove>
  void erase_if(Remove&& remove);
  template <class Fn>
  void for_each(Fn&& fn) const;
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;  // 0: empty
    Entry entry;
  };
  // The slot of `key`, or the empty slot ending its probe run.
  std::size_t probe(KeyRef key, std::uint64_t hash) const;
  std::size_t mask() const { return slots_.size() - 1; }
  void grow();
  void place(std::uint64_t hash, Entry&& entry);
  void erase_at(std::size_t index);

  std::vector<Slot> slots_;  // a power of two in size, at most 3/4 full; empty until used
  std::size_t size_ = 0;
};

template <class Remove>
void EntryTable::erase_if(Remove&& remove) {
  // Backward shift moves a later entry into the freed slot: look at the same index again. An
  // entry moved across the end of the array to its start was already looked at (and kept).
  for (std::size_t i = 0; i < slots_.size();) {
    if (slots_[i].hash != 0 && remove(static_cast<const Entry&>(slots_[i].entry))) {
      erase_at(i);
    } else {
      ++i;
    }
  }
}

template <class Fn>
void EntryTable::for_each(Fn&& fn) const {
  for (const Slot& slot : slots_) {
    if (slot.hash != 0) fn(slot.entry);
  }
}

}  // namespace kvstore::detail
