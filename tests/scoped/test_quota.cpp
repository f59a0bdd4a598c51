// ScopedStore quotas: max_keys / max_groups (go-store's cases), upserts, erase + re-insert,
// expired keys, counts after purge / delete_group / delete_prefix, shared quotas, persistence
// across reopen and across Store objects on one file, quotas inside transactions, the 8-thread
// race, and refused writes publishing no event. Most cases run on ":memory:" and on a file, the
// two places the counts are kept (see kvtest::each_backend).
//
// "Exactly n more fit" is checked by filling up to the limit and then expecting the next new key
// to be refused, so a count that is off by one in either direction fails.
//
// Waiting for expiry: wait_until_expired(ttl) gives a sentinel key in a private store the same
// TTL *after* the keys under test were written, and polls it; once the sentinel has expired, so
// have they. The store under test is not touched while waiting.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <kvstore/kvstore.hpp>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "scoped_fixtures.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

using kvtest::no_purge;
using kvtest::wait_until_expired;

namespace {

constexpr auto kShortTtl = 40ms;
constexpr auto kReopenTtl = 1s;  // outlives a write on any machine (see its test)

constexpr auto kEventTimeout = 5s;

// The what() of the QuotaExceeded that `write` throws; fails the test if it throws nothing or
// something else.
template <class Write>
std::string quota_error(Write&& write) {
  try {
    write();
  } catch (const kvstore::QuotaExceeded& error) {
    return error.what();
  }
  FAIL("the write was not refused with QuotaExceeded");
  return {};
}

// A name no earlier call of this file used, so that a fill never hits an existing key or group.
std::string fresh(const std::string& what) {
  static std::atomic<int> next{0};
  return "fill-" + what + "-" + std::to_string(next++);
}

// Inserts new keys into `group` until the first is refused; returns how many fitted.
// Gives up (and fails) after `ceiling` successes.
std::size_t fill_keys(kvstore::ScopedStore& scoped, const std::string& group,
                      std::size_t ceiling = 1000) {
  for (std::size_t i = 0;; ++i) {
    REQUIRE(i <= ceiling);
    const std::string key = fresh("key");
    try {
      scoped.set(group, key, "v");
    } catch (const kvstore::QuotaExceeded&) {
      CHECK_FALSE(scoped.get(group, key).has_value());
      return i;
    }
  }
}

// Inserts one key into new groups "fill-<tag>-<n>" until the first is refused; returns how many
// fitted.
std::size_t fill_groups(kvstore::ScopedStore& scoped, const std::string& tag,
                        std::size_t ceiling = 1000) {
  for (std::size_t i = 0;; ++i) {
    REQUIRE(i <= ceiling);
    const std::string group = fresh(tag);
    try {
      scoped.set(group, "k", "v");
    } catch (const kvstore::QuotaExceeded&) {
      CHECK(scoped.count(group) == 0);
      return i;
    }
  }
}

// The quota's worth of keys: 10 keys in 4 groups under QuotaConfig{10, 4}, u:1 (3), u:2 (3),
// v (2) and w (2, which expire after `w_ttl`).
kvstore::ScopedStore ten_keys_in_four_groups(kvstore::Store& store,
                                             std::chrono::milliseconds w_ttl) {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{10, 4});
  for (const char* group : {"u:1", "u:2"}) {
    for (int i = 0; i < 3; ++i) scoped.set(group, "k" + std::to_string(i), "v");
  }
  for (int i = 0; i < 2; ++i) scoped.set("v", "k" + std::to_string(i), "v");
  for (int i = 0; i < 2; ++i) scoped.set_with_ttl("w", "k" + std::to_string(i), "v", w_ttl);
  return scoped;
}

// How many of the keys k0 .. k<n-1> of `group` get finds / erase removes.
std::size_t found(kvstore::ScopedStore& scoped, const std::string& group, int n) {
  std::size_t count = 0;
  for (int i = 0; i < n; ++i) count += scoped.get(group, "k" + std::to_string(i)).has_value();
  return count;
}
std::size_t erased(kvstore::ScopedStore& scoped, const std::string& group, int n) {
  std::size_t count = 0;
  for (int i = 0; i < n; ++i) count += scoped.erase(group, "k" + std::to_string(i));
  return count;
}

// Checks that exactly `groups` new groups, and then `keys` new keys in an existing group, fit.
// Groups go first: a new group takes a key of max_keys as well.
void check_room(kvstore::ScopedStore& scoped, std::size_t groups, std::size_t keys) {
  CHECK(fill_groups(scoped, "room") == groups);
  const auto names = scoped.groups();
  REQUIRE_FALSE(names.empty());
  CHECK(fill_keys(scoped, names.front()) == keys);
}

// A call that may give quota back in ten_keys_in_four_groups: the count it returns, and the
// room it leaves (new groups, then new keys).
struct Freeing {
  const char* what;
  std::function<std::size_t(kvstore::Store&, kvstore::ScopedStore&)> run;
  std::size_t returns;
  std::size_t group_room;
  std::size_t key_room;
};

// Runs `freeing` on ten_keys_in_four_groups's `scoped`, then checks the room it left and that
// filling it reaches max_keys and max_groups again.
void check_freeing(kvstore::Store& store, kvstore::ScopedStore& scoped, const Freeing& freeing) {
  INFO("freeing: " << freeing.what);
  CHECK(freeing.run(store, scoped) == freeing.returns);
  check_room(scoped, freeing.group_room, freeing.key_room);
  CHECK(scoped.count_all() == 10);
  CHECK(scoped.groups().size() == 4);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// go-store's quota cases

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: max_keys 5 accepts 5 keys and refuses the 6th",
                 "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "tenant-7", kvstore::QuotaConfig{5, 0});

  for (int i = 0; i < 5; ++i) {
    scoped.set(i % 2 ? "odd" : "even", "k" + std::to_string(i), "v");
  }
  CHECK(scoped.count_all() == 5);

  const std::string what = quota_error([&] { scoped.set("even", "k5", "v"); });
  INFO("what(): " << what);
  CHECK(what.find("tenant-7") != std::string::npos);
  CHECK(what.find("max_keys") != std::string::npos);
  CHECK(what.find('5') != std::string::npos);

  // Nothing was written, in an existing or a new group, by any of the adding writes.
  CHECK_THROWS_AS(scoped.set("new-group", "k", "v"), kvstore::QuotaExceeded);
  CHECK_THROWS_AS(scoped.set_with_ttl("even", "ttl", "v", 1h), kvstore::QuotaExceeded);
  CHECK_THROWS_AS(scoped.set_json("even", "json", nlohmann::json(1)), kvstore::QuotaExceeded);
  CHECK(scoped.count_all() == 5);
  CHECK(scoped.groups() == std::vector<std::string>{"even", "odd"});
  CHECK_FALSE(scoped.get("even", "k5").has_value());
  CHECK(store.count_all() == 5);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: the limit's value is named in what()", "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "acme", kvstore::QuotaConfig{37, 0});
  for (int i = 0; i < 37; ++i) scoped.set("g", std::to_string(i), "v");
  const std::string what = quota_error([&] { scoped.set("g", "one-too-many", "v"); });
  INFO("what(): " << what);
  CHECK(what.find("acme") != std::string::npos);
  CHECK(what.find("max_keys") != std::string::npos);
  CHECK(what.find("37") != std::string::npos);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: an upsert of an existing key does not count",
                 "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 0});
  for (int i = 0; i < 5; ++i) scoped.set("g", "k" + std::to_string(i), "v");

  for (int round = 0; round < 3; ++round) {
    scoped.set("g", "k0", "updated");
    scoped.set_with_ttl("g", "k1", "updated", 1h);
    scoped.set_json("g", "k2", nlohmann::json{{"round", round}});
  }
  CHECK(scoped.get("g", "k0") == "updated");
  CHECK(scoped.get("g", "k1") == "updated");
  CHECK(scoped.get_json("g", "k2") == nlohmann::json{{"round", 2}});
  CHECK(scoped.count_all() == 5);
  CHECK_THROWS_AS(scoped.set("g", "k5", "v"), kvstore::QuotaExceeded);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: erase then re-insert stays within quota", "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 0});
  for (int i = 0; i < 5; ++i) scoped.set("g", "k" + std::to_string(i), "v");

  for (int round = 0; round < 20; ++round) {
    CHECK(scoped.erase("g", "k0"));
    scoped.set("g", "k0", "again");
  }
  CHECK(scoped.erase("g", "k1"));
  scoped.set("g", "replacement", "v");
  CHECK_THROWS_AS(scoped.set("g", "k1", "v"), kvstore::QuotaExceeded);
  CHECK(scoped.count_all() == 5);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: max_groups 3 accepts 3 groups and refuses a 4th",
                 "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "team-x", kvstore::QuotaConfig{0, 3});

  for (const char* group : {"g1", "g2", "g3"}) {
    for (int i = 0; i < 4; ++i) scoped.set(group, "k" + std::to_string(i), "v");
  }
  const std::string what = quota_error([&] { scoped.set("g4", "k", "v"); });
  INFO("what(): " << what);
  CHECK(what.find("team-x") != std::string::npos);
  CHECK(what.find("max_groups") != std::string::npos);
  CHECK(what.find('3') != std::string::npos);
  CHECK_THROWS_AS(scoped.set_with_ttl("g4", "k", "v", 1h), kvstore::QuotaExceeded);
  CHECK_THROWS_AS(scoped.set_json("g4", "k", nlohmann::json(1)), kvstore::QuotaExceeded);

  // More keys in the existing groups are fine.
  scoped.set("g1", "more", "v");
  CHECK(scoped.groups() == std::vector<std::string>{"g1", "g2", "g3"});
  CHECK(scoped.count_all() == 13);
  CHECK(scoped.count("g4") == 0);

  // Emptying a group frees its slot.
  CHECK(scoped.delete_group("g2") == 4);
  scoped.set("g4", "k", "v");
  CHECK_THROWS_AS(scoped.set("g5", "k", "v"), kvstore::QuotaExceeded);
  for (int i = 0; i < 4; ++i) CHECK(scoped.erase("g1", "k" + std::to_string(i)));
  CHECK(scoped.erase("g1", "more"));
  scoped.set("g5", "k", "v");
  CHECK(scoped.groups() == std::vector<std::string>{"g3", "g4", "g5"});
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: both limits set, the one reached is named",
                 "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{4, 2});
  scoped.set("g1", "a", "v");
  scoped.set("g2", "a", "v");
  std::string what = quota_error([&] { scoped.set("g3", "a", "v"); });
  CHECK(what.find("max_groups") != std::string::npos);
  scoped.set("g1", "b", "v");
  scoped.set("g2", "b", "v");
  what = quota_error([&] { scoped.set("g1", "c", "v"); });
  CHECK(what.find("max_keys") != std::string::npos);
  CHECK(scoped.count_all() == 4);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend, "ScopedStore quota: zero means unlimited",
                 "[scoped][quota]") {
  SECTION("both zero") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{0, 0});
    for (int i = 0; i < 500; ++i) scoped.set("g" + std::to_string(i % 50), std::to_string(i), "v");
    CHECK(scoped.count_all() == 500);
    CHECK(scoped.groups().size() == 50);
  }
  SECTION("max_keys zero, max_groups set") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{0, 2});
    for (int i = 0; i < 300; ++i) scoped.set(i % 2 ? "a" : "b", std::to_string(i), "v");
    CHECK(scoped.count_all() == 300);
    CHECK_THROWS_AS(scoped.set("c", "k", "v"), kvstore::QuotaExceeded);
  }
  SECTION("max_groups zero, max_keys set") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{200, 0});
    for (int i = 0; i < 200; ++i) scoped.set("g" + std::to_string(i), "k", "v");
    CHECK(scoped.groups().size() == 200);
    CHECK_THROWS_AS(scoped.set("one-more", "k", "v"), kvstore::QuotaExceeded);
  }
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend, "ScopedStore quota: TTL-expired keys do not count",
                 "[scoped][quota][ttl]") {
  SECTION("max_keys") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 0});
    scoped.set("g", "stays", "v");
    for (int i = 0; i < 4; ++i)
      scoped.set_with_ttl("g", "short" + std::to_string(i), "v", kShortTtl);
    CHECK_THROWS_AS(scoped.set("g", "before-expiry", "v"), kvstore::QuotaExceeded);
    wait_until_expired(kShortTtl);
    // No purge has run (purge_interval 0, the store untouched while waiting).
    CHECK(fill_keys(scoped, "g") == 4);
    CHECK(scoped.count_all() == 5);
    CHECK(scoped.get("g", "stays") == "v");
  }
  SECTION("max_groups") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{0, 3});
    scoped.set("keep", "k", "v");
    scoped.set_with_ttl("gone1", "k", "v", kShortTtl);
    scoped.set_with_ttl("gone2", "k", "v", kShortTtl);
    CHECK_THROWS_AS(scoped.set("new", "k", "v"), kvstore::QuotaExceeded);
    wait_until_expired(kShortTtl);
    CHECK(fill_groups(scoped, "ttl") == 2);
    CHECK(scoped.groups().size() == 3);
  }
  SECTION("re-setting an expired key is within quota") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{2, 0});
    scoped.set_with_ttl("g", "a", "v", kShortTtl);
    scoped.set("g", "b", "v");
    wait_until_expired(kShortTtl);
    scoped.set("g", "a", "back");
    CHECK(scoped.get("g", "a") == "back");
    CHECK_THROWS_AS(scoped.set("g", "c", "v"), kvstore::QuotaExceeded);
  }
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: the purge a check makes is logged, and undone with a refusal",
                 "[scoped][quota][ttl][feed]") {
  kvstore::ScopedStore unlimited(store, "t");
  unlimited.set("g", "a", "v");
  unlimited.set("g", "b", "v");
  unlimited.set_with_ttl("g", "expired", "v", kShortTtl);
  wait_until_expired(kShortTtl);
  const auto revision = store.revision();

  SECTION("refused after purging: the purge is rolled back with the write") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{2, 0});
    CHECK_THROWS_AS(scoped.set("g", "c", "v"), kvstore::QuotaExceeded);
    CHECK(store.revision() == revision);
    CHECK(store.changes_since(revision).empty());
    CHECK(store.check().empty());
    CHECK(store.purge_expired() == 1);  // the expired row was still there
    CHECK(store.check().empty());
  }
  SECTION("refused after purging inside a transaction and caught: the purge is undone too") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{2, 0});
    store.transaction([&](kvstore::Transaction& tx) {
      CHECK_THROWS_AS(scoped.set("g", "c", "v"), kvstore::QuotaExceeded);
      tx.set("plain", "k", "v");
    });
    const auto changes = store.changes_since(revision);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].group == "plain");
    CHECK(store.check().empty());
    CHECK(store.purge_expired() == 1);
  }
  SECTION("accepted after purging: the expiry and the set are logged, in that order") {
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{3, 0});
    scoped.set("g", "c", "new");
    const auto changes = store.changes_since(revision);
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].type == kvstore::EventType::expire);
    CHECK(changes[0].key == "expired");
    CHECK(changes[1].type == kvstore::EventType::set);
    CHECK(changes[1].value == "new");
    CHECK(store.revision() == revision + 2);
    CHECK(store.check().empty());
    CHECK(store.purge_expired() == 0);
  }
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: other namespaces and un-namespaced groups do not count",
                 "[scoped][quota]") {
  kvstore::ScopedStore a(store, "a", kvstore::QuotaConfig{3, 2});
  kvstore::ScopedStore ab(store, "a-b");
  kvstore::ScopedStore b(store, "b");

  for (int i = 0; i < 20; ++i) {
    ab.set("g" + std::to_string(i), "k", "v");
    b.set("g" + std::to_string(i), "k", "v");
    store.set("a", "k" + std::to_string(i), "v");
    store.set("a-" + std::to_string(i), "k", "v");
    store.set(std::string("a\0:x", 4), "k" + std::to_string(i), "v");
  }
  CHECK(fill_keys(a, "g") == 3);
  CHECK(a.count_all() == 3);
  REQUIRE_FALSE(a.get_all("g").empty());
  CHECK(a.erase("g", a.get_all("g").begin()->first));
  CHECK(fill_groups(a, "x") == 1);
}

// ---------------------------------------------------------------------------------------------
// Counts after purge, delete_group, delete_prefix

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: counts stay right after purge_expired and lazy expiry",
                 "[scoped][quota][ttl]") {
  auto scoped = ten_keys_in_four_groups(store, kShortTtl);
  wait_until_expired(kShortTtl);
  // However the expired keys of w go, or if they stay, they never counted: the room is the same.
  const auto freeing = GENERATE(values<Freeing>({
      {"scoped purge_expired", [](auto&, auto& s) { return s.purge_expired(); }, 2, 1, 1},
      {"Store purge_expired", [](auto& st, auto&) { return st.purge_expired(); }, 2, 1, 1},
      {"lazy expiry on get", [](auto&, auto& s) { return found(s, "w", 2); }, 0, 1, 1},
      {"erase of expired keys", [](auto&, auto& s) { return erased(s, "w", 2); }, 0, 1, 1},
      {"delete_group of a group holding only expired keys",
       [](auto&, auto& s) { return s.delete_group("w"); }, 0, 1, 1},
      {"no purge at all", [](auto&, auto&) { return std::size_t{0}; }, 0, 1, 1},
  }));
  check_freeing(store, scoped, freeing);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: counts stay right after delete_group and delete_prefix",
                 "[scoped][quota]") {
  auto scoped = ten_keys_in_four_groups(store, 1h);
  check_room(scoped, 0, 0);
  // The room left: one new group for each group emptied, then the rest of max_keys.
  const auto freeing = GENERATE(values<Freeing>({
      {"delete_group", [](auto&, auto& s) { return s.delete_group("u:1"); }, 3, 1, 2},
      {"delete_group of a group with TTL keys", [](auto&, auto& s) { return s.delete_group("w"); },
       2, 1, 1},
      {"delete_prefix", [](auto&, auto& s) { return s.delete_prefix("u:"); }, 6, 2, 4},
      {"delete_prefix on the Store", [](auto& st, auto&) { return st.delete_prefix("t:u"); }, 6, 2,
       4},
      {"delete_prefix of everything", [](auto&, auto& s) { return s.delete_prefix(""); }, 10, 4, 6},
      {"erase of every key of a group", [](auto&, auto& s) { return erased(s, "u:2", 3); }, 3, 1,
       2},
  }));
  check_freeing(store, scoped, freeing);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: many delete and refill cycles keep the counts exact",
                 "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{12, 5});
  for (int cycle = 0; cycle < 10; ++cycle) {
    INFO("cycle " << cycle);
    const std::string tag = std::to_string(cycle);
    const std::size_t group_room =
        std::min<std::size_t>(5 - scoped.groups().size(), 12 - scoped.count_all());
    CHECK(fill_groups(scoped, tag) == group_room);
    const auto groups = scoped.groups();
    REQUIRE_FALSE(groups.empty());
    const std::size_t key_room = 12 - scoped.count_all();
    CHECK(fill_keys(scoped, groups.front()) == key_room);
    CHECK(scoped.count_all() == 12);
    switch (cycle % 3) {
      case 0:
        scoped.delete_group(groups.front());
        break;
      case 1:
        scoped.delete_prefix("fill-" + tag + "-");
        break;
      default:
        scoped.delete_prefix("");
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shared quotas, persistence, other Store objects

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: two ScopedStore objects on one namespace share the quota",
                 "[scoped][quota]") {
  kvstore::ScopedStore first(store, "shared", kvstore::QuotaConfig{5, 2});
  kvstore::ScopedStore second(store, "shared", kvstore::QuotaConfig{5, 2});

  first.set("g", "1", "v");
  first.set("g", "2", "v");
  second.set("g", "3", "v");
  second.set("h", "4", "v");
  first.set("h", "5", "v");
  CHECK_THROWS_AS(first.set("g", "6", "v"), kvstore::QuotaExceeded);
  CHECK_THROWS_AS(second.set("g", "6", "v"), kvstore::QuotaExceeded);
  CHECK(first.erase("g", "1"));
  CHECK_THROWS_AS(second.set("third-group", "x", "v"), kvstore::QuotaExceeded);
  second.set("g", "6", "v");
  CHECK_THROWS_AS(first.set("g", "7", "v"), kvstore::QuotaExceeded);

  // An unlimited view of the namespace writes past the limit; the limited views then refuse
  // every new key until enough are gone.
  kvstore::ScopedStore unlimited(store, "shared");
  unlimited.set("g", "7", "v");
  unlimited.set("other", "8", "v");
  CHECK(first.count_all() == 7);
  CHECK_THROWS_AS(first.set("g", "9", "v"), kvstore::QuotaExceeded);
  CHECK(unlimited.delete_group("other") == 1);
  CHECK(first.erase("g", "7"));
  CHECK_THROWS_AS(first.set("g", "9", "v"), kvstore::QuotaExceeded);
  CHECK(first.erase("g", "6"));
  first.set("g", "9", "v");
  CHECK(first.count_all() == 5);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: direct Store writes to ns:group count for the namespace",
                 "[scoped][quota]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 2});
  store.set("t:g", "1", "v");
  store.set("t:g", "2", "v");
  store.set_with_ttl("t:h", "3", "v", 1h);
  store.set_json("t:h", "4", nlohmann::json(4));
  CHECK(fill_keys(scoped, "g") == 1);
  CHECK(fill_groups(scoped, "direct") == 0);
  store.delete_group("t:h");
  CHECK(fill_keys(scoped, "h") == 2);
  store.transaction([&](kvstore::Transaction& tx) {
    tx.delete_prefix("t:");
    tx.set("t:x", "k", "v");
  });
  CHECK(fill_groups(scoped, "after-tx") == 1);
  CHECK(fill_keys(scoped, "x") == 3);
}

TEST_CASE("ScopedStore quota: quotas persist across close and reopen of a file store",
          "[scoped][quota]") {
  // File only: reopens the file.
  TempDir dir;
  const std::string path = dir.file("quota.db");
  {
    kvstore::Store store(path, no_purge());
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 3});
    for (int i = 0; i < 4; ++i) scoped.set("g" + std::to_string(i % 3), std::to_string(i), "v");
    kvstore::ScopedStore other(store, "u");
    for (int i = 0; i < 10; ++i) other.set("g" + std::to_string(i), "k", "v");
    // The refusal needs the expiring key still live: it is written right before, with a TTL
    // that no slow machine (Wine, sanitizers) uses up in one write.
    scoped.set_with_ttl("g0", "expiring", "v", kReopenTtl);
    CHECK_THROWS_AS(scoped.set("g0", "x", "v"), kvstore::QuotaExceeded);
  }
  {
    kvstore::Store store(path, no_purge());
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 3});
    CHECK(scoped.count_all() >= 4);
    CHECK(fill_groups(scoped, "reopen") == 0);
    scoped.set("g1", "1", "upsert");
  }
  wait_until_expired(kReopenTtl);
  {
    kvstore::Store store(path, no_purge());
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 3});
    // The expired key does not count after reopen either.
    CHECK(fill_keys(scoped, "g0") == 1);
    CHECK(scoped.count_all() == 5);
    CHECK(scoped.erase("g2", "2"));
    CHECK(fill_groups(scoped, "reopen2") == 1);
  }
  {
    kvstore::Store store(path, no_purge());
    kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 3});
    CHECK(scoped.count_all() == 5);
    CHECK(fill_keys(scoped, "g0") == 0);
    const auto groups = scoped.groups();
    REQUIRE(groups.size() == 3);
    CHECK(groups[0].rfind("fill-reopen2-", 0) == 0);
    CHECK(groups[1] == "g0");
    CHECK(groups[2] == "g1");
  }
}

TEST_CASE("ScopedStore quota: another Store object on the same file writing to the namespace",
          "[scoped][quota]") {
  // File only: two connections share only a file.
  TempDir dir;
  const std::string path = dir.file("shared.db");
  kvstore::Store first(path, no_purge());
  kvstore::Store second(path, no_purge());
  kvstore::ScopedStore mine(first, "t", kvstore::QuotaConfig{6, 3});
  kvstore::ScopedStore theirs(second, "t", kvstore::QuotaConfig{6, 3});

  mine.set("g", "1", "v");
  theirs.set("g", "2", "v");
  second.set("t:h", "3", "v");  // directly, not through a ScopedStore
  theirs.set("h", "4", "v");
  CHECK(mine.count_all() == 4);
  CHECK(fill_groups(mine, "a") == 1);  // 5 keys, 3 groups
  CHECK_THROWS_AS(theirs.set("fourth", "k", "v"), kvstore::QuotaExceeded);
  theirs.set("g", "5", "v");  // 6 keys
  CHECK_THROWS_AS(mine.set("g", "6", "v"), kvstore::QuotaExceeded);
  CHECK_THROWS_AS(theirs.set("g", "6", "v"), kvstore::QuotaExceeded);

  CHECK(second.delete_group("t:h") == 2);  // 4 keys, 2 groups
  CHECK(fill_keys(mine, "g") == 2);
  CHECK_THROWS_AS(theirs.set("g", "7", "v"), kvstore::QuotaExceeded);
  CHECK(fill_groups(theirs, "b") == 0);  // keys full
  CHECK(theirs.erase("g", "1"));
  CHECK(fill_groups(mine, "c") == 1);
  CHECK(mine.count_all() == 6);
  CHECK(theirs.count_all() == 6);
}

// ---------------------------------------------------------------------------------------------
// Quotas inside transactions

TEST_CASE_METHOD(
    kvtest::StoreOnEachBackend,
    "ScopedStore quota: a transaction crossing the limit throws and rolls back as a whole",
    "[scoped][quota][transaction]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{5, 0});
  for (int i = 0; i < 3; ++i) scoped.set("g", "old" + std::to_string(i), "before");
  const auto revision = store.revision();

  CHECK_THROWS_AS(scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g", "old0", "changed");  // upsert: no quota
    CHECK(tx.erase("g", "old1"));
    tx.set("g", "new1", "v");
    tx.set("h", "new2", "v");
    tx.set("h", "new3", "v");  // 5 keys now: fits
    CHECK(tx.count("h") == 2);
    tx.set("h", "new4", "v");  // the 6th: QuotaExceeded leaves fn
    FAIL("the 6th key was accepted inside the transaction");
  }),
                  kvstore::QuotaExceeded);

  CHECK(scoped.get_all("g") == std::map<std::string, std::string>{
                                   {"old0", "before"}, {"old1", "before"}, {"old2", "before"}});
  CHECK(scoped.count("h") == 0);
  CHECK(scoped.count_all() == 3);
  CHECK(store.revision() == revision);
  // The counts rolled back with it: exactly 2 more keys fit.
  CHECK(fill_keys(scoped, "g") == 2);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend, "ScopedStore quota: max_groups inside a transaction",
                 "[scoped][quota][transaction]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{0, 2});
  scoped.set("g1", "k", "v");

  CHECK_THROWS_AS(scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g2", "k", "v");
    tx.set("g2", "k2", "v");
    tx.set("g3", "k", "v");
  }),
                  kvstore::QuotaExceeded);
  CHECK(scoped.groups() == std::vector<std::string>{"g1"});

  // Deleting a group inside the transaction frees its slot for the rest of it.
  scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g2", "k", "v");
    CHECK(tx.delete_group("g1") == 1);
    tx.set("g3", "k", "v");
  });
  CHECK(scoped.groups() == std::vector<std::string>{"g2", "g3"});
  CHECK(fill_groups(scoped, "after") == 0);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: a transaction sees its own erasures when checking the quota",
                 "[scoped][quota][transaction]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{3, 0});
  for (int i = 0; i < 3; ++i) scoped.set("g", std::to_string(i), "v");

  scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    CHECK(tx.erase("g", "0"));
    CHECK(tx.delete_prefix("") == 2);
    tx.set("a", "1", "v");
    tx.set("a", "2", "v");
    tx.set("b", "3", "v");
  });
  CHECK(scoped.count_all() == 3);
  CHECK(fill_keys(scoped, "a") == 0);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: a refused write caught inside the transaction changes nothing",
                 "[scoped][quota][transaction]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{2, 0});

  scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g", "1", "v");
    tx.set("g", "2", "v");
    CHECK_THROWS_AS(tx.set("g", "3", "v"), kvstore::QuotaExceeded);
    CHECK_FALSE(tx.get("g", "3").has_value());
    CHECK(tx.count("g") == 2);
    tx.set("g", "2", "upsert");
  });
  CHECK(scoped.get_all("g") == std::map<std::string, std::string>{{"1", "v"}, {"2", "upsert"}});
  CHECK(fill_keys(scoped, "g") == 0);
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: two namespaces' quotas in one transaction",
                 "[scoped][quota][transaction]") {
  kvstore::ScopedStore a(store, "a", kvstore::QuotaConfig{2, 0});
  kvstore::ScopedStore ab(store, "a-b", kvstore::QuotaConfig{2, 0});
  ab.set("g", "1", "v");

  // A write to the other namespace joins the transaction and rolls back with it.
  CHECK_THROWS_AS(a.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g", "1", "v");
    ab.set("g", "2", "v");
    tx.set("g", "2", "v");
    ab.set("g", "3", "v");
  }),
                  kvstore::QuotaExceeded);
  CHECK(a.count_all() == 0);
  CHECK(ab.get_all("g") == std::map<std::string, std::string>{{"1", "v"}});
  CHECK(fill_keys(a, "g") == 2);
  CHECK(fill_keys(ab, "g") == 1);
}

// ---------------------------------------------------------------------------------------------
// Concurrency

TEST_CASE("ScopedStore quota: 8 threads racing for max_keys 100 end with exactly 100 keys",
          "[scoped][quota][concurrency]") {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 60;
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  // Half the threads share one ScopedStore object, the others have their own.
  kvstore::ScopedStore shared(store, "race", kvstore::QuotaConfig{100, 0});

  std::atomic<int> stored{0}, refused{0}, other_errors{0};
  std::mutex mutex;
  std::set<std::string> accepted;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::optional<kvstore::ScopedStore> own;
      if (t % 2) own.emplace(store, "race", kvstore::QuotaConfig{100, 0});
      kvstore::ScopedStore& scoped = own ? *own : shared;
      for (int i = 0; i < kPerThread; ++i) {
        const std::string group = "g" + std::to_string(i % 4);
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        try {
          scoped.set(group, key, key);
          ++stored;
          std::lock_guard lock(mutex);
          accepted.insert(group + "/" + key);
        } catch (const kvstore::QuotaExceeded&) {
          ++refused;
        } catch (...) {
          ++other_errors;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  CHECK(other_errors == 0);
  CHECK(stored == 100);
  CHECK(refused == kThreads * kPerThread - 100);
  CHECK(stored + refused + other_errors == kThreads * kPerThread);
  CHECK(shared.count_all() == 100);
  CHECK(store.count_all() == 100);
  std::set<std::string> present;
  for (const auto& group : shared.groups()) {
    for (const auto& [key, value] : shared.get_all(group)) {
      CHECK(value == key);
      present.insert(group + "/" + key);
    }
  }
  CHECK(present == accepted);
  CHECK_THROWS_AS(shared.set("g0", "late", "v"), kvstore::QuotaExceeded);
}

TEST_CASE("ScopedStore quota: threads on two Store objects of one file share max_keys exactly",
          "[scoped][quota][concurrency]") {
  // File only: two connections share only a file.
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  TempDir dir;
  const std::string path = dir.file("race.db");
  kvstore::Options options = no_purge();
  options.busy_timeout = 30s;
  kvstore::Store first(path, options);
  kvstore::Store second(path, options);

  std::atomic<int> stored{0}, refused{0}, other_errors{0};
  std::mutex mutex;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      kvstore::ScopedStore scoped(t % 2 ? first : second, "race", kvstore::QuotaConfig{100, 0});
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        try {
          scoped.set("g", key, "v");
          ++stored;
        } catch (const kvstore::QuotaExceeded&) {
          ++refused;
        } catch (const std::exception& error) {
          ++other_errors;
          std::lock_guard lock(mutex);
          errors.emplace_back(error.what());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  INFO("first unexpected error: " << (errors.empty() ? std::string("none") : errors.front()));
  CHECK(other_errors == 0);
  CHECK(stored == 100);
  CHECK(stored + refused + other_errors == kThreads * kPerThread);
  CHECK(first.count_all() == 100);
  CHECK(second.count("race:g") == 100);
}

// ---------------------------------------------------------------------------------------------
// Events

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore quota: a refused write publishes no event",
                 "[scoped][quota][events]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{1, 0});
  auto plain = store.watch("*");
  auto mine = scoped.watch("*");
  std::vector<std::string> callback_values;
  std::mutex mutex;
  auto subscription = store.on_change([&](const kvstore::Event& event) {
    std::lock_guard lock(mutex);
    callback_values.push_back(event.value.value());
  });

  scoped.set("g", "k", "first");
  const auto revision = store.revision();
  CHECK_THROWS_AS(scoped.set("g", "refused", "refused-set"), kvstore::QuotaExceeded);
  CHECK_THROWS_AS(scoped.set_with_ttl("g", "refused", "refused-ttl", 1h), kvstore::QuotaExceeded);
  CHECK_THROWS_AS(scoped.set_json("h", "refused", nlohmann::json("refused-json")),
                  kvstore::QuotaExceeded);
  CHECK_THROWS_AS(scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g", "k", "tx-upsert");
    tx.set("g", "refused", "refused-tx");
  }),
                  kvstore::QuotaExceeded);
  CHECK(store.revision() == revision);
  scoped.set("g", "k", "marker");  // an upsert: allowed

  for (auto* watcher : {&plain, &mine}) {
    auto first = watcher->next(kEventTimeout);
    REQUIRE(first.has_value());
    CHECK(first->value == "first");
    auto second = watcher->next(kEventTimeout);
    REQUIRE(second.has_value());
    CHECK(second->value == "marker");
    CHECK_FALSE(watcher->try_next().has_value());
  }
  std::lock_guard lock(mutex);
  CHECK(callback_values == std::vector<std::string>{"first", "marker"});
}

TEST_CASE_METHOD(
    kvtest::StoreOnEachBackend,
    "ScopedStore quota: the counts match the rows after commits, rollbacks and refusals",
    "[scoped][quota][transaction]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{12, 4});
  std::mt19937 random(20261122);
  const auto pick = [&](const char* prefix, unsigned n) {
    return prefix + std::to_string(random() % n);
  };
  // One random write; QuotaExceeded is an expected outcome. `Target`: ScopedStore or the view.
  const auto write = [&](auto& target) {
    const auto group = pick("g", 6);
    try {
      switch (random() % 4) {
        case 0:
        case 1:
          target.set(group, pick("k", 8), "v");
          break;
        case 2:
          target.erase(group, pick("k", 8));
          break;
        default:
          target.delete_group(group);
      }
    } catch (const kvstore::QuotaExceeded&) {
    }
  };
  for (int round = 0; round < 400; ++round) {
    switch (random() % 3) {
      case 0:
        write(scoped);
        break;
      case 1:  // committed
        scoped.transaction([&](kvstore::ScopedTransaction& tx) {
          for (int i = 0; i < 3; ++i) write(tx);
        });
        break;
      default:  // rolled back after writing
        CHECK_THROWS_AS(scoped.transaction([&](kvstore::ScopedTransaction& tx) {
          for (int i = 0; i < 3; ++i) write(tx);
          throw std::runtime_error("roll back");
        }),
                        std::runtime_error);
    }
    REQUIRE(store.check() == std::vector<std::string>{});
  }
  // And the counts still bind exactly: fill up to max_keys, then one more is refused.
  scoped.delete_prefix("");
  for (int i = 0; i < 12; ++i) scoped.set("g" + std::to_string(i % 4), std::to_string(i), "v");
  CHECK_THROWS_AS(scoped.set("g0", "one-more", "v"), kvstore::QuotaExceeded);
}
