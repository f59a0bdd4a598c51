// kvstore::ScopedStore — a tenant's view of a Store: every group is read as ns + ":" + group, and
// optional quotas bound how many keys and groups the namespace may hold.
//
// Isolation: whatever bytes a group, key or prefix holds (':', '%', '_', '*', '\0', another
// tenant's name), no ScopedStore call reads, counts, lists, changes or deletes anything outside
// its namespace. Namespaces never overlap: "a" and "a-b" are apart.
//
// Quotas count what the Store holds under the namespace, whoever wrote it: two ScopedStore objects
// for one namespace share one quota. Overwriting a key never consumes quota; expired keys do not
// count. A quota check costs the same whatever the namespace holds (counts are kept by the
// schema, not by scanning).
//
// Thread-safety: like Store. A ScopedStore holds a reference to its Store, which must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvstore/blob.hpp"
#include "kvstore/data_api.hpp"
#include "kvstore/errors.hpp"
#include "kvstore/events.hpp"
#include "kvstore/export.hpp"
#include "kvstore/store.hpp"

namespace kvstore {

// Checked like every configuration struct: a negative field throws InvalidConfig naming it.
struct QuotaConfig {
  long long max_keys = 0;    // live keys across all groups of the namespace; 0 = unlimited
  long long max_groups = 0;  // distinct groups with live keys; 0 = unlimited
};

// The view of a ScopedStore inside ScopedStore::transaction(fn): the ScopedStore itself, through
// its data methods (scoped, quota-checked), joining the Store's transaction like a Transaction.
// Valid only during fn, on the thread running fn.
using ScopedTransaction = DataApi;

class KVSTORE_EXPORT ScopedStore final : public DataApi {
 public:
  // Throws InvalidArgument, naming it, unless ns matches ^[A-Za-z0-9-]+$; InvalidConfig, naming
  // the field, if a field of quota is negative.
  ScopedStore(Store& store, std::string ns, QuotaConfig quota = {});

  [[nodiscard]] const std::string& ns() const { return ns_; }
  [[nodiscard]] const QuotaConfig& quota() const { return quota_; }

  // The data methods (DataApi, data_api.hpp), on group ns + ":" + group. groups() and
  // count_all() cover the namespace's groups that start with group_prefix (all of them if
  // empty); groups() returns them without the "ns:" prefix. The writes that may add a key (set,
  // set_with_ttl, set_json) throw QuotaExceeded, naming the namespace, the limit and its value,
  // when the namespace would exceed a quota; nothing is written then. expire and persist never
  // add a key: no quota applies.
  [[nodiscard]] std::optional<std::string> get(std::string_view group,
                                               std::string_view key) const override;
  void set(std::string_view group, std::string_view key, std::string_view value) override;
  void set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                    std::chrono::milliseconds ttl) override;
  bool erase(std::string_view group, std::string_view key) override;
  bool expire(std::string_view group, std::string_view key, std::chrono::milliseconds ttl) override;
  bool persist(std::string_view group, std::string_view key) override;
  [[nodiscard]] std::optional<TimeToLive> ttl(std::string_view group,
                                              std::string_view key) const override;
  std::size_t delete_group(std::string_view group) override;
  std::size_t delete_prefix(std::string_view group_prefix) override;
  [[nodiscard]] std::map<std::string, std::string> get_all(std::string_view group) const override;
  [[nodiscard]] std::vector<std::string> keys(std::string_view group) const override;
  void for_each(
      std::string_view group,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) const override;
  [[nodiscard]] std::size_t count(std::string_view group) const override;
  [[nodiscard]] std::size_t count_all(std::string_view group_prefix = {}) const override;
  [[nodiscard]] std::vector<std::string> groups(std::string_view group_prefix = {}) const override;
  void set_json(std::string_view group, std::string_view key, const nlohmann::json& value) override;

  // Deletes the expired keys of this namespace only; returns how many. Transactions as in
  // Store::purge_expired.
  std::size_t purge_expired();

  // Streaming (blob.hpp), on group ns + ":" + group. A scoped writer's commit() checks the
  // quotas like set() does and throws QuotaExceeded, publishing nothing, past a limit.
  [[nodiscard]] std::optional<Metadata> stat(std::string_view group, std::string_view key) const;
  [[nodiscard]] std::optional<BlobReader> open_reader(std::string_view group,
                                                      std::string_view key) const;
  [[nodiscard]] BlobWriter begin_set(std::string_view group, std::string_view key,
                                     Metadata meta = {}, std::stop_token cancel = {});

  // Store::transaction with a scoped view (fn receives this ScopedStore as a ScopedTransaction):
  // quotas are checked on every write inside it, and a QuotaExceeded that leaves fn rolls the
  // whole transaction back.
  void transaction(const std::function<void(ScopedTransaction&)>& fn);

  // Store::watch within the namespace: group "*" means every group of this namespace, and the
  // events delivered carry groups without the "ns:" prefix. (A watcher on the Store itself sees
  // the prefixed groups.) Revisions are the Store's: a from_revision after the Store's latest
  // revision throws InvalidArgument, one older than its change log holds throws Compacted.
  [[nodiscard]] Watcher watch(std::string_view group, std::string_view key = "*",
                              std::optional<std::uint64_t> from_revision = {},
                              std::size_t capacity = 16);

 private:
  [[nodiscard]] std::string_view group_prefix_in_errors() const noexcept override {
    return prefix_;
  }
  // "ns:group"; out of memory throws StorageError.
  static std::string scoped_in(std::string_view ns, std::string_view group);
  std::string scoped(std::string_view group) const;
  void quota_checked_set(std::string_view operation, std::string_view group, std::string_view key,
                         std::string_view value, std::optional<std::chrono::milliseconds> ttl);

  Store& store_;
  std::string ns_;
  std::string prefix_;  // ns + ":"
  QuotaConfig quota_;
};

}  // namespace kvstore
