// kvstore::DataApi — the data methods, declared once: every way of reading and writing keys has
// exactly these. Store, a transaction (Store::transaction passes a Transaction&, which is a
// DataApi&), ScopedStore and a scoped transaction implement them, so code written against a
// DataApi& (a settings class, a test helper) runs unchanged on any of them, and none of them can
// lack a method the others have: a method added here must be implemented by each to compile.
//
// Each class documents what it adds: Store (store.hpp) the storage, threads and errors;
// ScopedStore (scoped_store.hpp) the namespace and quotas; a Transaction joins the transaction
// running on its thread. Streaming (stat, open_reader, begin_set), events, maintenance and
// purge_expired are not data methods: Store and ScopedStore declare them.
//
// Groups, keys and values are byte strings: NUL bytes, invalid UTF-8 and empty strings
// round-trip exactly. Reads are const: what they change (the lazy deletion of an expired key) is
// not visible. Every method may throw StorageError (or Busy) when SQLite fails, with the
// operation, group and key in what(); the store then holds exactly what it held before.
// Thread-safety: that of the object implementing them (Store: any thread).
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

#include "kvstore/export.hpp"

namespace kvstore {

// The text of a Mustache template for render(group, template). A distinct type, so that a
// template and a group (both strings) cannot be swapped silently: write
// render("user", Template{"Hello {{name}}"}). Holds a view: the text must outlive the call.
struct Template {
  constexpr explicit Template(std::string_view source) noexcept : text(source) {}
  std::string_view text;
};

// A live key's time to live, as DataApi::ttl reads it.
struct TimeToLive {
  // The time left before the key expires (at least 1 ms), or nullopt: it never expires.
  std::optional<std::chrono::milliseconds> remaining;
};

class KVSTORE_EXPORT DataApi {
 public:
  virtual ~DataApi();

  // Returns the value of group/key, or nullopt if absent or expired (an expired key is deleted).
  [[nodiscard]] virtual std::optional<std::string> get(std::string_view group,
                                                       std::string_view key) const = 0;
  // Stores value under group/key, replacing any previous value and clearing any TTL.
  virtual void set(std::string_view group, std::string_view key, std::string_view value) = 0;
  // Stores value under group/key, expiring `ttl` from now (replaces any previous TTL).
  // Throws InvalidArgument if ttl <= 0; nothing is written then. The first key with a TTL starts
  // the background purge (Options::purge_interval): StorageError, writing nothing, if its thread
  // cannot be started.
  virtual void set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                            std::chrono::milliseconds ttl) = 0;
  // Removes group/key. Returns true if a live key was removed, false if there was none.
  virtual bool erase(std::string_view group, std::string_view key) = 0;
  // Makes group/key expire `ttl` from now and keeps its value (Redis EXPIRE): a sliding session
  // extends itself without rewriting its value. Returns whether a live key existed; if none did,
  // nothing is written. The change is a write: it takes a new revision and publishes a `set`
  // event with the value, and the key's Metadata::last_modified stays that of its value.
  // Throws InvalidArgument if ttl <= 0, writing nothing; starts the background purge like
  // set_with_ttl (and fails like it if that fails).
  virtual bool expire(std::string_view group, std::string_view key,
                      std::chrono::milliseconds ttl) = 0;
  // Removes group/key's TTL and keeps its value (Redis PERSIST). Returns whether a live key
  // existed. A key that had a TTL changes as with expire (a new revision, a `set` event); a key
  // without one is left as it is: nothing is written, no event.
  virtual bool persist(std::string_view group, std::string_view key) = 0;
  // group/key's time to live: nullopt if the key is absent or expired (an expired key is deleted,
  // as get does); otherwise a TimeToLive whose `remaining` is nullopt for a key without a TTL.
  [[nodiscard]] virtual std::optional<TimeToLive> ttl(std::string_view group,
                                                      std::string_view key) const = 0;
  // Removes every key of `group`; returns how many live keys were removed.
  virtual std::size_t delete_group(std::string_view group) = 0;
  // Removes every group whose name starts with `group_prefix` (byte-wise; `%`, `_`, `\0` are
  // literal); returns how many live keys were removed. An empty prefix removes everything.
  virtual std::size_t delete_prefix(std::string_view group_prefix) = 0;
  // Returns every live key of `group` with its value, ordered by key bytes.
  [[nodiscard]] virtual std::map<std::string, std::string> get_all(
      std::string_view group) const = 0;
  // The live keys of `group`, ordered by key bytes; values are not read.
  [[nodiscard]] virtual std::vector<std::string> keys(std::string_view group) const = 0;
  // Calls fn(key, value) for each live key of `group` in key order until fn returns false.
  // Rows are read in batches and fn runs with no lock held, so fn may call any method of this
  // object; a key written or erased during the walk may or may not be visited. Each key is
  // visited at most once.
  virtual void for_each(
      std::string_view group,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) const = 0;
  // Number of live keys in `group`.
  [[nodiscard]] virtual std::size_t count(std::string_view group) const = 0;
  // Number of live keys in every group starting with `group_prefix` (all groups if empty).
  [[nodiscard]] virtual std::size_t count_all(std::string_view group_prefix = {}) const = 0;
  // Names of the groups with at least one live key that start with `group_prefix`, sorted.
  [[nodiscard]] virtual std::vector<std::string> groups(
      std::string_view group_prefix = {}) const = 0;
  // Stores value.dump() under group/key (clears any TTL). Throws InvalidArgument, writing
  // nothing, if the value holds a string that is not valid UTF-8.
  virtual void set_json(std::string_view group, std::string_view key,
                        const nlohmann::json& value) = 0;

  // Reads built on get and get_all, the same for every implementation.
  //
  // Parses the value of group/key as JSON; nullopt if absent. Throws InvalidArgument, naming the
  // group and key, if the stored value is not valid JSON or holds a number too large for a double
  // (such as 1e99999); no nlohmann exception escapes.
  [[nodiscard]] std::optional<nlohmann::json> get_json(std::string_view group,
                                                       std::string_view key) const;
  // Splits the value of group/key on `sep` (non-empty); empty vector if the key is absent.
  // Throws InvalidArgument if sep is empty.
  [[nodiscard]] std::vector<std::string> get_split(std::string_view group, std::string_view key,
                                                   std::string_view sep) const;
  // Splits the value of group/key on runs of ASCII whitespace; empty vector if absent.
  [[nodiscard]] std::vector<std::string> get_fields(std::string_view group,
                                                    std::string_view key) const;
  // Renders a Mustache template with the live keys of `group` as variables. Values are inserted
  // as they are (no HTML escaping); a missing variable renders empty. Partials ({{> name}}) are
  // not supported: a stored value is never rendered as a template.
  // Group first, like every method (go-store's Render takes the template first; so did kvstore
  // before 0.2): the template is a Template, so a call in the old order does not compile.
  // Throws InvalidArgument, naming the position, on a template syntax error or a partial, and
  // for sections nested deeper than 256.
  [[nodiscard]] std::string render(std::string_view group, Template mustache_template) const;

 protected:
  // What the errors of the reads above name before the group: a ScopedStore's "ns:", so that
  // they name the group as stored, as its other methods' errors do.
  [[nodiscard]] virtual std::string_view group_prefix_in_errors() const noexcept { return {}; }

  DataApi() = default;
  // Protected: a DataApi is never copied or moved on its own (that would slice).
  DataApi(const DataApi&) = default;
  DataApi(DataApi&&) = default;
  DataApi& operator=(const DataApi&) = default;
  DataApi& operator=(DataApi&&) = default;
};

}  // namespace kvstore
