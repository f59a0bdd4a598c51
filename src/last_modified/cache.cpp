#include "last_modified/cache.hpp"

#include <algorithm>
#include <limits>

#include "util/operation.hpp"

namespace kvstore::detail {
namespace {

bool expired_now(const Entry& entry) { return entry.expiring() && entry.expired_at(Clock::now()); }

std::atomic<std::uint64_t>* counter_for(LastModifiedCounters& counters, Removal why) {
  switch (why) {
    case Removal::expired:
      return &counters.expirations;
    case Removal::evicted:
      return &counters.evictions;
    case Removal::erased:
      break;
  }
  return nullptr;
}

}  // namespace

void LastModifiedCache::Slot::release() noexcept {
  if (cache_) std::exchange(cache_, nullptr)->release_room();
}

LastModifiedCache::LastModifiedCache(std::size_t max_size, FullPolicy policy,
                                     std::shared_ptr<LastModifiedCounters> counters)
    : max_size_(max_size), policy_(policy), counters_(std::move(counters)) {}

template <class Fn>
void LastModifiedCache::for_each_shard_shared(Fn&& fn) const {
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    fn(shard);
  }
}

template <class Fn>
void LastModifiedCache::for_each_shard_exclusive(Fn&& fn) {
  for (Shard& shard : shards_) {
    std::unique_lock lock(shard.mutex);
    fn(shard);
  }
}

// ---- room and entries ----

bool LastModifiedCache::try_occupy() noexcept {
  std::size_t occupied = occupied_.load();
  do {
    if (rejecting() && occupied >= max_size_) return false;
  } while (!occupied_.compare_exchange_weak(occupied, occupied + 1));
  return true;
}

void LastModifiedCache::insert_locked(Place place, KeyRef key, const Version& version) {
  const bool expiring = version.expires_at.has_value();
  try {
    const Stamp stamp = stamp_for(version);
    if (evicting()) {
      std::lock_guard order(order_mutex_);
      order_.emplace(stamp, OrderedKey{std::string(key.group), std::string(key.key)});
    }
    try {
      place.shard.table.insert(place.hash, Entry(key, version, stamp));
    } catch (...) {
      if (evicting()) {
        std::lock_guard order(order_mutex_);
        order_.erase(stamp);
      }
      throw;
    }
  } catch (...) {
    release_room();
    throw;
  }
  entries_.fetch_add(1);
  if (expiring) expiring_.fetch_add(1);
}

void LastModifiedCache::replace_locked(Entry& entry, const Version& version) {
  const Stamp stamp = stamp_for(version);
  if (evicting()) {
    std::lock_guard order(order_mutex_);
    auto node = order_.extract(entry.stamp());
    node.key() = stamp;
    order_.insert(std::move(node));
  }
  if (entry.expiring() != version.expires_at.has_value()) {
    entry.expiring() ? expiring_.fetch_sub(1) : expiring_.fetch_add(1);
  }
  entry.replace(version, stamp);
}

void LastModifiedCache::forget_locked(const Entry& entry, Removal why) {
  if (evicting()) {
    std::lock_guard order(order_mutex_);
    order_.erase(entry.stamp());
  }
  if (entry.expiring()) expiring_.fetch_sub(1);
  entries_.fetch_sub(1);
  release_room();
  if (auto* counter = counter_for(*counters_, why)) counter->fetch_add(1);
}

void LastModifiedCache::erase_locked(Place place, KeyRef key, const Entry& entry, Removal why) {
  forget_locked(entry, why);
  place.shard.table.erase(key, place.hash);
}

bool LastModifiedCache::replace_if_newer_locked(Place place, KeyRef key, const Version& version) {
  Entry* entry = place.shard.table.find(key, place.hash);
  if (!entry) return false;
  if (entry->revision() < version.revision) replace_locked(*entry, version);
  return true;
}

// ---- get ----

LastModifiedCache::Lookup LastModifiedCache::find(KeyRef key) const {
  const std::uint64_t hash = hash_of(key);
  const Shard& shard = shards_[shard_index(hash)];
  std::shared_lock lock(shard.mutex);
  const Entry* entry = shard.table.find(key, hash);
  if (!entry) {
    const bool absent =
        shard.absent_generation == shard.generation && shard.absent.find(key, hash) != nullptr;
    return {std::nullopt, false, absent};
  }
  if (expired_now(*entry)) return {std::nullopt, true};
  return {entry->item(), false};
}

void LastModifiedCache::remove_if_expired(KeyRef key) {
  const Place place = place_of(key);
  std::unique_lock lock(place.shard.mutex);
  const Entry* entry = place.shard.table.find(key, place.hash);
  if (entry && expired_now(*entry)) erase_locked(place, key, *entry, Removal::expired);
}

std::uint64_t LastModifiedCache::generation(KeyRef key) const {
  const Shard& shard = shards_[shard_index(hash_of(key))];
  std::shared_lock lock(shard.mutex);
  return shard.generation;
}

void LastModifiedCache::insert_loaded(KeyRef key, const Version& version,
                                      std::uint64_t generation) {
  {
    const Place place = place_of(key);
    std::unique_lock lock(place.shard.mutex);
    if (replace_if_newer_locked(place, key, version)) return;
    if (place.shard.generation != generation || !try_occupy()) return;
    insert_locked(place, key, version);
  }
  evict_excess();
}

void LastModifiedCache::insert_absent(KeyRef key, std::uint64_t generation) {
  const Place place = place_of(key);
  std::unique_lock lock(place.shard.mutex);
  Shard& shard = place.shard;
  if (shard.generation != generation) return;
  if (shard.absent_generation != generation || shard.absent.size() >= kAbsentPerShard) {
    shard.absent.erase_if([](const Entry&) { return true; });
    shard.absent_generation = generation;
  }
  if (!shard.absent.find(key, place.hash)) shard.absent.insert(place.hash, Entry(key, {}, {}));
}

void LastModifiedCache::forget_absences() {
  for_each_shard_exclusive([](Shard& shard) { ++shard.generation; });
}

// ---- set ----

LastModifiedCache::Slot LastModifiedCache::reserve(KeyRef key, std::string_view operation) {
  if (!rejecting()) return {};
  {
    const Place place = place_of(key);
    std::shared_lock lock(place.shard.mutex);
    if (place.shard.table.find(key, place.hash)) return {};
  }
  if (try_occupy()) return Slot(this);
  remove_expired();
  if (try_occupy()) return Slot(this);
  counters_->rejected_full.fetch_add(1);
  throw StoreFull(Operation::of(operation, key.group, key.key)
                      .message("the LastModifiedStore is full (max_size " +
                               std::to_string(max_size_) + ", FullPolicy::reject)"));
}

void LastModifiedCache::apply_write(KeyRef key, const Version& version, Slot& slot) {
  {
    const Place place = place_of(key);
    std::unique_lock lock(place.shard.mutex);
    ++place.shard.generation;
    if (replace_if_newer_locked(place, key, version)) return;
    if (!slot.held() && !try_occupy()) return;
    slot.consume();
    insert_locked(place, key, version);
  }
  evict_excess();
}

// ---- coherence ----

bool LastModifiedCache::note_change(KeyRef key, std::uint64_t revision) {
  const Place place = place_of(key);
  std::unique_lock lock(place.shard.mutex);
  ++place.shard.generation;
  const Entry* entry = place.shard.table.find(key, place.hash);
  return entry && entry->revision() < revision;
}

void LastModifiedCache::update_if_newer(KeyRef key, const Version& version) {
  const Place place = place_of(key);
  std::unique_lock lock(place.shard.mutex);
  ++place.shard.generation;
  replace_if_newer_locked(place, key, version);
}

void LastModifiedCache::remove_before(KeyRef key, std::uint64_t revision, Removal why) {
  const Place place = place_of(key);
  std::unique_lock lock(place.shard.mutex);
  ++place.shard.generation;
  const Entry* entry = place.shard.table.find(key, place.hash);
  if (entry && entry->revision() < revision) erase_locked(place, key, *entry, why);
}

template <class Matches>
void LastModifiedCache::remove_matching(Matches&& matches) {
  for_each_shard_exclusive([&](Shard& shard) {
    ++shard.generation;
    shard.table.erase_if([&](const Entry& entry) {
      if (!matches(entry)) return false;
      forget_locked(entry, Removal::erased);
      return true;
    });
  });
}

void LastModifiedCache::remove_group_before(std::string_view group, std::uint64_t revision) {
  remove_matching(
      [&](const Entry& entry) { return entry.group() == group && entry.revision() < revision; });
}

void LastModifiedCache::remove_all_before(std::uint64_t revision) {
  remove_matching([&](const Entry& entry) { return entry.revision() < revision; });
}

void LastModifiedCache::invalidate(KeyRef key) {
  remove_before(key, std::numeric_limits<std::uint64_t>::max(), Removal::erased);
}

// ---- whole memory ----

std::size_t LastModifiedCache::remove_expired() {
  if (expiring_.load() == 0) return 0;
  const auto now = Clock::now();
  std::size_t removed = 0;
  for_each_shard_exclusive([&](Shard& shard) {
    shard.table.erase_if([&](const Entry& entry) {
      if (!entry.expired_at(now)) return false;
      forget_locked(entry, Removal::expired);
      ++removed;
      return true;
    });
  });
  return removed;
}

std::size_t LastModifiedCache::live_size() const {
  if (expiring_.load() == 0) return entries_.load();
  const auto now = Clock::now();
  std::size_t live = 0;
  for_each_shard_shared([&](const Shard& shard) {
    shard.table.for_each([&](const Entry& entry) { live += entry.expired_at(now) ? 0 : 1; });
  });
  return live;
}

std::vector<std::tuple<std::string, std::string, LastModifiedItem>> LastModifiedCache::live_items()
    const {
  const auto now = Clock::now();
  std::vector<std::tuple<std::string, std::string, LastModifiedItem>> items;
  for_each_shard_shared([&](const Shard& shard) {
    shard.table.for_each([&](const Entry& entry) {
      if (!entry.expired_at(now)) {
        items.emplace_back(std::string(entry.group()), std::string(entry.key()), entry.item());
      }
    });
  });
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  return items;
}

std::vector<KeyVersion> LastModifiedCache::versions() const {
  std::vector<KeyVersion> versions;
  for_each_shard_shared([&](const Shard& shard) {
    shard.table.for_each([&](const Entry& entry) {
      versions.push_back({std::string(entry.group()), std::string(entry.key()), entry.revision()});
    });
  });
  return versions;
}

// ---- eviction ----

void LastModifiedCache::evict_excess() {
  if (!evicting()) return;
  while (entries_.load() > max_size_ && evict_one()) {
  }
}

bool LastModifiedCache::evict_one() {
  std::optional<std::pair<Stamp, OrderedKey>> oldest;
  {
    std::lock_guard order(order_mutex_);
    if (order_.empty()) return false;
    oldest.emplace(*order_.begin());
  }
  const KeyRef key{oldest->second.group, oldest->second.key};
  const Place place = place_of(key);
  std::unique_lock lock(place.shard.mutex);
  const Entry* entry = place.shard.table.find(key, place.hash);
  // Changed meanwhile: the next round sees the order as it is now.
  if (!entry || entry->stamp() != oldest->first) return true;
  ++place.shard.generation;
  erase_locked(place, key, *entry, Removal::evicted);
  return true;
}

}  // namespace kvstore::detail
