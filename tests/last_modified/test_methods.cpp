// LastModifiedStore: lastmodstore's own suite translated (constructor, start/is_running, core
// operations, operations when not running), plus what the Store behind it adds (write-through,
// persisted last-modified times, TTLs, stats).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "last_modified_support.hpp"

using namespace std::chrono_literals;
using kvstore::Clock;
using kvstore::FullPolicy;
using kvstore::LastModifiedConfig;
using kvstore::LastModifiedStore;
using lmtest::config_with;
using lmtest::Fixture;
using lmtest::Running;

namespace {

// t truncated to the millisecond, the precision the Store keeps.
Clock::time_point to_ms(Clock::time_point t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

// Field by field, so that a failure names the field that differs.
void check_config(const LastModifiedConfig& config, const LastModifiedConfig& expected) {
  CHECK(config.max_size == expected.max_size);
  CHECK(config.worker_count == expected.worker_count);
  CHECK(config.cleanup_interval == expected.cleanup_interval);
  CHECK(config.on_full == expected.on_full);
}

}  // namespace

// ---- Phase 1: constructor ----

TEST_CASE("LastModifiedStore constructor: default config", "[lastmod]") {
  Fixture f;
  check_config(f.layer.config(), config_with(0, 2, 0ms, FullPolicy::reject));
}

TEST_CASE("LastModifiedStore constructor: custom values are kept", "[lastmod]") {
  const LastModifiedConfig custom = config_with(100, 5, 30s, FullPolicy::evict_oldest);
  Fixture f(custom);
  check_config(f.layer.config(), custom);
}

TEST_CASE("LastModifiedStore constructor: zero workers means 2", "[lastmod][posix][proc]") {
  Fixture f(config_with(0, 0));
  CHECK(f.layer.config().worker_count == 2);
  const auto before = lmtest::thread_count();
  f.layer.start();
  CHECK(lmtest::thread_count() == before + 2);
}

TEST_CASE("LastModifiedStore constructor: negative values are rejected", "[lastmod]") {
  kvtest::TempDir dir;
  kvstore::Store store(dir.file("db.sqlite"), lmtest::quiet_options());
  CHECK_THROWS_AS(LastModifiedStore(store, config_with(-1)), kvstore::InvalidConfig);
  CHECK_THROWS_AS(LastModifiedStore(store, config_with(0, -1)), kvstore::InvalidConfig);
  CHECK_THROWS_AS(LastModifiedStore(store, config_with(0, 0, -1s)), kvstore::InvalidConfig);
  CHECK_THROWS_WITH(LastModifiedStore(store, config_with(0, -3)),
                    Catch::Contains("worker_count") && Catch::Contains("-3"));
  // InvalidConfig is an InvalidArgument.
  CHECK_THROWS_AS(LastModifiedStore(store, config_with(-5)), kvstore::InvalidArgument);
}

TEST_CASE("LastModifiedStore constructor: not running after construction", "[lastmod]") {
  Fixture f;
  CHECK_FALSE(f.layer.is_running());
}

// ---- Phase 2: start / is_running ----

TEST_CASE("LastModifiedStore start: runs until shutdown, and can start again", "[lastmod]") {
  Fixture f;
  f.layer.start();
  CHECK(f.layer.is_running());
  f.layer.set("g", "k", "v");
  f.layer.shutdown();
  CHECK_FALSE(f.layer.is_running());

  f.layer.start();
  CHECK(f.layer.is_running());
  CHECK(f.layer.size() == 0);  // memory starts empty
  CHECK(f.layer.get("g", "k")->value == "v");
}

TEST_CASE("LastModifiedStore start: a second start throws AlreadyRunning", "[lastmod]") {
  Running f;
  CHECK_THROWS_AS(f.layer.start(), kvstore::AlreadyRunning);
  CHECK(f.layer.is_running());
  f.layer.set("g", "k", "v");  // still fully usable
  CHECK(f.layer.get("g", "k")->value == "v");
}

TEST_CASE("LastModifiedStore start: concurrent starts, exactly one wins", "[lastmod]") {
  Fixture f;
  std::atomic<int> started{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      try {
        f.layer.start();
        ++started;
      } catch (const kvstore::AlreadyRunning&) {
        ++refused;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(started == 1);
  CHECK(refused == 3);
  CHECK(f.layer.is_running());
}

TEST_CASE("LastModifiedStore is_running: thread safe while starting and stopping", "[lastmod]") {
  Fixture f;
  std::atomic<bool> done{false};
  std::atomic<long> observed_running{0}, observed_stopped{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!done) (f.layer.is_running() ? observed_running : observed_stopped)++;
    });
  }
  for (int round = 0; round < 20; ++round) {
    f.layer.start();
    CHECK(f.layer.is_running());
    f.layer.shutdown();
    CHECK_FALSE(f.layer.is_running());
  }
  done = true;
  for (auto& reader : readers) reader.join();
  CHECK(observed_running + observed_stopped > 0);
}

// ---- Phase 3: core operations ----

TEST_CASE("LastModifiedStore set: writes through with the commit time", "[lastmod]") {
  Running f;
  const auto before = to_ms(Clock::now());
  f.layer.set("g", "k", "v");
  const auto after = Clock::now();

  // Committed to the Store before set() returned.
  CHECK(f.store.get("g", "k") == "v");
  const auto item = f.layer.get("g", "k");
  REQUIRE(item);
  CHECK(item->value == "v");
  CHECK(item->last_modified >= before);
  CHECK(item->last_modified <= after);
  CHECK_FALSE(item->expires_at);
  // last_modified is the commit time the Store persisted.
  CHECK(item->last_modified == f.store.stat("g", "k")->last_modified);
  CHECK(f.layer.stats().sets == 1);
  CHECK(f.layer.stats().hits == 1);  // served from memory, no Store read
  CHECK(f.layer.stats().misses == 0);
}

TEST_CASE("LastModifiedStore set: an update changes value and last_modified", "[lastmod]") {
  Running f;
  f.layer.set("g", "k", "v1");
  const auto first = *f.layer.last_modified("g", "k");
  // Rewrite until the millisecond clock has moved on (no sleep, no timing assumption).
  int round = 0;
  REQUIRE(kvtest::eventually([&] {
    f.layer.set("g", "k", "v" + std::to_string(++round + 1));
    return *f.layer.last_modified("g", "k") > first;
  }));
  const auto item = f.layer.get("g", "k");
  CHECK(item->value == "v" + std::to_string(round + 1));
  CHECK(item->last_modified > first);
  CHECK(item->last_modified == f.store.stat("g", "k")->last_modified);
  CHECK(f.layer.size() == 1);
}

TEST_CASE("LastModifiedStore set_with_ttl: get returns the item with its metadata", "[lastmod]") {
  Running f;
  f.layer.set_with_ttl("g", "k", "v", 1h);
  const auto item = f.layer.get("g", "k");
  REQUIRE(item);
  CHECK(item->value == "v");
  REQUIRE(item->expires_at);
  CHECK(*item->expires_at == item->last_modified + 1h);
  const auto meta = f.store.stat("g", "k");
  CHECK(meta->expires_at == item->expires_at);
  CHECK(meta->last_modified == item->last_modified);

  // A plain set clears the TTL, in memory as in the Store.
  f.layer.set("g", "k", "v2");
  CHECK_FALSE(f.layer.get("g", "k")->expires_at);
  CHECK_FALSE(f.store.stat("g", "k")->expires_at);
}

TEST_CASE("LastModifiedStore set_with_ttl: ttl <= 0 is rejected, nothing written", "[lastmod]") {
  Running f;
  CHECK_THROWS_AS(f.layer.set_with_ttl("g", "k", "v", 0ms), kvstore::InvalidArgument);
  CHECK_THROWS_AS(f.layer.set_with_ttl("g", "k", "v", -5ms), kvstore::InvalidArgument);
  CHECK_FALSE(f.store.get("g", "k"));
  CHECK_FALSE(f.layer.get("g", "k"));
  CHECK(f.layer.stats().sets == 0);
}

TEST_CASE("LastModifiedStore get: a missing key is nullopt, a miss once, then remembered",
          "[lastmod]") {
  Running f;
  CHECK_FALSE(f.layer.get("g", "missing"));
  CHECK_FALSE(f.layer.last_modified("g", "missing"));
  CHECK(f.layer.stats().misses == 1);
  CHECK(f.layer.stats().hits == 1);
}

TEST_CASE("LastModifiedStore get: a miss loads from the Store, then memory serves it",
          "[lastmod]") {
  Fixture f;
  f.store.set_with_ttl("g", "k", "stored", 1h);
  const auto meta = *f.store.stat("g", "k");
  f.layer.start();

  const auto first = f.layer.get("g", "k");
  REQUIRE(first);
  CHECK(first->value == "stored");
  CHECK(first->last_modified == meta.last_modified);  // the persisted time, not the read's
  CHECK(first->expires_at == meta.expires_at);
  CHECK(f.layer.stats().misses == 1);
  CHECK(f.layer.size() == 1);

  const auto second = f.layer.get("g", "k");
  CHECK(second->value == "stored");
  CHECK(second->last_modified == meta.last_modified);
  CHECK(f.layer.stats().hits == 1);
  CHECK(f.layer.stats().misses == 1);
}

TEST_CASE("LastModifiedStore get: binary groups, keys and values round-trip", "[lastmod]") {
  Running f;
  const std::string group("g\0:%", 4), key("\0k\xff", 3), value("\0v\x80\0", 4);
  f.layer.set(group, key, value);
  CHECK(f.layer.get(group, key)->value == value);
  CHECK(f.store.get(group, key) == value);
  CHECK_FALSE(f.layer.get(group.substr(0, 1), key));
}

TEST_CASE("LastModifiedStore erase: returns whether the key existed", "[lastmod]") {
  Running f;
  f.layer.set("g", "k", "v");
  CHECK(f.layer.erase("g", "k"));
  CHECK_FALSE(f.layer.get("g", "k"));
  CHECK_FALSE(f.store.get("g", "k"));
  CHECK_FALSE(f.layer.erase("g", "k"));
  CHECK_FALSE(f.layer.erase("g", "never"));
  CHECK(f.layer.stats().deletes == 1);

  // A key only the Store holds (never read through the layer) is erased too.
  f.store.set("g", "direct", "v");
  CHECK(f.layer.erase("g", "direct"));
  CHECK_FALSE(f.store.get("g", "direct"));
}

TEST_CASE("LastModifiedStore size: follows adds and erases", "[lastmod]") {
  Running f;
  CHECK(f.layer.size() == 0);
  for (int i = 0; i < 10; ++i) f.layer.set("g", "k" + std::to_string(i), "v");
  CHECK(f.layer.size() == 10);
  f.layer.set("g", "k0", "updated");  // an update adds nothing
  CHECK(f.layer.size() == 10);
  for (int i = 0; i < 4; ++i) f.layer.erase("g", "k" + std::to_string(i));
  CHECK(f.layer.size() == 6);
  f.layer.set("other", "k0", "v");  // same key, another group: another item
  CHECK(f.layer.size() == 7);
}

TEST_CASE("LastModifiedStore list: returns a copy of the live items, sorted", "[lastmod]") {
  Running f;
  f.layer.set("b", "2", "v2");
  f.layer.set("a", "1", "v1");
  f.layer.set("b", "1", "v3");

  auto items = f.layer.list();
  REQUIRE(items.size() == 3);
  CHECK(std::get<0>(items[0]) == "a");
  CHECK(std::get<1>(items[0]) == "1");
  CHECK(std::get<2>(items[0]).value == "v1");
  CHECK(std::get<0>(items[1]) == "b");
  CHECK(std::get<1>(items[1]) == "1");
  CHECK(std::get<0>(items[2]) == "b");
  CHECK(std::get<1>(items[2]) == "2");
  for (const auto& [group, key, item] : items) {
    CHECK(item.last_modified == f.store.stat(group, key)->last_modified);
  }

  // Changing the copy changes nothing in the layer, and later writes do not reach the copy.
  std::get<2>(items[0]).value = "changed";
  items.clear();
  f.layer.set("a", "1", "new");
  CHECK(f.layer.get("a", "1")->value == "new");
  const auto again = f.layer.list();
  CHECK(again.size() == 3);
  CHECK(std::get<2>(again[0]).value == "new");
}

TEST_CASE("LastModifiedStore clear: removes every item from memory and the Store", "[lastmod]") {
  Running f;
  for (int i = 0; i < 5; ++i) f.layer.set("g" + std::to_string(i % 2), std::to_string(i), "v");
  f.layer.clear();
  CHECK(f.layer.size() == 0);
  CHECK(f.layer.list().empty());
  CHECK(f.store.count_all() == 0);
  for (int i = 0; i < 5; ++i)
    CHECK_FALSE(f.layer.get("g" + std::to_string(i % 2), std::to_string(i)));
  CHECK(f.layer.stats().deletes == 5);
  // Usable afterwards.
  f.layer.set("g", "k", "v");
  CHECK(f.layer.size() == 1);
}

TEST_CASE("LastModifiedStore expiry: expired items are never returned", "[lastmod]") {
  Running f;
  f.layer.set("g", "keep", "v");
  f.layer.set_with_ttl("g", "short", "v", 1ms);
  // Poll until the TTL has passed: from then on the item is gone from every view.
  REQUIRE(kvtest::eventually([&] { return !f.layer.get("g", "short"); }));
  CHECK(f.layer.size() == 1);
  const auto items = f.layer.list();
  REQUIRE(items.size() == 1);
  CHECK(std::get<1>(items[0]) == "keep");
  CHECK_FALSE(f.layer.last_modified("g", "short"));
  CHECK(f.layer.stats().expirations >= 1);
}

TEST_CASE("LastModifiedStore stats: JSON form names every counter", "[lastmod]") {
  Running f;
  f.layer.set("g", "k", "v");
  (void)f.layer.get("g", "k");
  (void)f.layer.get("g", "missing");
  const nlohmann::json json = f.layer.stats();
  for (const char* name :
       {"hits", "misses", "sets", "deletes", "evictions", "expirations", "rejected_full",
        "cleanup_runs", "jobs_run", "jobs_failed", "in_flight"}) {
    CAPTURE(name);
    CHECK(json.contains(name));
  }
  CHECK(json["hits"] == 1);
  CHECK(json["misses"] == 1);
  CHECK(json["sets"] == 1);
  CHECK(json["in_flight"] == 0);
}

// ---- Phase 4: every operation when not running ----

namespace {

void check_every_operation_refused(LastModifiedStore& layer) {
  CHECK_THROWS_AS(layer.set("g", "k", "v"), kvstore::NotRunning);
  CHECK_THROWS_AS(layer.set_with_ttl("g", "k", "v", 1s), kvstore::NotRunning);
  CHECK_THROWS_AS(layer.get("g", "k"), kvstore::NotRunning);
  CHECK_THROWS_AS(layer.erase("g", "k"), kvstore::NotRunning);
  CHECK_THROWS_AS(layer.size(), kvstore::NotRunning);
  CHECK_THROWS_AS(layer.list(), kvstore::NotRunning);
  CHECK_THROWS_AS(layer.clear(), kvstore::NotRunning);
  CHECK_THROWS_AS(layer.last_modified("g", "k"), kvstore::NotRunning);
  CHECK_THROWS_WITH(layer.get("grp", "key"),
                    Catch::Contains("get grp/key") && Catch::Contains("not running"));
  CHECK(layer.stats().in_flight == 0);  // stats() always works
}

}  // namespace

TEST_CASE("LastModifiedStore not running: every operation throws NotRunning", "[lastmod]") {
  Fixture f;
  SECTION("never started") { check_every_operation_refused(f.layer); }
  SECTION("after shutdown") {
    f.layer.start();
    f.layer.set("g", "k", "v");
    f.layer.shutdown();
    check_every_operation_refused(f.layer);
    CHECK(f.store.get("g", "k") == "v");  // the Store keeps what was written
  }
}
