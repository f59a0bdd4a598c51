#include "scoped/quota.hpp"

#include <string>

#include "core/namespace_counts.hpp"
#include "storage/kv_rows.hpp"
#include "storage/prefix_range.hpp"

namespace kvstore::detail {
namespace {

using Usage = NamespaceCounts::Usage;

// What storing group/key would add: a key unless its row exists, a group unless it holds a row.
Usage added_by(KvRows& kv, std::string_view group, std::string_view key) {
  if (kv.exists(group, key)) return {0, 0};
  return {1, kv.group_exists(group) ? 0u : 1u};
}

// The first limit that `usage + added` breaks, or nullptr. The limits are not negative (the
// ScopedStore checked them).
const char* broken_limit(const QuotaConfig& quota, Usage usage, Usage added, std::uint64_t& limit) {
  const auto max_keys = static_cast<std::uint64_t>(quota.max_keys);
  const auto max_groups = static_cast<std::uint64_t>(quota.max_groups);
  if (max_keys && usage.keys + added.keys > max_keys) {
    limit = max_keys;
    return "max_keys";
  }
  if (max_groups && usage.groups + added.groups > max_groups) {
    limit = max_groups;
    return "max_groups";
  }
  return nullptr;
}

}  // namespace

bool within_quota(HeldStore& held, std::string_view ns, const QuotaConfig& quota,
                  std::string_view group, std::string_view key) {
  if (!quota.max_keys && !quota.max_groups) return true;
  std::uint64_t limit = 0;
  // Fast path: even a new key in a new group fits.
  if (!broken_limit(quota, held.counts().usage(ns), {1, 1}, limit)) return true;
  return !broken_limit(quota, held.counts().usage(ns), added_by(held.kv(), group, key), limit);
}

void check_quota(HeldStore& held, const Operation& op, std::string_view ns,
                 const QuotaConfig& quota, std::string_view group, std::string_view key,
                 std::int64_t now) {
  if (within_quota(held, ns, quota, group, key)) return;
  // Expired rows are still counted until deleted: delete this namespace's, then look again.
  const auto range = PrefixRange::of(std::string(ns) + ':');
  while (held.purge_batch(now, 1000, &range) > 0) {
  }
  std::uint64_t limit = 0;
  const char* name =
      broken_limit(quota, held.counts().usage(ns), added_by(held.kv(), group, key), limit);
  if (name) {
    throw QuotaExceeded(op.message("quota exceeded for namespace " + std::string(ns) + ": " + name +
                                   " = " + std::to_string(limit)));
  }
}

}  // namespace kvstore::detail
