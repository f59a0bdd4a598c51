// LastModifiedStore under concurrency (lastmodstore's phase 5): concurrent set / get / mixed,
// cleanup under concurrent load, timestamps under load.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <string>
#include <thread>
#include <vector>

#include "last_modified_support.hpp"

using namespace std::chrono_literals;
using kvstore::Clock;
using lmtest::config_with;
using lmtest::Running;

namespace {

constexpr int kThreads = 4;

std::string key(int t, int i) { return "t" + std::to_string(t) + "-" + std::to_string(i); }

// Runs fn(t) on kThreads threads and joins them.
template <class Fn>
void on_threads(Fn fn) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(fn, t);
  for (auto& thread : threads) thread.join();
}

}  // namespace

TEST_CASE("LastModifiedStore concurrency: concurrent set", "[lastmod]") {
  constexpr int kPerThread = 100;
  Running f;
  on_threads([&](int t) {
    for (int i = 0; i < kPerThread; ++i) f.layer.set("g", key(t, i), key(t, i));
  });
  CHECK(f.layer.size() == kThreads * kPerThread);
  CHECK(f.layer.stats().sets == kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      CHECK(f.layer.get("g", key(t, i))->value == key(t, i));
      CHECK(f.store.get("g", key(t, i)) == key(t, i));
    }
  }
}

TEST_CASE("LastModifiedStore concurrency: concurrent get", "[lastmod]") {
  constexpr int kKeys = 200, kRounds = 20;
  Running f;
  for (int i = 0; i < kKeys; ++i) f.layer.set("g", key(0, i), key(0, i));
  std::atomic<int> wrong{0};
  on_threads([&](int) {
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kKeys; ++i) {
        const auto item = f.layer.get("g", key(0, i));
        if (!item || item->value != key(0, i)) ++wrong;
      }
    }
  });
  CHECK(wrong == 0);
  CHECK(f.layer.stats().hits == kThreads * kRounds * kKeys);
  CHECK(f.layer.stats().misses == 0);
}

TEST_CASE("LastModifiedStore concurrency: concurrent misses of the same keys", "[lastmod]") {
  constexpr int kKeys = 100;
  Running f;
  for (int i = 0; i < kKeys; ++i) f.store.set("g", key(0, i), key(0, i));
  std::atomic<int> wrong{0};
  on_threads([&](int) {
    for (int i = 0; i < kKeys; ++i) {
      const auto item = f.layer.get("g", key(0, i));
      if (!item || item->value != key(0, i)) ++wrong;
    }
  });
  CHECK(wrong == 0);
  CHECK(f.layer.size() == kKeys);
  const auto stats = f.layer.stats();
  CHECK(stats.hits + stats.misses == kThreads * kKeys);
}

TEST_CASE("LastModifiedStore concurrency: mixed set / get / erase end coherent", "[lastmod]") {
  constexpr int kKeys = 20, kOps = 300;
  Running f;
  on_threads([&](int t) {
    for (int i = 0; i < kOps; ++i) {
      const std::string k = key(0, (i * 7 + t) % kKeys);
      switch ((i + t) % 4) {
        case 0:
          f.layer.set("g", k, std::to_string(t) + ":" + std::to_string(i));
          break;
        case 1:
          f.layer.set_with_ttl("g", k, "ttl", 1h);
          break;
        case 2:
          f.layer.erase("g", k);
          break;
        default:
          (void)f.layer.get("g", k);
      }
    }
  });
  // Memory agrees with the Store on every key, value and time.
  for (int i = 0; i < kKeys; ++i) {
    const auto item = f.layer.get("g", key(0, i));
    const auto stored = f.store.get("g", key(0, i));
    REQUIRE(item.has_value() == stored.has_value());
    if (!item) continue;
    CHECK(item->value == *stored);
    const auto meta = f.store.stat("g", key(0, i));
    CHECK(item->last_modified == meta->last_modified);
    CHECK(item->expires_at == meta->expires_at);
  }
  CHECK(f.layer.size() == f.store.count("g"));
  CHECK(f.layer.stats().in_flight == 0);
}

TEST_CASE("LastModifiedStore concurrency: timestamps under load", "[lastmod]") {
  constexpr int kPerThread = 50;
  Running f;
  const auto start = std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now());
  std::atomic<int> went_back{0};
  on_threads([&](int t) {
    Clock::time_point previous{};
    for (int i = 0; i < kPerThread; ++i) {
      f.layer.set("g", key(t, 0), std::to_string(i));  // one key rewritten by its thread
      f.layer.set("g", key(t, i + 1), "v");
      const auto modified = *f.layer.last_modified("g", key(t, 0));
      if (modified < previous) ++went_back;
      previous = modified;
    }
  });
  const auto end = Clock::now();
  CHECK(went_back == 0);  // successive writes of one key never go back in time
  for (const auto& [group, k, item] : f.layer.list()) {
    CAPTURE(k);
    CHECK(item.last_modified >= start);
    CHECK(item.last_modified <= end);
    CHECK(item.last_modified == f.store.stat(group, k)->last_modified);
  }
}

TEST_CASE("LastModifiedStore concurrency: cleanup under concurrent load", "[lastmod]") {
  constexpr int kPerThread = 60;
  Running f(config_with(0, 2, 5ms));
  std::atomic<int> expired{0};  // rows the Store deleted because their TTL passed
  const auto subscription = f.store.on_change([&](const kvstore::Event& event) {
    if (event.type == kvstore::EventType::expire) ++expired;
  });
  on_threads([&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      if (i % 2 == 0) {
        f.layer.set_with_ttl("g", key(t, i), "short", 1ms);
      } else {
        f.layer.set("g", key(t, i), "kept");
      }
      (void)f.layer.get("g", key(t, i / 2));
    }
  });
  constexpr int kExpiring = kThreads * kPerThread / 2;
  const auto runs_before = f.layer.stats().cleanup_runs;
  // The cleanup job deletes the expired rows from the Store and drops them from memory.
  REQUIRE(kvtest::eventually(
      [&] { return expired == kExpiring && f.layer.stats().cleanup_runs > runs_before; }));
  CHECK(f.store.stats().keys == kExpiring);
  CHECK(kvtest::eventually([&] { return f.layer.list().size() == kExpiring; }));
  CHECK(f.layer.size() == kExpiring);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 1; i < kPerThread; i += 2) CHECK(f.layer.get("g", key(t, i))->value == "kept");
  }
  CHECK(f.layer.stats().expirations >= 1);
}
