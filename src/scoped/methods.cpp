// ScopedStore: each method forwards to the Store with the group inside the namespace; writes
// that may add a key run their quota check in the same atomic write.
#include <algorithm>
#include <new>

#include "events/watcher_state.hpp"
#include "kvstore/scoped_store.hpp"
#include "scoped/seam.hpp"
#include "util/config_check.hpp"
#include "util/json_text.hpp"

namespace kvstore {

namespace {

bool valid_namespace(std::string_view ns) {
  return !ns.empty() && std::all_of(ns.begin(), ns.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string checked_namespace(std::string ns) {
  if (!valid_namespace(ns)) {
    throw InvalidArgument(
        detail::Operation::of("ScopedStore", ns).message("namespace must match ^[A-Za-z0-9-]+$"));
  }
  return ns;
}

QuotaConfig checked_quota(const QuotaConfig& quota, std::string_view ns) {
  if (quota.max_keys >= 0 && quota.max_groups >= 0) return quota;  // allocates nothing
  const auto where = "ScopedStore " + std::string(ns);
  detail::require_not_negative(where, "QuotaConfig::max_keys", quota.max_keys);
  detail::require_not_negative(where, "QuotaConfig::max_groups", quota.max_groups);
  return quota;
}

}  // namespace

ScopedStore::ScopedStore(Store& store, std::string ns, QuotaConfig quota)
    : store_(store),
      ns_(checked_namespace(std::move(ns))),
      prefix_(scoped_in(ns_, {})),
      quota_(checked_quota(quota, ns_)) {}

std::string ScopedStore::scoped_in(std::string_view ns, std::string_view group) {
  try {
    std::string full;
    full.reserve(ns.size() + 1 + group.size());
    return full.append(ns).append(1, ':').append(group);
  } catch (const std::bad_alloc&) {
    detail::throw_out_of_memory(detail::Operation::of("ScopedStore", ns));
  }
}

std::string ScopedStore::scoped(std::string_view group) const { return scoped_in(ns_, group); }

void ScopedStore::quota_checked_set(std::string_view operation, std::string_view group,
                                    std::string_view key, std::string_view value,
                                    std::optional<std::chrono::milliseconds> ttl) {
  detail::ScopedSeam::put_within_quota(store_, operation, ns_, quota_, scoped(group), key, value,
                                       ttl);
}

std::optional<std::string> ScopedStore::get(std::string_view group, std::string_view key) const {
  return store_.get(scoped(group), key);
}

void ScopedStore::set(std::string_view group, std::string_view key, std::string_view value) {
  quota_checked_set("set", group, key, value, std::nullopt);
}

void ScopedStore::set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                               std::chrono::milliseconds ttl) {
  quota_checked_set("set_with_ttl", group, key, value, ttl);
}

bool ScopedStore::erase(std::string_view group, std::string_view key) {
  return store_.erase(scoped(group), key);
}

bool ScopedStore::expire(std::string_view group, std::string_view key,
                         std::chrono::milliseconds ttl) {
  return store_.expire(scoped(group), key, ttl);
}

bool ScopedStore::persist(std::string_view group, std::string_view key) {
  return store_.persist(scoped(group), key);
}

std::optional<TimeToLive> ScopedStore::ttl(std::string_view group, std::string_view key) const {
  return store_.ttl(scoped(group), key);
}

std::vector<std::string> ScopedStore::keys(std::string_view group) const {
  return store_.keys(scoped(group));
}

std::size_t ScopedStore::delete_group(std::string_view group) {
  return store_.delete_group(scoped(group));
}

std::size_t ScopedStore::delete_prefix(std::string_view group_prefix) {
  return store_.delete_prefix(scoped(group_prefix));
}

std::map<std::string, std::string> ScopedStore::get_all(std::string_view group) const {
  return store_.get_all(scoped(group));
}

void ScopedStore::for_each(
    std::string_view group,
    const std::function<bool(std::string_view, std::string_view)>& fn) const {
  store_.for_each(scoped(group), fn);
}

std::size_t ScopedStore::count(std::string_view group) const { return store_.count(scoped(group)); }

std::size_t ScopedStore::count_all(std::string_view group_prefix) const {
  return store_.count_all(scoped(group_prefix));
}

std::vector<std::string> ScopedStore::groups(std::string_view group_prefix) const {
  auto names = store_.groups(scoped(group_prefix));
  for (auto& name : names) name.erase(0, prefix_.size());
  return names;
}

std::size_t ScopedStore::purge_expired() {
  return detail::ScopedSeam::purge_expired_in(store_, prefix_);
}

void ScopedStore::set_json(std::string_view group, std::string_view key,
                           const nlohmann::json& value) {
  const auto full = scoped(group);
  const auto op = detail::Operation::of("set_json", full, key);
  detail::guarded(op, [&] {
    quota_checked_set("set_json", group, key, detail::json_text(value, op), std::nullopt);
  });
}

std::optional<Metadata> ScopedStore::stat(std::string_view group, std::string_view key) const {
  return store_.stat(scoped(group), key);
}

std::optional<BlobReader> ScopedStore::open_reader(std::string_view group,
                                                   std::string_view key) const {
  return store_.open_reader(scoped(group), key);
}

BlobWriter ScopedStore::begin_set(std::string_view group, std::string_view key, Metadata meta,
                                  std::stop_token cancel) {
  const auto full = scoped(group);
  BlobWriter writer = store_.begin_set(full, key, std::move(meta), std::move(cancel));
  detail::ScopedSeam::check_quota_at_commit(writer, ns_, quota_, full, std::string(key));
  return writer;
}

void ScopedStore::transaction(const std::function<void(ScopedTransaction&)>& fn) {
  // Inside the transaction this thread owns the Store's connection, so each call joins it.
  store_.transaction([&](Transaction&) { fn(*this); });
}

Watcher ScopedStore::watch(std::string_view group, std::string_view key,
                           std::optional<std::uint64_t> from_revision, std::size_t capacity) {
  return detail::guarded(detail::Operation::of("watch", group, key), [&] {
    detail::WatchFilter filter;
    const bool all = group == detail::WatchFilter::kWildcard;
    filter.scope =
        all ? detail::WatchFilter::Scope::namespace_groups : detail::WatchFilter::Scope::group;
    filter.group = all ? prefix_ : scoped(group);
    filter.key = std::string(key);
    filter.strip_bytes = prefix_.size();
    return detail::ScopedSeam::watch_filtered(store_, std::move(filter), from_revision, capacity);
  });
}

}  // namespace kvstore
