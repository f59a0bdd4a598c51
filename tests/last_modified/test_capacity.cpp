// LastModifiedStore capacity: max_size with FullPolicy::reject (lastmodstore's phase 6) and
// FullPolicy::evict_oldest.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "last_modified_support.hpp"

using namespace std::chrono_literals;
using kvstore::FullPolicy;
using lmtest::config_with;
using lmtest::Running;

namespace {

std::string key(int i) { return "k" + std::to_string(i); }

std::set<std::string> keys_in_memory(kvstore::LastModifiedStore& layer) {
  std::set<std::string> keys;
  for (const auto& [group, k, item] : layer.list()) keys.insert(k);
  return keys;
}

}  // namespace

// ---- reject ----

TEST_CASE("LastModifiedStore capacity: holds up to max_size items", "[lastmod]") {
  Running f(config_with(3));
  for (int i = 0; i < 3; ++i) f.layer.set("g", key(i), "v");
  CHECK(f.layer.size() == 3);
  CHECK(f.layer.stats().rejected_full == 0);
}

TEST_CASE("LastModifiedStore capacity: a new key when full is refused, nothing changes",
          "[lastmod]") {
  Running f(config_with(3));
  for (int i = 0; i < 3; ++i) f.layer.set("g", key(i), "v");
  CHECK_THROWS_AS(f.layer.set("g", "new", "v"), kvstore::StoreFull);
  CHECK_THROWS_AS(f.layer.set_with_ttl("g", "new", "v", 1h), kvstore::StoreFull);
  CHECK_THROWS_WITH(f.layer.set("g", "new", "v"), Catch::Contains("set g/new"));
  CHECK(f.layer.size() == 3);
  CHECK_FALSE(f.store.get("g", "new"));  // not in the Store either
  CHECK(f.store.count("g") == 3);
  CHECK(f.layer.stats().rejected_full == 3);
  CHECK(f.layer.stats().sets == 3);
}

TEST_CASE("LastModifiedStore capacity: updating an existing key works when full", "[lastmod]") {
  Running f(config_with(2));
  f.layer.set("g", key(0), "v");
  f.layer.set("g", key(1), "v");
  f.layer.set("g", key(0), "updated");
  f.layer.set_with_ttl("g", key(1), "updated", 1h);
  CHECK(f.layer.get("g", key(0))->value == "updated");
  CHECK(f.layer.get("g", key(1))->value == "updated");
  CHECK(f.store.get("g", key(1)) == "updated");
  CHECK(f.layer.size() == 2);
}

TEST_CASE("LastModifiedStore capacity: a key can be added after an erase", "[lastmod]") {
  Running f(config_with(2));
  f.layer.set("g", key(0), "v");
  f.layer.set("g", key(1), "v");
  REQUIRE_THROWS_AS(f.layer.set("g", key(2), "v"), kvstore::StoreFull);
  CHECK(f.layer.erase("g", key(0)));
  f.layer.set("g", key(2), "v");
  CHECK(f.layer.size() == 2);
  CHECK(f.store.get("g", key(2)) == "v");
  // And after clear().
  f.layer.clear();
  f.layer.set("g", key(3), "v");
  f.layer.set("g", key(4), "v");
  CHECK(f.layer.size() == 2);
}

TEST_CASE("LastModifiedStore capacity: expired items make room", "[lastmod]") {
  Running f(config_with(2));
  f.layer.set("g", key(0), "v");
  f.layer.set_with_ttl("g", key(1), "v", 1ms);
  REQUIRE(kvtest::eventually([&] { return f.layer.size() == 1; }));
  f.layer.set("g", key(2), "v");
  CHECK(keys_in_memory(f.layer) == std::set<std::string>{key(0), key(2)});
}

TEST_CASE("LastModifiedStore capacity: concurrent writers of new keys never overfill",
          "[lastmod]") {
  constexpr int kMax = 10, kThreads = 4, kPerThread = 25;
  Running f(config_with(kMax));
  std::atomic<int> written{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        try {
          f.layer.set("g", key(t * kPerThread + i), "v");
          ++written;
        } catch (const kvstore::StoreFull&) {
          ++refused;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(written == kMax);
  CHECK(refused == kThreads * kPerThread - kMax);
  CHECK(f.layer.size() == static_cast<std::size_t>(kMax));
  CHECK(f.store.count("g") == static_cast<std::size_t>(kMax));  // refused writes left no trace
  CHECK(f.layer.stats().rejected_full == static_cast<std::uint64_t>(refused.load()));
}

TEST_CASE("LastModifiedStore capacity: a get miss is not cached when full", "[lastmod]") {
  Running f(config_with(1));
  f.layer.set("g", key(0), "v");
  f.store.set("g", "direct", "d");
  CHECK(f.layer.get("g", "direct")->value == "d");  // served from the Store
  CHECK(keys_in_memory(f.layer) == std::set<std::string>{key(0)});
  CHECK(f.layer.stats().misses == 1);
  CHECK(f.layer.stats().rejected_full == 0);  // reads are never refused
}

// ---- evict_oldest ----

TEST_CASE("LastModifiedStore eviction: the least recently modified entry leaves memory only",
          "[lastmod]") {
  Running f(config_with(2, 0, 0ms, FullPolicy::evict_oldest));
  f.layer.set("g", key(0), "v0");
  f.layer.set("g", key(1), "v1");
  f.layer.set("g", key(2), "v2");  // no StoreFull: key(0) leaves memory
  CHECK(keys_in_memory(f.layer) == std::set<std::string>{key(1), key(2)});
  CHECK(f.layer.stats().evictions == 1);
  CHECK(f.store.get("g", key(0)) == "v0");  // still in the Store

  // Rewriting key(1) makes key(2) the oldest.
  f.layer.set("g", key(1), "v1b");
  f.layer.set("g", key(3), "v3");
  CHECK(keys_in_memory(f.layer) == std::set<std::string>{key(1), key(3)});
  CHECK(f.layer.stats().evictions == 2);

  // An evicted key is still readable: a miss served from the Store.
  const auto misses = f.layer.stats().misses;
  CHECK(f.layer.get("g", key(0))->value == "v0");
  CHECK(f.layer.stats().misses == misses + 1);
  CHECK(f.layer.size() == 2);
}

TEST_CASE("LastModifiedStore eviction: memory stays within max_size under concurrent writes",
          "[lastmod]") {
  constexpr int kMax = 16, kThreads = 4, kPerThread = 50;
  Running f(config_with(kMax, 0, 0ms, FullPolicy::evict_oldest));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) f.layer.set("g", key(t * kPerThread + i), "v");
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(f.layer.size() == static_cast<std::size_t>(kMax));
  CHECK(f.layer.stats().evictions == kThreads * kPerThread - kMax);
  CHECK(f.store.count("g") == static_cast<std::size_t>(kThreads * kPerThread));
  // A write after all of them is the newest: it stays, and the count does not move.
  f.layer.set("g", "last", "v");
  CHECK(keys_in_memory(f.layer).count("last") == 1);
  CHECK(f.layer.size() == static_cast<std::size_t>(kMax));
}
