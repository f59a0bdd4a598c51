#include "last_modified/sync.hpp"

#include <limits>

#include "util/operation.hpp"
#include "util/ttl.hpp"

namespace kvstore::detail {
namespace {

using std::chrono::milliseconds;

// A write of the layer in progress on this thread, so that on_event() can tell its event from
// other changes. Scopes nest (a write from inside a Store callback); only the innermost one is
// matched, and only by the first event of the same type, group and key that is not external.
class OwnWrite {
 public:
  OwnWrite(const CacheSync* sync, EventType type, KeyRef key, std::optional<milliseconds> ttl = {},
           LastModifiedCache::Slot* slot = nullptr)
      : sync_(sync), type_(type), key_(key), ttl_(ttl), slot_(slot), outer_(innermost) {
    innermost = this;
  }
  ~OwnWrite() { innermost = outer_; }
  OwnWrite(const OwnWrite&) = delete;
  OwnWrite& operator=(const OwnWrite&) = delete;

  // The innermost write of `sync` on this thread if `event` is its event (now marked delivered).
  static OwnWrite* claim(const CacheSync* sync, const Event& event) {
    OwnWrite* own = innermost;
    if (!own || own->sync_ != sync || own->delivered_ || event.external ||
        event.type != own->type_ || event.group != own->key_.group || event.key != own->key_.key) {
      return nullptr;
    }
    own->delivered_ = true;
    return own;
  }

  bool delivered() const { return delivered_; }
  EventType type() const { return type_; }
  std::optional<milliseconds> ttl() const { return ttl_; }
  LastModifiedCache::Slot& slot() const { return *slot_; }

 private:
  static thread_local OwnWrite* innermost;
  const CacheSync* const sync_;
  const EventType type_;
  const KeyRef key_;
  const std::optional<milliseconds> ttl_;
  LastModifiedCache::Slot* const slot_;
  OwnWrite* const outer_;
  bool delivered_ = false;
};

thread_local OwnWrite* OwnWrite::innermost = nullptr;

KeyRef key_of(const Event& event) { return {event.group, event.key}; }

// from + ttl, saturated at the clock's end.
Clock::time_point expiry_after(Clock::time_point from, milliseconds ttl) {
  const auto room = std::chrono::duration_cast<milliseconds>(Clock::time_point::max() - from);
  return ttl >= room ? Clock::time_point::max() : from + ttl;
}

// A version of a key read from the Store, owning its value.
struct StoredVersion {
  LastModifiedItem item;
  std::uint64_t revision = 0;
  Version view() const { return {item.value, item.last_modified, item.expires_at, revision}; }
};

// The version of `key` the Store holds now (one consistent version), or nullopt if none.
std::optional<StoredVersion> read_version(Store& store, KeyRef key) {
  constexpr int kAttempts = 3;  // a streamed value replaced while read throws; read the new one
  for (int attempt = 1;; ++attempt) {
    auto reader = store.open_reader(key.group, key.key);
    if (!reader) return std::nullopt;
    try {
      std::string value = reader->read_all();
      const Metadata& meta = reader->metadata();
      return StoredVersion{{std::move(value), meta.last_modified, meta.expires_at}, meta.revision};
    } catch (const StorageError&) {
      throw;
    } catch (const Error&) {
      if (attempt == kAttempts) throw;
    }
  }
}

}  // namespace

CacheSync::CacheSync(Store& store, std::size_t max_size, FullPolicy policy,
                     std::shared_ptr<LastModifiedCounters> counters)
    : store_(store),
      counters_(counters),
      cache_(max_size, policy, std::move(counters)),
      validated_revision_(store.revision()) {}

// ---- data paths ----

void CacheSync::write(std::string_view operation, KeyRef key, std::string_view value,
                      std::optional<milliseconds> ttl) {
  if (ttl) require_positive_ttl(Operation::of(operation, key.group, key.key), *ttl);
  LastModifiedCache::Slot slot = cache_.reserve(key, operation);
  const OwnWrite own(this, EventType::set, key, ttl, &slot);
  if (ttl) {
    store_.set_with_ttl(key.group, key.key, value, *ttl);
  } else {
    store_.set(key.group, key.key, value);
  }
  if (!own.delivered()) cache_.invalidate(key);
}

std::optional<LastModifiedItem> CacheSync::get(KeyRef key) {
  auto found = cache_.find(key);
  if (found.item || found.absent) {
    counters_->hits.add(1);
    return std::move(found.item);
  }
  if (found.expired) cache_.remove_if_expired(key);
  counters_->misses.add(1);
  return load_missing(key);
}

std::optional<LastModifiedItem> CacheSync::load_missing(KeyRef key) {
  const std::uint64_t generation = cache_.generation(key);
  auto version = read_version(store_, key);
  if (!version) {
    cache_.insert_absent(key, generation);
    return std::nullopt;
  }
  cache_.insert_loaded(key, version->view(), generation);
  return std::move(version->item);
}

bool CacheSync::erase(KeyRef key) {
  const OwnWrite own(this, EventType::erase, key);
  const bool existed = store_.erase(key.group, key.key);
  if (!own.delivered()) cache_.invalidate(key);
  return existed;
}

std::size_t CacheSync::clear() {
  const std::vector<KeyVersion> held = cache_.versions();
  std::size_t removed = 0;
  store_.transaction([&](Transaction& tx) {
    removed = 0;
    for (const KeyVersion& entry : held) removed += tx.erase(entry.group, entry.key) ? 1 : 0;
  });
  for (const KeyVersion& entry : held) {
    cache_.remove_before({entry.group, entry.key}, entry.revision + 1, Removal::erased);
  }
  return removed;
}

// ---- events ----

void CacheSync::on_event(const Event& event) noexcept {
  try {
    const OwnWrite* own = OwnWrite::claim(this, event);
    // An own set always carries its value (it is inline); without one the cache reads it back.
    if (own && own->type() == EventType::set && event.value) {
      apply_own_set(event, own->ttl(), own->slot());
    } else {
      apply_change(event);
    }
  } catch (...) {
    drop_after_failure(event);
  }
}

void CacheSync::apply_own_set(const Event& event, std::optional<milliseconds> ttl,
                              LastModifiedCache::Slot& slot) {
  std::optional<Clock::time_point> expires_at;
  if (ttl) expires_at = expiry_after(event.timestamp, *ttl);
  cache_.apply_write(key_of(event), {*event.value, event.timestamp, expires_at, event.revision},
                     slot);
}

void CacheSync::apply_change(const Event& event) {
  switch (event.type) {
    case EventType::set:
      if (cache_.note_change(key_of(event), event.revision)) refresh(key_of(event), event.revision);
      return;
    case EventType::erase:
      cache_.remove_before(key_of(event), event.revision, Removal::erased);
      return;
    case EventType::expire:
      cache_.remove_before(key_of(event), event.revision, Removal::expired);
      return;
    case EventType::delete_group:
      cache_.remove_group_before(event.group, event.revision);
      return;
    case EventType::gap:  // a change below event.revision may have been lost: any older entry
      cache_.remove_all_before(event.revision);
      return;
  }
}

void CacheSync::refresh(KeyRef key, std::uint64_t stale_below) {
  if (const auto version = read_version(store_, key)) {
    cache_.update_if_newer(key, version->view());
  } else {
    cache_.remove_before(key, stale_below, Removal::erased);
  }
}

void CacheSync::drop_after_failure(const Event& event) noexcept {
  try {
    if (event.type == EventType::gap) {
      cache_.remove_all_before(std::numeric_limits<std::uint64_t>::max());
    } else if (event.type == EventType::delete_group) {
      cache_.remove_group_before(event.group, std::numeric_limits<std::uint64_t>::max());
    } else {
      cache_.invalidate(key_of(event));
    }
  } catch (...) {  // nothing left to do: dropping entries allocates nothing
  }
}

// ---- jobs ----

void CacheSync::cleanup() {
  cache_.remove_expired();
  store_.purge_expired();
}

void CacheSync::validate() {
  std::vector<Event> changes;
  try {
    changes = store_.changes_since(validated_revision_.load());
  } catch (const Compacted&) {
    validate_all();
    return;
  }
  for (const Event& change : changes) apply_change(change);
  if (!changes.empty()) validated_revision_.store(changes.back().revision);
}

void CacheSync::validate_all() {
  const std::uint64_t revision = store_.revision();
  cache_.forget_absences();  // the changes that were not replayed may have added any key
  for (const KeyVersion& entry : cache_.versions()) {
    const KeyRef key{entry.group, entry.key};
    const auto meta = store_.stat(key.group, key.key);
    if (!meta) {
      cache_.remove_before(key, entry.revision + 1, Removal::erased);
    } else if (meta->revision != entry.revision) {
      refresh(key, entry.revision + 1);
    }
  }
  validated_revision_.store(revision);
}

}  // namespace kvstore::detail
