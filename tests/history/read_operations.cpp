// Reads through the Store, the ScopedStore and the LastModifiedStore (with the layer's writes).
#include "keyspace.hpp"
#include "operations.hpp"

namespace history {
namespace {

// Records get_all of `group` (as the Store holds it) through `target`.
template <class Target>
void read_group(Context& c, Target& target, const std::string& op, const std::string& group,
                const std::string& stored) {
  c.record(c.call(op, stored), [&](Call& call) {
    for (auto& entry : target.get_all(group)) call.entries.emplace_back(entry);
  });
}

}  // namespace

void store_read(Context& c) {
  const auto& key = c.key();
  // The "ttl" group now and then: its reads expire keys lazily (a write inside a read).
  const auto& group = c.below(8) == 0 ? kTtlGroup : c.checked_group();
  auto& store = c.store;
  switch (c.weighted({3, 1, 2, 1, 1, 1, 1})) {
    case 0:
      return c.record(c.call("get", group, key),
                      [&](Call& call) { call.value = store.get(group, key); });
    case 1:
      return c.record(c.call("get_json", group, key), [&](Call& call) {
        if (const auto json = store.get_json(group, key)) call.value = json->dump();
      });
    case 2:
      return c.record(c.call("reader", group, key), [&](Call& call) {
        auto reader = store.open_reader(group, key);
        if (!reader) return;
        call.value = reader->read_all();
        call.number = reader->metadata().revision;
      });
    case 3:
      return c.record(c.call("stat", group, key), [&](Call& call) {
        if (const auto meta = store.stat(group, key)) call.number = meta->revision;
      });
    case 4:
      return read_group(c, store, "get_all", group, group);
    case 5:
      return c.record(c.call("tenant.get", kScopedGroup, key),
                      [&](Call& call) { call.value = c.tenant.get(kTenantGroup, key); });
    default:
      return read_group(c, c.tenant, "tenant.get_all", kTenantGroup, kScopedGroup);
  }
}

void layer_operation(Context& c) {
  const auto& key = c.key();
  auto& layer = c.layer;
  switch (c.weighted({3, 2, 1})) {
    case 0: {
      const auto& group = c.checked_group();
      return c.record(c.call("layer.get", group, key), [&](Call& call) {
        if (auto item = layer.get(group, key)) call.value = std::move(item->value);
      });
    }
    case 1: {
      const auto& group = c.plain_group();
      return c.put("layer.set", group, key,
                   [&](const std::string& value) { layer.set(group, key, value); });
    }
    default: {
      const auto& group = c.plain_group();
      return c.record(c.call("layer.erase", group, key),
                      [&](Call& call) { call.number = layer.erase(group, key) ? 1 : 0; });
    }
  }
}

}  // namespace history
