// Single writes on the Store and on the ScopedStore, and the maintenance calls.
#include <chrono>

#include "keyspace.hpp"
#include "operations.hpp"

namespace history {
namespace {

using namespace std::chrono_literals;

// A TTL that does not pass during a run: the write acts as a set, checked like one.
constexpr auto kLongTtl = std::chrono::milliseconds(1h);
// The "ttl" group's TTL: gone almost at once, so purges and lazy expiry have work.
constexpr auto kShortTtl = 1ms;

// A write through `target`: the Store (`prefix` "") or the ScopedStore ("tenant."), whose group
// `group` the Store holds as `stored`.
template <class Target>
void write_through(Context& c, Target& target, const std::string& prefix, const std::string& group,
                   const std::string& stored) {
  const auto& key = c.key();
  switch (c.weighted({6, 2, 1, 4, 1})) {
    case 0:
      return c.put(prefix + "set", stored, key,
                   [&](const std::string& value) { target.set(group, key, value); });
    case 1:
      return c.put(prefix + "set_with_ttl", stored, key, [&](const std::string& value) {
        target.set_with_ttl(group, key, value, kLongTtl);
      });
    case 2:
      return c.put(
          prefix + "set_json", stored, key,
          [&](const std::string& value) { target.set_json(group, key, value); }, true);
    case 3:
      return c.record(c.call(prefix + "erase", stored, key),
                      [&](Call& call) { call.number = target.erase(group, key) ? 1 : 0; });
    default:
      return c.record(c.call(prefix + "delete_group", stored),
                      [&](Call& call) { call.number = target.delete_group(group); });
  }
}

}  // namespace

void plain_write(Context& c) {
  switch (c.weighted({16, 3, 1})) {
    case 0: {
      const auto& group = c.plain_group();
      return write_through(c, c.store, "", group, group);
    }
    case 1: {
      const auto& key = c.key();
      return c.put("ttl.set", kTtlGroup, key, [&](const std::string& value) {
        c.store.set_with_ttl(kTtlGroup, key, value, kShortTtl);
      });
    }
    default: {
      // "a" also empties the tenant's "acme:x": a prefix is byte-wise, across namespaces.
      const std::string prefix = c.below(2) == 0 ? "a" : "b";
      return c.record(c.call("delete_prefix", prefix),
                      [&](Call& call) { call.number = c.store.delete_prefix(prefix); });
    }
  }
}

// Mostly adding keys (write_through's weights), so that the namespace stays at its quota and
// QuotaExceeded is common.
void tenant_write(Context& c) { write_through(c, c.tenant, "tenant.", kTenantGroup, kScopedGroup); }

void maintenance(Context& c) {
  if (c.below(3) == 0) {
    return c.record(c.call("checkpoint", ""), [&](Call&) { c.store.checkpoint(); });
  }
  c.record(c.call("purge_expired", ""), [&](Call& call) { call.number = c.store.purge_expired(); });
}

}  // namespace history
