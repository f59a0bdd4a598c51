// ScopedStore isolation: no sequence of scoped calls, whatever bytes the group, key or prefix
// hold, reads, counts, lists, changes or deletes anything outside the namespace.
//
// The randomized test runs thousands of operations on two namespaces where one name is a prefix
// of the other ("a" and "a-b") plus direct Store writes to unrelated groups, with hostile bytes
// (':', '%', '_', '*', '\0', 0xff, "a:", "a-b:", the other tenant's name, empty strings), and
// checks every result and the whole store against an in-memory model after each operation.
// The seed is fixed and printed; set KVSTORE_SCOPED_SEED to replay another one.
//
// Short TTLs: a key given a 1 ms TTL is waited out right away with a sentinel key in a private
// store (set after it with the same TTL, polled until gone), so the model knows it has expired.
// The store under test is not touched while waiting.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <kvstore/kvstore.hpp>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "backends.hpp"
#include "scoped_fixtures.hpp"
#include "support.hpp"

using namespace std::chrono_literals;

using kvtest::no_purge;

namespace {

using kvtest::starts_with;

using Strings = std::vector<std::string>;
using KeyValues = std::map<std::string, std::string>;

std::string bytes(const char* text, std::size_t size) { return std::string(text, size); }

// Printable form of a byte string for failure messages.
std::string show(const std::string& raw) {
  std::ostringstream out;
  out << '"';
  for (unsigned char c : raw) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out << c;
    } else {
      static const char* hex = "0123456789abcdef";
      out << "\\x" << hex[c >> 4] << hex[c & 15];
    }
  }
  out << '"';
  return out.str();
}

// ---------------------------------------------------------------------------------------------
// The model: every row of the store by full group name, with whether its TTL has passed.

struct Row {
  std::string value;
  bool expired = false;
};

class Model {
 public:
  std::optional<std::string> get(const std::string& group, const std::string& key) {
    auto g = rows_.find(group);
    if (g == rows_.end()) return std::nullopt;
    auto r = g->second.find(key);
    if (r == g->second.end()) return std::nullopt;
    if (r->second.expired) {  // get deletes an expired key
      g->second.erase(r);
      tidy(g);
      return std::nullopt;
    }
    return r->second.value;
  }
  void set(const std::string& group, const std::string& key, const std::string& value,
           bool expired = false) {
    rows_[group][key] = Row{value, expired};
  }
  bool erase(const std::string& group, const std::string& key) {
    auto g = rows_.find(group);
    if (g == rows_.end()) return false;
    auto r = g->second.find(key);
    if (r == g->second.end()) return false;
    const bool live = !r->second.expired;
    g->second.erase(r);
    tidy(g);
    return live;
  }
  std::size_t delete_group(const std::string& group) {
    auto g = rows_.find(group);
    if (g == rows_.end()) return 0;
    const std::size_t live = live_in(g->second);
    rows_.erase(g);
    return live;
  }
  std::size_t delete_prefix(const std::string& prefix) {
    std::size_t live = 0;
    for (auto g = rows_.begin(); g != rows_.end();) {
      if (starts_with(g->first, prefix)) {
        live += live_in(g->second);
        g = rows_.erase(g);
      } else {
        ++g;
      }
    }
    return live;
  }
  std::size_t purge_expired(const std::string& prefix) {
    std::size_t purged = 0;
    for (auto g = rows_.begin(); g != rows_.end();) {
      if (!starts_with(g->first, prefix)) {
        ++g;
        continue;
      }
      for (auto r = g->second.begin(); r != g->second.end();) {
        if (r->second.expired) {
          r = g->second.erase(r);
          ++purged;
        } else {
          ++r;
        }
      }
      g = g->second.empty() ? rows_.erase(g) : std::next(g);
    }
    return purged;
  }
  KeyValues get_all(const std::string& group) const {
    KeyValues out;
    auto g = rows_.find(group);
    if (g == rows_.end()) return out;
    for (const auto& [key, row] : g->second) {
      if (!row.expired) out.emplace(key, row.value);
    }
    return out;
  }
  std::size_t count(const std::string& group) const { return get_all(group).size(); }
  std::size_t count_all(const std::string& prefix) const {
    std::size_t live = 0;
    for (const auto& [group, keys] : rows_) {
      if (starts_with(group, prefix)) live += live_in(keys);
    }
    return live;
  }
  // Live groups starting with prefix, with the first `strip` bytes removed, sorted.
  Strings groups(const std::string& prefix, std::size_t strip = 0) const {
    Strings out;
    for (const auto& [group, keys] : rows_) {
      if (starts_with(group, prefix) && live_in(keys) > 0) out.push_back(group.substr(strip));
    }
    return out;
  }
  // Every group holding a row, live or not.
  Strings all_groups() const {
    Strings out;
    for (const auto& entry : rows_) out.push_back(entry.first);
    return out;
  }

 private:
  using Rows = std::map<std::string, std::map<std::string, Row>>;
  static std::size_t live_in(const std::map<std::string, Row>& keys) {
    return static_cast<std::size_t>(std::count_if(
        keys.begin(), keys.end(), [](const auto& entry) { return !entry.second.expired; }));
  }
  void tidy(Rows::iterator g) {
    if (g->second.empty()) rows_.erase(g);
  }
  Rows rows_;
};

// ---------------------------------------------------------------------------------------------
// Operations

enum class Kind {
  set,
  set_ttl_long,
  set_ttl_short,
  erase,
  get,
  get_all,
  count,
  count_all,
  groups,
  for_each,
  delete_group,
  delete_prefix,
  purge_expired,
  transaction,
  direct_set,
  direct_set_ttl_short,
  direct_erase,
  direct_get,
  direct_delete_group,
  direct_delete_prefix,
  direct_purge_expired,
};

const char* name(Kind kind) {
  switch (kind) {
    case Kind::set:
      return "set";
    case Kind::set_ttl_long:
      return "set_with_ttl(1h)";
    case Kind::set_ttl_short:
      return "set_with_ttl(1ms)";
    case Kind::erase:
      return "erase";
    case Kind::get:
      return "get";
    case Kind::get_all:
      return "get_all";
    case Kind::count:
      return "count";
    case Kind::count_all:
      return "count_all";
    case Kind::groups:
      return "groups";
    case Kind::for_each:
      return "for_each";
    case Kind::delete_group:
      return "delete_group";
    case Kind::delete_prefix:
      return "delete_prefix";
    case Kind::purge_expired:
      return "purge_expired";
    case Kind::transaction:
      return "transaction";
    case Kind::direct_set:
      return "Store::set";
    case Kind::direct_set_ttl_short:
      return "Store::set_with_ttl(1ms)";
    case Kind::direct_erase:
      return "Store::erase";
    case Kind::direct_get:
      return "Store::get";
    case Kind::direct_delete_group:
      return "Store::delete_group";
    case Kind::direct_delete_prefix:
      return "Store::delete_prefix";
    case Kind::direct_purge_expired:
      return "Store::purge_expired";
  }
  return "?";
}

struct Op {
  Kind kind = Kind::set;
  int tenant = 0;  // index into the tenants
  std::string group, key, value, prefix;
  std::size_t stop_after = 0;  // for_each
  bool rollback = false;       // transaction
  std::vector<Op> steps;       // transaction
};

std::string describe(const Op& op, const Strings& tenants) {
  std::ostringstream out;
  const bool direct = op.kind >= Kind::direct_set;
  out << (direct ? "store" : tenants[static_cast<std::size_t>(op.tenant)]) << " " << name(op.kind);
  switch (op.kind) {
    case Kind::set:
    case Kind::set_ttl_long:
    case Kind::set_ttl_short:
    case Kind::direct_set:
    case Kind::direct_set_ttl_short:
      out << " " << show(op.group) << "/" << show(op.key) << " = " << show(op.value);
      break;
    case Kind::erase:
    case Kind::get:
    case Kind::direct_erase:
    case Kind::direct_get:
      out << " " << show(op.group) << "/" << show(op.key);
      break;
    case Kind::get_all:
    case Kind::count:
    case Kind::delete_group:
    case Kind::direct_delete_group:
      out << " " << show(op.group);
      break;
    case Kind::for_each:
      out << " " << show(op.group) << " stopping after " << op.stop_after;
      break;
    case Kind::count_all:
    case Kind::groups:
    case Kind::delete_prefix:
    case Kind::direct_delete_prefix:
      out << " prefix " << show(op.prefix);
      break;
    case Kind::transaction:
      out << (op.rollback ? " (rolled back) {" : " (committed) {");
      for (const auto& step : op.steps) out << " " << describe(step, tenants) << ";";
      out << " }";
      break;
    default:
      break;
  }
  return out.str();
}

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  Op next(std::size_t tenant_count) {
    static const std::vector<std::pair<Kind, int>> weights = {
        {Kind::set, 20},
        {Kind::set_ttl_long, 5},
        {Kind::set_ttl_short, 3},
        {Kind::erase, 10},
        {Kind::get, 10},
        {Kind::get_all, 5},
        {Kind::count, 4},
        {Kind::count_all, 4},
        {Kind::groups, 4},
        {Kind::for_each, 4},
        {Kind::delete_group, 3},
        {Kind::delete_prefix, 2},
        {Kind::purge_expired, 2},
        {Kind::transaction, 4},
        {Kind::direct_set, 8},
        {Kind::direct_set_ttl_short, 1},
        {Kind::direct_erase, 3},
        {Kind::direct_get, 2},
        {Kind::direct_delete_group, 1},
        {Kind::direct_delete_prefix, 1},
        {Kind::direct_purge_expired, 1},
    };
    int total = 0;
    for (const auto& entry : weights) total += entry.second;
    int pick = uniform(0, total - 1);
    Kind kind = Kind::set;
    for (const auto& entry : weights) {
      if (pick < entry.second) {
        kind = entry.first;
        break;
      }
      pick -= entry.second;
    }
    Op op = make(kind, tenant_count);
    if (kind == Kind::transaction) {
      op.rollback = uniform(0, 2) == 0;
      const int steps = uniform(1, 6);
      static const std::vector<Kind> step_kinds = {
          Kind::set,     Kind::set,   Kind::set_ttl_long, Kind::erase, Kind::get,
          Kind::get_all, Kind::count, Kind::delete_group, Kind::erase, Kind::delete_prefix};
      for (int i = 0; i < steps; ++i) {
        Op step = make(step_kinds[static_cast<std::size_t>(
                           uniform(0, static_cast<int>(step_kinds.size()) - 1))],
                       tenant_count);
        // Mostly the transaction's own namespace; sometimes the other tenant joins it.
        if (uniform(0, 3) != 0) step.tenant = op.tenant;
        op.steps.push_back(std::move(step));
      }
    }
    return op;
  }

  static const Strings& unrelated_groups() {
    static const Strings pool = {"a",
                                 "a-b",
                                 "a-",
                                 "a;x",
                                 "a-b;",
                                 "A:x",
                                 "b:a:",
                                 "a-c:x",
                                 "a-bb:x",
                                 bytes("a\0:x", 4),
                                 bytes("a-b\0:x", 6),
                                 "\xff",
                                 "\xff:a:",
                                 ":",
                                 ":a:",
                                 "%",
                                 "_",
                                 "",
                                 "ab:x",
                                 "-b:x",
                                 "a_b:x",
                                 "a%:x"};
    return pool;
  }

 private:
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& pool) {
    return pool[static_cast<std::size_t>(uniform(0, static_cast<int>(pool.size()) - 1))];
  }

  Op make(Kind kind, std::size_t tenant_count) {
    static const Strings groups = {
        "",   ":",    "%", "_",  "*",  bytes("\0", 1),  "a:",  "a-b:",  "\xff", "a",     "a-b",
        "-b", "-b:g", "g", "g%", "g_", bytes("g\0", 2), "%:_", "\xff:", "*:*",  "a-b:a", "b:"};
    static const Strings keys = {"",
                                 "k",
                                 ":",
                                 "%",
                                 "_",
                                 "*",
                                 bytes("\0", 1),
                                 "a:",
                                 "a-b:",
                                 "\xff\xfe",
                                 "a-b",
                                 "k%",
                                 bytes("k\0x", 3)};
    static const Strings prefixes = {"",   ":",   "%",    "_", "*",  bytes("\0", 1), "a",    "a:",
                                     "a-", "a-b", "a-b:", "-", "-b", "-b:",          "\xff", "g",
                                     "g%", "%_",  "b",    ":a"};
    static const Strings direct_prefixes = {"a-b;", bytes("a\0", 2), "a-c", "\xff", "%", "b",
                                            "A",    "a-bb",          "a;",  "_"};
    static const Strings values = {"",      "v", "%", bytes("\0v\0", 3), "\xff\xff", "a:b",
                                   "a-b:c", "*", "_"};
    Op op;
    op.kind = kind;
    op.tenant = uniform(0, static_cast<int>(tenant_count) - 1);
    const bool direct = kind >= Kind::direct_set;
    op.group = direct ? pick(unrelated_groups()) : pick(groups);
    op.key = pick(keys);
    op.value = pick(values) + std::to_string(++counter_);
    op.prefix = kind == Kind::direct_delete_prefix ? pick(direct_prefixes) : pick(prefixes);
    op.stop_after = static_cast<std::size_t>(uniform(1, 6));
    return op;
  }

  std::mt19937_64 rng_;
  std::uint64_t counter_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Running the operations against the store and the model

class Harness {
 public:
  explicit Harness(kvstore::Store& store) : store_(store), clock_(":memory:", no_purge()) {
    for (const auto& name : tenant_names_) {
      scoped_.emplace_back(store_, name);
    }
  }

  const Strings& tenants() const { return tenant_names_; }

  void run(const Op& op) {
    const std::string prefix = tenant_names_[static_cast<std::size_t>(op.tenant)] + ":";
    kvstore::ScopedStore& s = scoped_[static_cast<std::size_t>(op.tenant)];
    switch (op.kind) {
      case Kind::transaction:
        run_transaction(op);
        return;
      case Kind::set_ttl_short:
        s.set_with_ttl(op.group, op.key, op.value, 1ms);
        wait_until_expired();
        model_.set(prefix + op.group, op.key, op.value, true);
        return;
      case Kind::direct_set:
        store_.set(op.group, op.key, op.value);
        model_.set(op.group, op.key, op.value);
        return;
      case Kind::direct_set_ttl_short:
        store_.set_with_ttl(op.group, op.key, op.value, 1ms);
        wait_until_expired();
        model_.set(op.group, op.key, op.value, true);
        return;
      case Kind::direct_erase:
        REQUIRE(store_.erase(op.group, op.key) == model_.erase(op.group, op.key));
        return;
      case Kind::direct_get:
        REQUIRE(store_.get(op.group, op.key) == model_.get(op.group, op.key));
        return;
      case Kind::direct_delete_group:
        REQUIRE(store_.delete_group(op.group) == model_.delete_group(op.group));
        return;
      case Kind::direct_delete_prefix:
        REQUIRE(store_.delete_prefix(op.prefix) == model_.delete_prefix(op.prefix));
        return;
      case Kind::direct_purge_expired:
        REQUIRE(store_.purge_expired() == model_.purge_expired(""));
        return;
      case Kind::purge_expired:
        REQUIRE(s.purge_expired() == model_.purge_expired(prefix));
        return;
      case Kind::count_all:
        REQUIRE(s.count_all(op.prefix) == model_.count_all(prefix + op.prefix));
        return;
      case Kind::groups:
        REQUIRE(s.groups(op.prefix) == model_.groups(prefix + op.prefix, prefix.size()));
        return;
      case Kind::for_each: {
        std::vector<std::pair<std::string, std::string>> visited;
        s.for_each(op.group, [&](std::string_view key, std::string_view value) {
          visited.emplace_back(key, value);
          return visited.size() < op.stop_after;
        });
        std::vector<std::pair<std::string, std::string>> expected;
        for (const auto& entry : model_.get_all(prefix + op.group)) {
          if (expected.size() == op.stop_after) break;
          expected.emplace_back(entry);
        }
        REQUIRE(visited == expected);
        return;
      }
      default:
        run_step(op, s, model_);
        return;
    }
  }

  // The whole store, and both tenants' views of it, against the model. `full` also compares
  // the contents of every group; otherwise only the counts and group lists.
  void check(bool full) {
    REQUIRE(store_.count_all() == model_.count_all(""));
    REQUIRE(store_.groups() == model_.groups(""));
    for (std::size_t t = 0; t < scoped_.size(); ++t) {
      INFO("tenant " << tenant_names_[t]);
      const std::string prefix = tenant_names_[t] + ":";
      REQUIRE(scoped_[t].count_all() == model_.count_all(prefix));
      REQUIRE(scoped_[t].groups() == model_.groups(prefix, prefix.size()));
    }
    if (!full) return;
    for (const auto& group : model_.all_groups()) {
      INFO("group " << show(group));
      REQUIRE(store_.get_all(group) == model_.get_all(group));
      REQUIRE(store_.count(group) == model_.count(group));
    }
    for (std::size_t t = 0; t < scoped_.size(); ++t) {
      const std::string prefix = tenant_names_[t] + ":";
      for (const auto& group : model_.groups(prefix, prefix.size())) {
        INFO("tenant " << tenant_names_[t] << " group " << show(group));
        REQUIRE(scoped_[t].get_all(group) == model_.get_all(prefix + group));
      }
    }
  }

  // The namespace counts behind the quotas against the model: after purging the tenant's
  // expired keys, a quota of exactly its live keys (groups) refuses one more, and a quota one
  // higher accepts it.
  void check_quota_counts() {
    static const std::string probe_group = "probe\x01";
    for (std::size_t t = 0; t < scoped_.size(); ++t) {
      const std::string& ns = tenant_names_[t];
      const std::string prefix = ns + ":";
      INFO("tenant " << ns);
      REQUIRE(scoped_[t].purge_expired() == model_.purge_expired(prefix));
      const auto keys = static_cast<long long>(model_.count_all(prefix));
      const auto groups = static_cast<long long>(model_.groups(prefix).size());
      const std::pair<kvstore::QuotaConfig, kvstore::QuotaConfig> limits[] = {
          {{keys, 0}, {keys + 1, 0}}, {{0, groups}, {0, groups + 1}}};
      for (const auto& [at_limit, above_limit] : limits) {
        if (at_limit.max_keys != 0 || at_limit.max_groups != 0) {
          kvstore::ScopedStore full(store_, ns, at_limit);
          REQUIRE_THROWS_AS(full.set(probe_group, "probe", "x"), kvstore::QuotaExceeded);
        }
        kvstore::ScopedStore room(store_, ns, above_limit);
        room.set(probe_group, "probe", "x");
        REQUIRE(room.erase(probe_group, "probe"));
      }
    }
  }

 private:
  // One operation of a tenant's ScopedStore, or of a ScopedTransaction when tx is given,
  // checked against `model`.
  template <class View>
  void run_step(const Op& op, View& view, Model& model) {
    const std::string prefix = tenant_names_[static_cast<std::size_t>(op.tenant)] + ":";
    const std::string group = prefix + op.group;
    switch (op.kind) {
      case Kind::set:
        view.set(op.group, op.key, op.value);
        model.set(group, op.key, op.value);
        break;
      case Kind::set_ttl_long:
        view.set_with_ttl(op.group, op.key, op.value, 1h);
        model.set(group, op.key, op.value);
        break;
      case Kind::erase:
        REQUIRE(view.erase(op.group, op.key) == model.erase(group, op.key));
        break;
      case Kind::get:
        REQUIRE(view.get(op.group, op.key) == model.get(group, op.key));
        break;
      case Kind::get_all:
        REQUIRE(view.get_all(op.group) == model.get_all(group));
        break;
      case Kind::count:
        REQUIRE(view.count(op.group) == model.count(group));
        break;
      case Kind::delete_group:
        REQUIRE(view.delete_group(op.group) == model.delete_group(group));
        break;
      case Kind::delete_prefix:
        REQUIRE(view.delete_prefix(op.prefix) == model.delete_prefix(prefix + op.prefix));
        break;
      default:
        FAIL("not a step: " << name(op.kind));
    }
  }

  struct Rollback {};

  void run_transaction(const Op& op) {
    Model tentative = model_;
    auto& owner = scoped_[static_cast<std::size_t>(op.tenant)];
    try {
      owner.transaction([&](kvstore::ScopedTransaction& tx) {
        for (const auto& step : op.steps) {
          INFO("step " << describe(step, tenant_names_));
          if (step.tenant == op.tenant) {
            run_step(step, tx, tentative);
          } else {  // the other tenant's ScopedStore, called from inside: joins the transaction
            run_step(step, scoped_[static_cast<std::size_t>(step.tenant)], tentative);
          }
        }
        if (op.rollback) throw Rollback{};
      });
      REQUIRE_FALSE(op.rollback);
      model_ = std::move(tentative);
    } catch (const Rollback&) {
      REQUIRE(op.rollback);
    }
  }

  void wait_until_expired() {
    clock_.set_with_ttl("sentinel", "sentinel", "x", 1ms);
    REQUIRE(kvtest::eventually([&] { return !clock_.get("sentinel", "sentinel").has_value(); }));
  }

  kvstore::Store& store_;
  kvstore::Store clock_;
  Strings tenant_names_ = {"a", "a-b"};
  std::vector<kvstore::ScopedStore> scoped_;
  Model model_;
};

std::uint64_t seed_from_environment(std::uint64_t fallback) {
  const char* text = std::getenv("KVSTORE_SCOPED_SEED");
  return text && *text ? std::strtoull(text, nullptr, 10) : fallback;
}

}  // namespace

TEST_CASE("ScopedStore isolation: random operations with hostile bytes match the model",
          "[scoped][isolation]") {
  const auto backend = kvtest::each_backend();
  constexpr int kOperations = 3000;
  const std::uint64_t seed = seed_from_environment(0x5c09ed5eedULL);
  std::cout << "ScopedStore isolation random test: seed " << seed
            << " (replay with KVSTORE_SCOPED_SEED=" << seed << ")" << std::endl;
  INFO("seed " << seed);
  // The direct Store writes go to groups outside both namespaces.
  for (const auto& group : Generator::unrelated_groups()) {
    REQUIRE_FALSE(starts_with(group, "a:"));
    REQUIRE_FALSE(starts_with(group, "a-b:"));
  }

  kvstore::Store store(backend.path(), no_purge());
  Harness harness(store);
  Generator generator(seed);
  std::map<Kind, int> ran;
  for (int i = 0; i < kOperations; ++i) {
    const Op op = generator.next(harness.tenants().size());
    INFO("operation " << i << ": " << describe(op, harness.tenants()));
    ++ran[op.kind];
    harness.run(op);
    harness.check(i % 25 == 24);
    if (i % 500 == 499) harness.check_quota_counts();
  }
  harness.check(true);
  harness.check_quota_counts();
  harness.check(true);
  // Every kind of operation ran.
  CHECK(ran.size() == static_cast<std::size_t>(Kind::direct_purge_expired) + 1);
}

TEST_CASE_METHOD(kvtest::PrefixTenants,
                 "ScopedStore isolation: LIKE wildcards, NUL and 0xff in prefixes are literal",
                 "[scoped][isolation]") {
  kvtest::set_in_groups(a, {"x%y", "x_y", "xzy", bytes("x\0y", 3), "x\xffy"}, "k", "1");
  ab.set("x%y", "k", "1");
  kvtest::set_in_groups(store, {"a%", "a_"}, "k", "1");

  CHECK(a.count_all("x%") == 1);
  CHECK(a.count_all("x_") == 1);
  CHECK(a.count_all(bytes("x\0", 2)) == 1);
  CHECK(a.count_all("x\xff") == 1);
  CHECK(a.count_all("x") == 5);
  CHECK(a.groups("x%") == Strings{"x%y"});
  CHECK(a.groups("%").empty());
  CHECK(a.groups("_").empty());
  CHECK(a.delete_prefix("%") == 0);
  CHECK(a.delete_prefix("_") == 0);
  CHECK(a.delete_prefix("x_") == 1);
  CHECK(a.delete_prefix(bytes("x\0", 2)) == 1);
  CHECK(a.count_all() == 3);
  CHECK(ab.count_all() == 1);
  CHECK(store.count_all() == 6);
}

TEST_CASE_METHOD(
    kvtest::PrefixTenants,
    "ScopedStore isolation: groups naming the other tenant stay in their own namespace",
    "[scoped][isolation]") {
  ab.set("g", "k", "tenant a-b");
  a.set("-b:g", "k", "tenant a");  // the full group "a:-b:g" is not "a-b:g"
  a.set("a-b:g", "k", "tenant a");
  ab.set("a:g", "k", "tenant a-b");

  CHECK(ab.get("g", "k") == "tenant a-b");
  CHECK(a.get("-b:g", "k") == "tenant a");
  CHECK(a.groups() == Strings{"-b:g", "a-b:g"});
  CHECK(ab.groups() == Strings{"a:g", "g"});
  CHECK(a.delete_prefix("-b") == 1);
  CHECK(a.delete_group("a-b:g") == 1);
  CHECK(a.count_all() == 0);
  CHECK(ab.count_all() == 2);
  CHECK(ab.delete_prefix("") == 2);
  CHECK(store.count_all() == 0);
}
