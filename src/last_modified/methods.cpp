// LastModifiedStore: configuration, the data methods and stats. The lifecycle is in
// last_modified/lifecycle.cpp; memory and coherence in last_modified_cache/_sync.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "kvstore/last_modified_store.hpp"
#include "last_modified/impl.hpp"
#include "util/config_check.hpp"
#include "util/operation.hpp"

namespace kvstore {

using detail::KeyRef;
using Impl = LastModifiedStore::Impl;

namespace {

constexpr std::string_view kNotRunning = "the LastModifiedStore is not running";

LastModifiedConfig checked(LastModifiedConfig config) {
  constexpr std::string_view kWhere = "LastModifiedStore";
  detail::require_not_negative(kWhere, "LastModifiedConfig::max_size", config.max_size);
  detail::require_not_negative(kWhere, "LastModifiedConfig::worker_count", config.worker_count);
  detail::require_not_negative(kWhere, "LastModifiedConfig::cleanup_interval",
                               config.cleanup_interval);
  if (config.worker_count == 0) config.worker_count = 2;
  return config;
}

std::uint64_t not_negative(std::int64_t n) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(n, 0));
}

}  // namespace

// ---- Impl ----

Impl::Impl(Store& store, LastModifiedConfig config) : store_(store), config_(checked(config)) {}

Impl::Call::Call(Impl& impl, std::string_view operation) : impl_(impl), inside_(&impl) {
  if (!impl_.enter()) throw NotRunning(detail::Operation::of(operation).message(kNotRunning));
}

Impl::Call::Call(Impl& impl, std::string_view operation, KeyRef key) : impl_(impl), inside_(&impl) {
  if (!impl_.enter()) {
    throw NotRunning(detail::Operation::of(operation, key.group, key.key).message(kNotRunning));
  }
}

void Impl::write(std::string_view operation, KeyRef key, std::string_view value,
                 std::optional<std::chrono::milliseconds> ttl) {
  const Call call(*this, operation, key);
  call.sync().write(operation, key, value, ttl);
  counters_->sets.fetch_add(1);
}

LastModifiedStats Impl::stats() const {
  const detail::LastModifiedCounters& c = *counters_;
  LastModifiedStats stats;
  stats.hits = not_negative(c.hits.sum());
  stats.misses = not_negative(c.misses.sum());
  stats.sets = c.sets.load();
  stats.deletes = c.deletes.load();
  stats.evictions = c.evictions.load();
  stats.expirations = c.expirations.load();
  stats.rejected_full = c.rejected_full.load();
  stats.cleanup_runs = c.cleanup_runs.load();
  stats.jobs_run = c.jobs->run.load();
  stats.jobs_failed = c.jobs->failed.load();
  stats.in_flight = not_negative(in_flight_.sum());
  return stats;
}

// ---- LastModifiedStore ----

LastModifiedStore::LastModifiedStore(Store& backing, LastModifiedConfig config)
    : impl_(std::make_unique<Impl>(backing, config)) {}

LastModifiedStore::~LastModifiedStore() { impl_->shutdown_and_join(); }

const LastModifiedConfig& LastModifiedStore::config() const { return impl_->config(); }

void LastModifiedStore::start(std::stop_token stop) { impl_->start(std::move(stop)); }

bool LastModifiedStore::is_running() const { return impl_->is_running(); }

void LastModifiedStore::shutdown() { impl_->shutdown(); }

void LastModifiedStore::set(std::string_view group, std::string_view key, std::string_view value) {
  impl_->write("set", {group, key}, value, std::nullopt);
}

void LastModifiedStore::set_with_ttl(std::string_view group, std::string_view key,
                                     std::string_view value, std::chrono::milliseconds ttl) {
  impl_->write("set_with_ttl", {group, key}, value, ttl);
}

std::optional<LastModifiedItem> LastModifiedStore::get(std::string_view group,
                                                       std::string_view key) const {
  const Impl::Call call(*impl_, "get", {group, key});
  return call.sync().get({group, key});
}

bool LastModifiedStore::erase(std::string_view group, std::string_view key) {
  const Impl::Call call(*impl_, "erase", {group, key});
  const bool existed = call.sync().erase({group, key});
  if (existed) impl_->count_deletes(1);
  return existed;
}

std::size_t LastModifiedStore::size() const {
  const Impl::Call call(*impl_, "size");
  return call.sync().cache().live_size();
}

std::vector<std::tuple<std::string, std::string, LastModifiedItem>> LastModifiedStore::list()
    const {
  const Impl::Call call(*impl_, "list");
  return call.sync().cache().live_items();
}

void LastModifiedStore::clear() {
  const Impl::Call call(*impl_, "clear");
  impl_->count_deletes(call.sync().clear());
}

std::optional<Clock::time_point> LastModifiedStore::last_modified(std::string_view group,
                                                                  std::string_view key) const {
  const Impl::Call call(*impl_, "last_modified", {group, key});
  const auto item = call.sync().get({group, key});
  if (!item) return std::nullopt;
  return item->last_modified;
}

LastModifiedStats LastModifiedStore::stats() const { return impl_->stats(); }

void to_json(nlohmann::json& out, const LastModifiedStats& stats) {
  out = nlohmann::json{{"hits", stats.hits},
                       {"misses", stats.misses},
                       {"sets", stats.sets},
                       {"deletes", stats.deletes},
                       {"evictions", stats.evictions},
                       {"expirations", stats.expirations},
                       {"rejected_full", stats.rejected_full},
                       {"cleanup_runs", stats.cleanup_runs},
                       {"jobs_run", stats.jobs_run},
                       {"jobs_failed", stats.jobs_failed},
                       {"in_flight", stats.in_flight}};
}

}  // namespace kvstore
