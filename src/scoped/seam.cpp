#include "scoped/seam.hpp"

#include "blob/stream_state.hpp"
#include "core/store_impl.hpp"
#include "scoped/quota.hpp"
#include "util/ttl.hpp"
#include "util/unix_time.hpp"

namespace kvstore::detail {

void ScopedSeam::put_within_quota(Store& store, std::string_view operation, std::string_view ns,
                                  const QuotaConfig& quota, std::string_view group,
                                  std::string_view key, std::string_view value,
                                  std::optional<std::chrono::milliseconds> ttl) {
  const auto op = Operation::of(operation, group, key);
  if (ttl) require_positive_ttl(op, *ttl);
  Store::Impl& impl = store.impl();
  const auto store_it = [&](HeldStore& held, std::int64_t now) {
    const auto expires_at = ttl ? std::optional(expiry_after(now, *ttl)) : std::nullopt;
    held.put(group, key, {value, expires_at}, value, now);
  };
  // Within the quota as counted, the write is one put, as atomic as a plain set. Otherwise the
  // check may purge first, which the write must be able to roll back with a refusal: a second
  // write, which checks again under its own lock hold.
  const bool stored = impl.write_put(op, group, [&](HeldStore& held) {
    if (!within_quota(held, ns, quota, group, key)) return false;
    store_it(held, now_unix_ms());
    return true;
  });
  if (stored) return;
  impl.write(op, [&](HeldStore& held) {
    const auto now = now_unix_ms();
    check_quota(held, op, ns, quota, group, key, now);
    store_it(held, now);
  });
}

std::size_t ScopedSeam::purge_expired_in(Store& store, std::string_view group_prefix) {
  return store.impl().purge_expired_in(group_prefix);
}

Watcher ScopedSeam::watch_filtered(Store& store, WatchFilter filter,
                                   std::optional<std::uint64_t> from_revision,
                                   std::size_t capacity) {
  return store.watch_filtered(std::move(filter), from_revision, capacity);
}

void ScopedSeam::check_quota_at_commit(BlobWriter& writer, std::string ns, QuotaConfig quota,
                                       std::string group, std::string key) {
  guarded(Operation::of("begin_set", group, key), [&] {
    writer.state_->before_commit = [ns = std::move(ns), quota, group = std::move(group),
                                    key = std::move(key)](HeldStore& held, const Operation& op,
                                                          std::int64_t now) {
      check_quota(held, op, ns, quota, group, key, now);
    };
  });
}

}  // namespace kvstore::detail
