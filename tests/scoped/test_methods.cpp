// ScopedStore: the tenant view of a Store — namespace validation, go-store's matrix (scoped
// set/get/erase, prefixed groups underneath, no collision between namespaces, get_all/count_all/
// groups scoped and un-prefixed, expired keys excluded), scoped purge_expired, the value views
// (render, get_split, get_fields, JSON), scoped transactions and scoped watchers.
//
// Waiting for expiry: wait_until_expired(ttl) gives a sentinel key in a private store the same
// TTL *after* the keys under test were written, and polls it; once the sentinel has expired, so
// have they. The store under test is not touched while waiting (a get would expire keys lazily).
#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends.hpp"
#include "printable_bytes.hpp"
#include "scoped_fixtures.hpp"
#include "support.hpp"

using namespace std::chrono_literals;

using kvtest::no_purge;
using kvtest::wait_until_expired;

namespace {

constexpr auto kShortTtl = 40ms;
constexpr auto kEventTimeout = 5s;

using Strings = std::vector<std::string>;

// Reads events from `watcher` until one with value `marker` arrives (that one excluded).
// Fails if the marker does not arrive in time.
std::vector<kvstore::Event> events_until_marker(kvstore::Watcher& watcher,
                                                const std::string& marker) {
  std::vector<kvstore::Event> seen;
  for (;;) {
    auto event = watcher.next(kEventTimeout);
    REQUIRE(event.has_value());
    if (event->type == kvstore::EventType::set && event->value == marker) return seen;
    seen.push_back(std::move(*event));
  }
}

std::string describe(const kvstore::Event& event) {
  return std::string(kvstore::to_string(event.type)) + " " + event.group + "/" + event.key +
         (event.value ? "=" + *event.value : std::string());
}

Strings describe(const std::vector<kvstore::Event>& events) {
  Strings out;
  for (const auto& event : events) out.push_back(describe(event));
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Namespace validation

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore: invalid namespaces throw InvalidArgument naming the namespace",
                 "[scoped]") {
  const std::string bad =
      GENERATE(as<std::string>{}, ".", ":", "_", " ", "/", "!", "@", "caf\xc3\xa9", "\xff",
               "team.one", "team:one", "team_one", "team one", "team/one", "team!", "@team",
               "tenant\xc3\xa9", std::string("ab\0cd", 5), "a\n", "a*", "a%");
  CAPTURE(bad);
  try {
    kvstore::ScopedStore scoped(store, bad);
    FAIL("constructing ScopedStore with namespace '" << bad << "' did not throw");
  } catch (const kvstore::InvalidArgument& error) {
    const std::string what = error.what();
    INFO("what(): " << what);
    // The namespace as it is, or with its unprintable bytes escaped as \xNN.
    CHECK((what.find(bad) != std::string::npos ||
           what.find(kvtest::printable(bad)) != std::string::npos));
  }
  // The failed construction wrote nothing.
  CHECK(store.count_all() == 0);
  CHECK(store.groups().empty());
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore: the empty namespace throws InvalidArgument", "[scoped]") {
  try {
    kvstore::ScopedStore scoped(store, "");
    FAIL("constructing ScopedStore with an empty namespace did not throw");
  } catch (const kvstore::InvalidArgument& error) {
    CHECK(std::string(error.what()).find("namespace") != std::string::npos);
  }
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend,
                 "ScopedStore: namespaces of letters, digits and dashes are accepted", "[scoped]") {
  const std::string good =
      GENERATE(as<std::string>{}, "a-B-9", "a", "Z", "0", "-", "tenant-42", "ABCdef0123456789-xyz");
  CAPTURE(good);
  kvstore::ScopedStore scoped(store, good);
  CHECK(scoped.ns() == good);
  scoped.set("g", "k", "v");
  CHECK(scoped.get("g", "k") == "v");
  CHECK(store.get(good + ":g", "k") == "v");
}

TEST_CASE_METHOD(kvtest::StoreOnEachBackend, "ScopedStore: quota() returns the configured quota",
                 "[scoped]") {
  kvstore::ScopedStore scoped(store, "t", kvstore::QuotaConfig{7, 3});
  CHECK(scoped.quota().max_keys == 7);
  CHECK(scoped.quota().max_groups == 3);
  kvstore::ScopedStore unlimited(store, "u");
  CHECK(unlimited.quota().max_keys == 0);
  CHECK(unlimited.quota().max_groups == 0);
}

// ---------------------------------------------------------------------------------------------
// go-store's matrix

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: set, get and erase within the namespace",
                 "[scoped]") {
  CHECK_FALSE(scoped.get("config", "theme").has_value());
  scoped.set("config", "theme", "dark");
  CHECK(scoped.get("config", "theme") == "dark");
  scoped.set("config", "theme", "light");
  CHECK(scoped.get("config", "theme") == "light");
  CHECK(scoped.count("config") == 1);

  CHECK(scoped.erase("config", "theme"));
  CHECK_FALSE(scoped.get("config", "theme").has_value());
  CHECK_FALSE(scoped.erase("config", "theme"));
  CHECK(scoped.count("config") == 0);
  CHECK(store.count_all() == 0);
}

TEST_CASE_METHOD(kvtest::Tenant,
                 "ScopedStore: the underlying store holds the prefixed group ns:group",
                 "[scoped]") {
  scoped.set("config", "theme", "dark");
  scoped.set_with_ttl("session", "token", "abc", 1h);
  scoped.set_json("prefs", "json", nlohmann::json{{"a", 1}});

  CHECK(store.get("tenant:config", "theme") == "dark");
  CHECK(store.get("tenant:session", "token") == "abc");
  CHECK(store.get_json("tenant:prefs", "json") == nlohmann::json{{"a", 1}});
  CHECK_FALSE(store.get("config", "theme").has_value());
  CHECK(store.groups() == Strings{"tenant:config", "tenant:prefs", "tenant:session"});

  // And writes made directly to the prefixed group are what the scoped view reads.
  store.set("tenant:config", "font", "mono");
  CHECK(scoped.get("config", "font") == "mono");
  CHECK(scoped.get_all("config") ==
        std::map<std::string, std::string>{{"font", "mono"}, {"theme", "dark"}});
}

TEST_CASE_METHOD(kvtest::AlphaAndBeta, "ScopedStore: two namespaces do not collide", "[scoped]") {
  alpha.set("config", "theme", "dark");
  beta.set("config", "theme", "light");
  store.set("config", "theme", "plain");

  CHECK(alpha.get("config", "theme") == "dark");
  CHECK(beta.get("config", "theme") == "light");
  CHECK(store.get("config", "theme") == "plain");

  CHECK(alpha.erase("config", "theme"));
  CHECK_FALSE(alpha.get("config", "theme").has_value());
  CHECK(beta.get("config", "theme") == "light");
  CHECK(store.get("config", "theme") == "plain");

  alpha.set("config", "a", "1");
  CHECK(beta.delete_group("config") == 1);
  CHECK(alpha.get("config", "a") == "1");
  CHECK(store.get("config", "theme") == "plain");
  CHECK(store.count_all() == 2);
}

TEST_CASE_METHOD(kvtest::PrefixTenants,
                 "ScopedStore: namespaces where one is a prefix of the other stay apart",
                 "[scoped]") {
  a.set("g", "k", "from a");
  a.set("-b:g", "k", "from a, hostile group");
  ab.set("g", "k", "from a-b");

  CHECK(a.get("g", "k") == "from a");
  CHECK(ab.get("g", "k") == "from a-b");
  CHECK(a.get("-b:g", "k") == "from a, hostile group");
  CHECK(store.get("a:-b:g", "k") == "from a, hostile group");
  CHECK(store.get("a-b:g", "k") == "from a-b");

  CHECK(a.count_all() == 2);
  CHECK(ab.count_all() == 1);
  CHECK(a.groups() == Strings{"-b:g", "g"});
  CHECK(ab.groups() == Strings{"g"});

  CHECK(a.delete_prefix("") == 2);
  CHECK(ab.get("g", "k") == "from a-b");
  CHECK(ab.count_all() == 1);
  CHECK(a.count_all() == 0);
}

TEST_CASE_METHOD(kvtest::TenantAndOther, "ScopedStore: get_all returns only the scoped group",
                 "[scoped]") {
  kvtest::set_rows(scoped, {{"config", "a", "1"},
                            {"config", "b", "2"},
                            {"config2", "c", "3"},
                            {"config:sub", "d", "4"},
                            {"conf", "e", "5"}});
  other.set("config", "x", "9");
  kvtest::set_rows(store, {{"config", "y", "8"}, {"tenant", "z", "7"}});

  CHECK(scoped.get_all("config") == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
  CHECK(scoped.get_all("missing").empty());
  CHECK(other.get_all("config") == std::map<std::string, std::string>{{"x", "9"}});
}

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: get_all, count and for_each skip expired keys",
                 "[scoped]") {
  scoped.set("g", "live", "1");
  scoped.set_with_ttl("g", "long", "2", 1h);
  scoped.set_with_ttl("g", "short", "3", kShortTtl);
  wait_until_expired(kShortTtl);

  CHECK(scoped.get_all("g") == std::map<std::string, std::string>{{"live", "1"}, {"long", "2"}});
  CHECK(scoped.count("g") == 2);
  Strings visited;
  scoped.for_each("g", [&](std::string_view key, std::string_view) {
    visited.emplace_back(key);
    return true;
  });
  CHECK(visited == Strings{"live", "long"});
  CHECK_FALSE(scoped.get("g", "short").has_value());
}

TEST_CASE_METHOD(kvtest::TenantAndOther,
                 "ScopedStore: for_each visits the scoped group in key order and stops on false",
                 "[scoped]") {
  kvtest::set_rows(scoped, {{"g", "b", "2"}, {"g", "a", "1"}, {"g", "c", "3"}, {"g2", "x", "x"}});
  other.set("g", "0", "other");
  store.set("g", "0", "plain");

  std::vector<std::pair<std::string, std::string>> visited;
  scoped.for_each("g", [&](std::string_view key, std::string_view value) {
    visited.emplace_back(key, value);
    return true;
  });
  CHECK(visited ==
        std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}, {"c", "3"}});

  visited.clear();
  scoped.for_each("g", [&](std::string_view key, std::string_view value) {
    visited.emplace_back(key, value);
    return visited.size() < 2;
  });
  CHECK(visited == std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}});
}

TEST_CASE_METHOD(kvtest::AlphaAndBeta,
                 "ScopedStore: count_all and groups with mixed namespaces and expired keys",
                 "[scoped]") {
  alpha.set("g1", "a", "1");
  alpha.set("g1", "b", "2");
  alpha.set("g2", "a", "1");
  alpha.set_with_ttl("g2", "gone", "x", kShortTtl);
  alpha.set_with_ttl("g3", "gone", "x", kShortTtl);  // g3 holds only an expiring key
  alpha.set_with_ttl("h1", "kept", "x", 1h);
  beta.set("g1", "a", "1");
  beta.set("g9", "a", "1");
  beta.set_with_ttl("g4", "gone", "x", kShortTtl);
  store.set("g1", "plain", "1");
  store.set("alpha", "plain", "1");
  store.set("alphabet:g1", "plain", "1");
  wait_until_expired(kShortTtl);

  CHECK(alpha.count_all() == 4);
  CHECK(alpha.count_all("g") == 3);
  CHECK(alpha.count_all("g1") == 2);
  CHECK(alpha.count_all("g3") == 0);
  CHECK(alpha.count_all("h") == 1);
  CHECK(alpha.count_all("x") == 0);
  CHECK(alpha.groups() == Strings{"g1", "g2", "h1"});
  CHECK(alpha.groups("g") == Strings{"g1", "g2"});
  CHECK(alpha.groups("g3").empty());

  CHECK(beta.count_all() == 2);
  CHECK(beta.groups() == Strings{"g1", "g9"});
  CHECK(beta.groups("g9") == Strings{"g9"});

  CHECK(store.count_all() == 9);
  CHECK(store.groups() == Strings{"alpha", "alpha:g1", "alpha:g2", "alpha:h1", "alphabet:g1",
                                  "beta:g1", "beta:g9", "g1"});
}

TEST_CASE_METHOD(kvtest::TenantAndOther,
                 "ScopedStore: delete_group and delete_prefix stay inside the namespace",
                 "[scoped]") {
  kvtest::set_in_groups(scoped, {"user:1", "user:2", "users", "config"}, "a", "1");
  scoped.set("user:1", "b", "1");
  other.set("user:1", "a", "1");
  // Un-namespaced groups, two of them named like the namespace but without its ":".
  kvtest::set_in_groups(store, {"user:1", "tenant", "tenantuser:1"}, "a", "1");

  CHECK(scoped.delete_group("user:1") == 2);
  CHECK(scoped.delete_group("user:1") == 0);
  CHECK(scoped.groups() == Strings{"config", "user:2", "users"});
  CHECK(scoped.delete_prefix("user") == 2);
  CHECK(scoped.groups() == Strings{"config"});
  CHECK(scoped.delete_prefix("%") == 0);
  CHECK(scoped.delete_prefix("_") == 0);
  CHECK(scoped.groups() == Strings{"config"});
  CHECK(scoped.delete_prefix("") == 1);
  CHECK(scoped.count_all() == 0);

  CHECK(other.get("user:1", "a") == "1");
  CHECK(store.groups() == Strings{"other:user:1", "tenant", "tenantuser:1", "user:1"});
}

TEST_CASE_METHOD(kvtest::PrefixTenants,
                 "ScopedStore: purge_expired removes only this namespace's expired keys",
                 "[scoped]") {
  a.set_with_ttl("g", "1", "x", kShortTtl);
  a.set_with_ttl("h", "2", "x", kShortTtl);
  a.set_with_ttl("g", "kept", "x", 1h);
  a.set("g", "plain", "x");
  ab.set_with_ttl("g", "1", "x", kShortTtl);
  store.set_with_ttl("a", "1", "x", kShortTtl);
  store.set_with_ttl("g", "1", "x", kShortTtl);
  store.set_with_ttl("a-b", "1", "x", kShortTtl);
  wait_until_expired(kShortTtl);

  CHECK(a.purge_expired() == 2);
  CHECK(a.purge_expired() == 0);
  CHECK(a.count_all() == 2);
  // The other expired rows are still there for their own purges to find.
  CHECK(ab.purge_expired() == 1);
  CHECK(store.purge_expired() == 3);
  CHECK(a.get("g", "kept") == "x");
  CHECK(a.get("g", "plain") == "x");
}

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: set_with_ttl rejects a TTL <= 0 and writes nothing",
                 "[scoped]") {
  const auto ttl = GENERATE(0ms, -1ms, -1h);
  CHECK_THROWS_AS(scoped.set_with_ttl("g", "k", "v", ttl), kvstore::InvalidArgument);
  CHECK(store.count_all() == 0);
  scoped.set("g", "k", "old");
  CHECK_THROWS_AS(scoped.set_with_ttl("g", "k", "new", ttl), kvstore::InvalidArgument);
  CHECK(scoped.get("g", "k") == "old");
}

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: set clears a TTL set through the scoped view",
                 "[scoped]") {
  scoped.set_with_ttl("g", "k", "v", kShortTtl);
  scoped.set("g", "k", "forever");
  wait_until_expired(kShortTtl);
  CHECK(scoped.get("g", "k") == "forever");
  CHECK(scoped.purge_expired() == 0);
}

// ---------------------------------------------------------------------------------------------
// Value views

TEST_CASE_METHOD(kvtest::TenantAndOther, "ScopedStore: render uses the scoped group's keys",
                 "[scoped]") {
  kvtest::set_rows(scoped, {{"vars", "name", "<Alice>"}, {"vars", "city", "Paris"}});
  kvtest::set_rows(other, {{"vars", "name", "Mallory"}, {"vars", "extra", "other tenant"}});
  kvtest::set_rows(store, {{"vars", "name", "plain"}, {"vars", "extra", "plain store"}});

  CHECK(scoped.render("vars", kvstore::Template{"Hello {{name}} from {{city}}{{extra}}!"}) ==
        "Hello <Alice> from Paris!");
  CHECK(other.render("vars", kvstore::Template{"{{name}}/{{extra}}"}) == "Mallory/other tenant");
  CHECK(scoped.render("missing", kvstore::Template{"[{{name}}]"}) == "[]");
  CHECK_THROWS_AS(scoped.render("vars", kvstore::Template{"{{#unclosed}}"}),
                  kvstore::InvalidArgument);
}

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: get_split and get_fields read the scoped key",
                 "[scoped]") {
  kvtest::set_rows(scoped, {{"lists", "csv", "a,b,,c"}, {"lists", "words", "  one two\tthree\n"}});
  kvtest::set_rows(store, {{"lists", "csv", "plain,store"}, {"lists", "missing", "x y"}});

  CHECK(scoped.get_split("lists", "csv", ",") == Strings{"a", "b", "", "c"});
  CHECK(scoped.get_fields("lists", "words") == Strings{"one", "two", "three"});
  CHECK(scoped.get_split("lists", "missing", ",").empty());
  CHECK(scoped.get_fields("lists", "missing").empty());
  CHECK_THROWS_AS(scoped.get_split("lists", "csv", ""), kvstore::InvalidArgument);
}

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: set_json and get_json on scoped groups",
                 "[scoped]") {
  const nlohmann::json doc = {{"name", "x"}, {"list", {1, 2, 3}}, {"nested", {{"ok", true}}}};

  scoped.set_json("docs", "d", doc);
  CHECK(scoped.get_json("docs", "d") == doc);
  CHECK(store.get("tenant:docs", "d") == doc.dump());
  CHECK_FALSE(store.get_json("docs", "d").has_value());
  CHECK_FALSE(scoped.get_json("docs", "missing").has_value());

  scoped.set("docs", "bad", "{not json");
  CHECK_THROWS_AS(scoped.get_json("docs", "bad"), kvstore::InvalidArgument);

  store.set("docs", "d", "[1]");
  CHECK(scoped.get_json("docs", "d") == doc);
}

// ---------------------------------------------------------------------------------------------
// Transactions

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: transaction commits scoped writes atomically",
                 "[scoped][transaction]") {
  scoped.set("g", "old", "1");
  scoped.set("h", "x", "1");

  scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g", "a", "A");
    tx.set_with_ttl("g", "b", "B", 1h);
    CHECK(tx.get("g", "a") == "A");
    CHECK(tx.count("g") == 3);
    CHECK(tx.erase("g", "old"));
    CHECK(tx.get_all("g") == std::map<std::string, std::string>{{"a", "A"}, {"b", "B"}});
    CHECK(tx.delete_group("h") == 1);
    tx.set("p1", "k", "v");
    tx.set("p2", "k", "v");
    CHECK(tx.delete_prefix("p") == 2);
  });

  CHECK(store.get_all("tenant:g") == std::map<std::string, std::string>{{"a", "A"}, {"b", "B"}});
  CHECK(store.groups() == Strings{"tenant:g"});
}

TEST_CASE_METHOD(kvtest::Tenant,
                 "ScopedStore: a transaction whose fn throws rolls back every scoped write",
                 "[scoped][transaction]") {
  scoped.set("g", "old", "1");

  struct Boom {};
  CHECK_THROWS_AS(scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g", "new", "1");
    tx.set("g", "old", "changed");
    tx.delete_group("g");
    tx.set("h", "x", "1");
    throw Boom{};
  }),
                  Boom);

  CHECK(scoped.get_all("g") == std::map<std::string, std::string>{{"old", "1"}});
  CHECK(store.groups() == Strings{"tenant:g"});
}

TEST_CASE_METHOD(kvtest::PrefixTenants,
                 "ScopedStore: transaction delete_prefix stays inside the namespace",
                 "[scoped][transaction]") {
  a.set("x", "k", "1");
  ab.set("x", "k", "1");
  store.set("a", "k", "1");

  a.transaction([&](kvstore::ScopedTransaction& tx) {
    CHECK(tx.delete_prefix("") == 1);
    CHECK(tx.get_all("x").empty());
    CHECK(tx.count("x") == 0);
  });
  CHECK(ab.get("x", "k") == "1");
  CHECK(store.get("a", "k") == "1");
  CHECK(store.groups() == Strings{"a", "a-b:x"});
}

// ---------------------------------------------------------------------------------------------
// Watchers

TEST_CASE_METHOD(
    kvtest::PrefixTenants,
    "ScopedStore: watch(\"*\") sees only its namespace's events, with un-prefixed groups",
    "[scoped][events]") {
  kvstore::ScopedStore b(store, "b");
  auto watcher = a.watch("*", "*", std::nullopt, 64);

  ab.set("g", "k", "a-b");         // another tenant whose name starts with "a"
  b.set("g", "k", "b");            // another tenant
  store.set("g", "k", "plain");    // un-namespaced group of the same name
  store.set("a", "k", "plain a");  // a group named like the tenant
  a.set("g", "k", "v1");           // ours
  a.set("-b:g", "k", "v2");        // ours, although the full group starts with "a:-b"
  a.set_with_ttl("h", "k", "v3", 1h);
  a.set_json("j", "k", nlohmann::json(3));
  CHECK(a.erase("g", "k"));
  CHECK(a.delete_group("h") == 1);
  store.set("a:direct", "k", "v4");  // written to the namespace directly through the Store
  ab.set("g", "k", "end-a-b");
  a.set("g", "end", "marker");

  const auto seen = events_until_marker(watcher, "marker");
  CHECK(describe(seen) == Strings{"set g/k=v1", "set -b:g/k=v2", "set h/k=v3", "set j/k=3",
                                  "delete g/k", "delete_group h/", "set direct/k=v4"});
  CHECK_FALSE(watcher.try_next().has_value());
}

TEST_CASE_METHOD(kvtest::Tenant,
                 "ScopedStore: a watcher on the underlying Store sees the prefixed groups",
                 "[scoped][events]") {
  auto all = store.watch("*", "*", std::nullopt, 64);
  auto one = store.watch("tenant:g", "k");

  scoped.set("g", "k", "v1");
  scoped.set("g", "other", "v2");
  CHECK(scoped.erase("g", "k"));
  scoped.set("g", "end", "marker");

  CHECK(describe(events_until_marker(all, "marker")) ==
        Strings{"set tenant:g/k=v1", "set tenant:g/other=v2", "delete tenant:g/k"});

  auto first = one.next(kEventTimeout);
  REQUIRE(first.has_value());
  CHECK(describe(*first) == "set tenant:g/k=v1");
  auto second = one.next(kEventTimeout);
  REQUIRE(second.has_value());
  CHECK(describe(*second) == "delete tenant:g/k");
  CHECK_FALSE(one.try_next().has_value());
}

TEST_CASE_METHOD(kvtest::PrefixTenants,
                 "ScopedStore: a scoped watch on a specific group sees only that group",
                 "[scoped][events]") {
  auto group = a.watch("g");
  auto key = a.watch("g", "k");

  a.set("g", "k", "1");
  a.set("g", "other", "2");
  a.set("g2", "k", "no");      // a group whose name starts with "g"
  a.set("h", "k", "no");       // another group
  ab.set("g", "k", "no");      // the same group in a namespace starting with "a"
  store.set("g", "k", "no");   // the un-namespaced group
  store.set("a:g", "k", "3");  // our group, written through the Store
  CHECK(a.delete_group("g") == 2);
  a.set("g", "end", "marker");

  CHECK(describe(events_until_marker(group, "marker")) ==
        Strings{"set g/k=1", "set g/other=2", "set g/k=3", "delete_group g/"});
  CHECK_FALSE(group.try_next().has_value());

  std::vector<kvstore::Event> by_key;
  for (int i = 0; i < 3; ++i) {
    auto event = key.next(kEventTimeout);
    REQUIRE(event.has_value());
    by_key.push_back(std::move(*event));
  }
  CHECK(describe(by_key) == Strings{"set g/k=1", "set g/k=3", "delete_group g/"});
  CHECK_FALSE(key.try_next().has_value());
}

TEST_CASE_METHOD(kvtest::TenantAndOther,
                 "ScopedStore: a scoped watcher sees expiry events with un-prefixed groups",
                 "[scoped][events]") {
  auto watcher = scoped.watch("*");

  scoped.set_with_ttl("g", "k", "v", kShortTtl);
  other.set_with_ttl("g", "k", "v", kShortTtl);
  wait_until_expired(kShortTtl);
  CHECK(other.purge_expired() == 1);
  CHECK(scoped.purge_expired() == 1);
  scoped.set("g", "end", "marker");

  CHECK(describe(events_until_marker(watcher, "marker")) == Strings{"set g/k=v", "expire g/k"});
}

TEST_CASE_METHOD(kvtest::Tenant, "ScopedStore: a rolled-back scoped transaction publishes nothing",
                 "[scoped][events]") {
  auto watcher = scoped.watch("*");
  auto plain = store.watch("*");

  struct Boom {};
  CHECK_THROWS_AS(scoped.transaction([&](kvstore::ScopedTransaction& tx) {
    tx.set("g", "k", "rolled back");
    throw Boom{};
  }),
                  Boom);
  scoped.set("g", "end", "marker");

  CHECK(events_until_marker(watcher, "marker").empty());
  CHECK(events_until_marker(plain, "marker").empty());
}
