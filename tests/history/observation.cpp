#include "observation.hpp"

#include <algorithm>

#include "keyspace.hpp"
#include "op_kinds.hpp"

namespace history {
namespace {

// The write a read of `key` returned, by value and/or revision (0: not known); nullptr after
// reporting why there is none.
const Write* resolve(const Call& call, const KeyName& key, const std::optional<std::string>& value,
                     std::uint64_t revision, const Index& index, Violations& violations) {
  // The layer's reads are held to rule 5, the Store's to rule 3.
  const int rule = kind_of(call.op) == OpKind::layer_read ? 5 : 3;
  const Write* write = nullptr;
  if (value) {
    write = index.stored(*value);
    if (!write) {
      if (const Call* failed = index.unpublished(*value)) {
        violations.add(2, "a read returned the value of a write that failed or was aborted",
                       {&call, failed});
      } else {
        const Write* claimed = revision != 0 ? index.at(revision) : nullptr;
        violations.add(rule,
                       "a read returned '" + *value + "', which no write stored" +
                           (revision != 0 ? ", as revision " + std::to_string(revision) : ""),
                       {&call, claimed ? claimed->call : nullptr});
      }
      return nullptr;
    }
    if (revision != 0 && write->revision() != revision) {
      violations.add(rule,
                     "a reader's revision " + std::to_string(revision) +
                         " is not the revision of the value it read",
                     {&call, write->call});
      return nullptr;
    }
  } else {
    write = index.at(revision);
    if (!write || write->change->type != kvstore::EventType::set) {
      violations.add(
          3, "stat returned revision " + std::to_string(revision) + ", which is no recorded set",
          {&call});
      return nullptr;
    }
  }
  if (write->change->group != key.first || write->change->key != key.second) {
    violations.add(
        rule,
        "a read of " + key.first + "/" + key.second + " returned what was written to another key",
        {&call, write->call});
    return nullptr;
  }
  return write;
}

}  // namespace

std::vector<Observation> observations_of(const Call& call, const Index& index,
                                         Violations& violations) {
  std::vector<Observation> out;
  const auto observe = [&](const KeyName& key, const std::optional<std::string>& value,
                           std::uint64_t revision) {
    Observation seen{&call, key, value.has_value() || revision != 0, nullptr};
    if (seen.present) {
      seen.write = resolve(call, key, value, revision, index, violations);
      if (!seen.write) return;
    }
    out.push_back(seen);
  };
  switch (kind_of(call.op)) {
    case OpKind::read_value:
    case OpKind::layer_read:
      observe({call.group, call.key}, call.value, call.number);
      break;
    case OpKind::read_revision:
      observe({call.group, call.key}, std::nullopt, call.number);
      break;
    case OpKind::read_group:
      for (const auto& [key, value] : call.entries) {
        if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
          violations.add(3, "get_all returned key '" + key + "', which nobody writes", {&call});
        }
      }
      for (const auto& key : kKeys) {
        const auto entry = std::find_if(call.entries.begin(), call.entries.end(),
                                        [&](const auto& e) { return e.first == key; });
        observe({call.group, key},
                entry == call.entries.end() ? std::nullopt : std::optional(entry->second), 0);
      }
      break;
    default:
      break;
  }
  return out;
}

}  // namespace history
