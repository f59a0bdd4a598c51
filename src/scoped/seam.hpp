// What ScopedStore needs of a Store beyond its public methods, and nothing more: a quota-checked
// write, a purge confined to a namespace, a watch with a namespace filter, and a quota check at
// a streamed value's commit. The only way into Store's and BlobWriter's private state from this
// layer (they name it as their friend); ScopedStore itself sees no internals.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvstore/scoped_store.hpp"

namespace kvstore::detail {

struct WatchFilter;

class ScopedSeam {
 public:
  // Stores group/key = value (with a TTL if `ttl`) in one atomic write that first checks that
  // namespace `ns` stays within `quota` (purging its expired keys if that makes room). Throws
  // QuotaExceeded, InvalidArgument for a ttl <= 0, or what Store::set throws; writes nothing
  // then. `operation` names the call in errors.
  static void put_within_quota(Store& store, std::string_view operation, std::string_view ns,
                               const QuotaConfig& quota, std::string_view group,
                               std::string_view key, std::string_view value,
                               std::optional<std::chrono::milliseconds> ttl);
  // Deletes the expired keys of the groups starting with `group_prefix`; returns how many.
  static std::size_t purge_expired_in(Store& store, std::string_view group_prefix);
  // Store::watch with a filter of its own (a namespace's groups, names stripped of the prefix).
  static Watcher watch_filtered(Store& store, WatchFilter filter,
                                std::optional<std::uint64_t> from_revision, std::size_t capacity);
  // Makes writer's commit check, inside its write, that namespace `ns` stays within `quota`.
  static void check_quota_at_commit(BlobWriter& writer, std::string ns, QuotaConfig quota,
                                    std::string group, std::string key);
};

}  // namespace kvstore::detail
