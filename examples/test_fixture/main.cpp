// Example: testing your own code against kvstore with Catch2 (v2).
//
// Shows how to
//   - give every test case a fresh, private in-memory store (":memory:") through a fixture
//     struct and TEST_CASE_METHOD; Catch2 builds a new fixture for each test case and for each
//     run through its SECTIONs, so no test sees another's writes and no file is left behind;
//   - seed that store from a JSON file kept next to the tests (seed.json; its path comes from the
//     KVSTORE_EXAMPLE_SEED_FILE compile definition set in CMakeLists.txt);
//   - test application code that reads JSON values, writes in a transaction and publishes events.
//
// Run it like any Catch2 binary: example_test_fixture [test name or [tag]] [-s]
#define CATCH_CONFIG_MAIN  // this file provides main()
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef KVSTORE_EXAMPLE_SEED_FILE
#error "KVSTORE_EXAMPLE_SEED_FILE must name seed.json (examples/CMakeLists.txt)"
#endif

using namespace std::chrono_literals;

// ---- The code under test: a small piece of an application -----------------------------------

// Users are stored as users/<id> = {"name": ..., "role": ...}.
std::vector<std::string> admins(kvstore::Store& store) {
  std::vector<std::string> ids;
  store.for_each("users", [&](std::string_view id, std::string_view value) {
    if (nlohmann::json::parse(value).value("role", "") == "admin") ids.emplace_back(id);
    return true;  // keep going
  });
  return ids;
}

// Makes `id` an admin and records who was promoted last, both or neither.
void promote(kvstore::Store& store, const std::string& id) {
  store.transaction([&](kvstore::Transaction& tx) {
    auto user = tx.get("users", id);
    if (!user) throw std::invalid_argument("no such user: " + id);
    auto record = nlohmann::json::parse(*user);
    record["role"] = "admin";
    tx.set("users", id, record.dump());
    tx.set("audit", "last-promotion", id);
  });
}

// Feature flags are JSON booleans; an unknown flag is off.
bool feature_enabled(kvstore::Store& store, std::string_view flag) {
  const auto value = store.get_json("feature-flags", flag);
  return value && value->is_boolean() && value->get<bool>();
}

// ---- The fixture ------------------------------------------------------------------------------

// Loads a seed file of the shape {"group": {"key": value, ...}, ...} into `store`. A JSON string
// is stored as it is; any other value as its JSON text (read it back with get_json). One
// transaction: a seed that fails half-way loads nothing.
void seed_from_json(kvstore::Store& store, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open seed file " + path);
  const auto seed = nlohmann::json::parse(in);
  store.transaction([&](kvstore::Transaction& tx) {
    for (const auto& [group, keys] : seed.items()) {
      if (!keys.is_object())
        throw std::runtime_error(path + ": group " + group + ": not an object");
      for (const auto& [key, value] : keys.items()) {
        tx.set(group, key, value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
  });
}

// Options for test stores. purge_interval 0: no background purge thread, since a test that
// needs expired keys gone can call purge_expired() itself, deterministically.
kvstore::Options test_options() {
  kvstore::Options options;
  options.purge_interval = 0ms;
  return options;
}

// A fresh store holding the seed.
struct SeededStore {
  kvstore::Store store{":memory:", test_options()};
  SeededStore() { seed_from_json(store, KVSTORE_EXAMPLE_SEED_FILE); }
};

constexpr std::size_t kSeedKeys = 8;  // keys in seed.json

// ---- The tests --------------------------------------------------------------------------------

TEST_CASE_METHOD(SeededStore, "the fixture holds the seed", "[fixture]") {
  CHECK(store.count_all() == kSeedKeys);
  CHECK(store.groups() == std::vector<std::string>{"config", "feature-flags", "users"});
  CHECK(store.get("config", "theme") == "dark");       // a string, stored as it is
  CHECK(store.get_json("config", "page_size") == 25);  // a number, stored as JSON
  CHECK(store.get_json("users", "ada")->at("name") == "Ada Lovelace");
}

TEST_CASE_METHOD(SeededStore, "every test case starts from the seed", "[fixture]") {
  // Catch2 runs this test case once per SECTION, each time with a new SeededStore.
  SECTION("a section that empties the store") {
    CHECK(store.delete_prefix("") == kSeedKeys);
    CHECK(store.count_all() == 0);
  }
  SECTION("a later section still finds the seed") { CHECK(store.count_all() == kSeedKeys); }
}

TEST_CASE_METHOD(SeededStore, "admins() lists the admin users", "[users]") {
  CHECK(admins(store) == std::vector<std::string>{"ada"});
}

TEST_CASE_METHOD(SeededStore, "promote() is all or nothing", "[users]") {
  SECTION("a known user becomes an admin and the promotion is recorded") {
    promote(store, "grace");
    CHECK(admins(store) == std::vector<std::string>{"ada", "grace"});
    CHECK(store.get("audit", "last-promotion") == "grace");
  }
  SECTION("an unknown user changes nothing") {
    const auto revision = store.revision();
    CHECK_THROWS_AS(promote(store, "nobody"), std::invalid_argument);
    CHECK(store.revision() == revision);  // the transaction was rolled back
    CHECK_FALSE(store.get("audit", "last-promotion"));
  }
}

TEST_CASE_METHOD(SeededStore, "feature flags default to off", "[flags]") {
  CHECK(feature_enabled(store, "new-editor"));
  CHECK_FALSE(feature_enabled(store, "beta-search"));
  CHECK_FALSE(feature_enabled(store, "never-heard-of-it"));
}

TEST_CASE_METHOD(SeededStore, "a change to the theme is published", "[events]") {
  auto watcher = store.watch("config", "theme");
  store.set("config", "theme", "light");
  // Events are queued when the write commits; next() waits at most the given time for one.
  const auto event = watcher.next(1s);
  REQUIRE(event);
  CHECK(event->type == kvstore::EventType::set);
  CHECK(event->value == "light");
  CHECK_FALSE(event->external);  // made by this Store, not another process
  CHECK_FALSE(watcher.try_next());
}

TEST_CASE_METHOD(SeededStore, "a banner expires after a day", "[ttl]") {
  // Check the expiry time rather than waiting for it: tests stay fast and never flaky.
  const auto before = kvstore::Clock::now();
  store.set_with_ttl("config", "banner", "maintenance tonight", 24h);
  const auto after = kvstore::Clock::now();
  const auto meta = store.stat("config", "banner");
  REQUIRE(meta);
  REQUIRE(meta->expires_at);
  // Stored with millisecond precision: allow for the rounding.
  CHECK(*meta->expires_at >= before + 24h - 1ms);
  CHECK(*meta->expires_at <= after + 24h + 1ms);
  CHECK(store.count_all() == kSeedKeys + 1);
}
