#include "index.hpp"

#include <algorithm>

#include "keyspace.hpp"
#include "op_kinds.hpp"

namespace history {

const std::vector<KeyName>& checked_keys() {
  static const std::vector<KeyName> keys = [] {
    std::vector<KeyName> out;
    for (const auto& group : kCheckedGroups) {
      for (const auto& key : kKeys) out.emplace_back(group, key);
    }
    return out;
  }();
  return keys;
}

bool unrecordable(kvstore::EventType type, const std::string& group) {
  return type == kvstore::EventType::expire && group == kTtlGroup;
}

Index::Index(const History& history) {
  for (const auto& call : history.calls) {
    for (const auto& change : call.changes) add(call, change);
    const auto kind = kind_of(call.op);
    const bool failed_put = kind == OpKind::put && !call.ok();
    if ((failed_put || kind == OpKind::never_published) && call.written) {
      unpublished_.emplace(*call.written, &call);
    }
  }
  for (auto& [key, writes] : by_key_) {
    std::sort(writes.begin(), writes.end(),
              [](const Write& a, const Write& b) { return a.revision() < b.revision(); });
  }
}

void Index::add(const Call& call, const Change& change) {
  const Write write{&call, &change};
  const auto [at, added] = by_revision_.emplace(change.revision, write);
  if (!added) duplicates_.emplace_back(at->second, write);
  if (change.type == kvstore::EventType::set && change.value && !change.value->empty()) {
    by_value_.emplace(*change.value, write);
  }
  if (change.type == kvstore::EventType::delete_group) {
    for (const auto& key : kKeys) by_key_[{change.group, key}].push_back(write);
  } else {
    by_key_[{change.group, change.key}].push_back(write);
  }
}

const Write* Index::at(std::uint64_t revision) const {
  const auto found = by_revision_.find(revision);
  return found == by_revision_.end() ? nullptr : &found->second;
}

const Write* Index::stored(const std::string& value) const {
  const auto found = by_value_.find(value);
  return found == by_value_.end() ? nullptr : &found->second;
}

const Call* Index::unpublished(const std::string& value) const {
  const auto found = unpublished_.find(value);
  return found == unpublished_.end() ? nullptr : found->second;
}

const std::vector<Write>& Index::writes_to(const KeyName& key) const {
  static const std::vector<Write> none;
  const auto found = by_key_.find(key);
  return found == by_key_.end() ? none : found->second;
}

}  // namespace history
