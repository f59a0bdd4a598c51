#include "last_modified/table.hpp"

#include <functional>
#include <utility>

namespace kvstore::detail {

std::uint64_t hash_of(KeyRef key) noexcept {
  const std::hash<std::string_view> hash;
  const std::uint64_t g = hash(key.group);
  const std::uint64_t h = g ^ (hash(key.key) + 0x9e3779b97f4a7c15ULL + (g << 6) + (g >> 2));
  return h == 0 ? 1 : h;
}

// ---- Entry ----

Entry::Entry(KeyRef key, const Version& version, Stamp stamp)
    : group_size_(key.group.size()),
      key_size_(key.key.size()),
      revision_(version.revision),
      last_modified_(version.last_modified),
      expires_at_(version.expires_at),
      stamp_(stamp) {
  bytes_.reserve(key.group.size() + key.key.size() + version.value.size());
  bytes_.append(key.group).append(key.key).append(version.value);
}

void Entry::replace(const Version& version, Stamp stamp) {
  bytes_.replace(group_size_ + key_size_, std::string::npos, version.value);
  revision_ = version.revision;
  last_modified_ = version.last_modified;
  expires_at_ = version.expires_at;
  stamp_ = stamp;
}

// ---- EntryTable ----

Entry* EntryTable::find(KeyRef key, std::uint64_t hash) {
  return const_cast<Entry*>(std::as_const(*this).find(key, hash));
}

const Entry* EntryTable::find(KeyRef key, std::uint64_t hash) const {
  if (slots_.empty()) return nullptr;
  const Slot& slot = slots_[probe(key, hash)];
  return slot.hash == 0 ? nullptr : &slot.entry;
}

std::size_t EntryTable::probe(KeyRef key, std::uint64_t hash) const {
  std::size_t i = hash & mask();
  while (slots_[i].hash != 0 && !(slots_[i].hash == hash && slots_[i].entry.matches(key))) {
    i = (i + 1) & mask();
  }
  return i;
}

void EntryTable::insert(std::uint64_t hash, Entry&& entry) {
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  place(hash, std::move(entry));
  ++size_;
}

void EntryTable::erase(KeyRef key, std::uint64_t hash) {
  if (slots_.empty()) return;
  const std::size_t index = probe(key, hash);
  if (slots_[index].hash != 0) erase_at(index);
}

void EntryTable::grow() {
  std::vector<Slot> old(slots_.empty() ? 16 : slots_.size() * 2);
  old.swap(slots_);
  for (Slot& slot : old) {
    if (slot.hash != 0) place(slot.hash, std::move(slot.entry));
  }
}

void EntryTable::place(std::uint64_t hash, Entry&& entry) {
  std::size_t i = hash & mask();
  while (slots_[i].hash != 0) i = (i + 1) & mask();
  slots_[i].hash = hash;
  slots_[i].entry = std::move(entry);
}

void EntryTable::erase_at(std::size_t hole) {
  // Backward-shift deletion: pull later entries of the probe run into the hole when their home
  // slot does not lie cyclically within (hole, current].
  for (std::size_t i = (hole + 1) & mask(); slots_[i].hash != 0; i = (i + 1) & mask()) {
    const std::size_t home = slots_[i].hash & mask();
    const bool stays = hole < i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (stays) continue;
    slots_[hole].hash = slots_[i].hash;
    slots_[hole].entry = std::move(slots_[i].entry);
    hole = i;
  }
  slots_[hole].hash = 0;
  slots_[hole].entry = Entry();
  --size_;
}

}  // namespace kvstore::detail
