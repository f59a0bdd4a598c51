// Store: one Store shared by many threads, and several Store objects on one file. Assertions run
// on the main thread only (Catch2 is not thread-safe); worker threads record what they saw.
#include <atomic>
#include <catch2/catch.hpp>
#include <exception>
#include <kvstore/kvstore.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/store_support.hpp"
#include "backends.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

using kvtest::no_purge;

namespace {

// Runs fn(i) on `count` threads at once; returns the first exception any of them threw.
std::exception_ptr run_threads(int count, const std::function<void(int)>& fn) {
  std::mutex mutex;
  std::exception_ptr first;
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < count) std::this_thread::yield();  // start together
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first) first = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return first;
}

std::string describe(const std::exception_ptr& error) {
  if (!error) return "none";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "non-std exception";
  }
}

}  // namespace

TEST_CASE("Store concurrency: set and get from 10 threads", "[store][concurrency]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  constexpr int kThreads = 10, kKeys = 200;
  std::atomic<int> mismatches{0};
  const auto error = run_threads(kThreads, [&](int t) {
    const auto group = "thread-" + std::to_string(t);
    for (int i = 0; i < kKeys; ++i) {
      const auto key = "k" + std::to_string(i);
      const auto value = std::to_string(t) + ":" + std::to_string(i);
      store.set(group, key, value);
      if (store.get(group, key) != value) ++mismatches;
      // A shared key every thread overwrites: a read always sees one whole value.
      store.set("shared", "k", value);
      const auto shared = store.get("shared", "k");
      if (!shared || shared->find(':') == std::string::npos) ++mismatches;
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  CHECK(mismatches == 0);
  for (int t = 0; t < kThreads; ++t) {
    const auto group = "thread-" + std::to_string(t);
    CHECK(store.count(group) == static_cast<std::size_t>(kKeys));
    CHECK(store.get(group, "k" + std::to_string(kKeys - 1)) ==
          std::optional<std::string>(std::to_string(t) + ":" + std::to_string(kKeys - 1)));
  }
  CHECK(store.count_all() == static_cast<std::size_t>(kThreads * kKeys + 1));
}

TEST_CASE("Store concurrency: set and get from 10 threads on a file",
          "[store][concurrency][file]") {
  // File only: reopens the file (the in-store part runs on both backends above).
  TempDir dir;
  const auto path = dir.file("threads.db");
  constexpr int kThreads = 10, kKeys = 50;
  {
    kvstore::Store store(path);
    std::atomic<int> mismatches{0};
    const auto error = run_threads(kThreads, [&](int t) {
      for (int i = 0; i < kKeys; ++i) {
        const auto key = std::to_string(t) + "/" + std::to_string(i);
        store.set("g", key, key);
        if (store.get("g", key) != key) ++mismatches;
      }
    });
    INFO("thread error: " << describe(error));
    CHECK_FALSE(error);
    CHECK(mismatches == 0);
  }
  kvstore::Store store(path);
  CHECK(store.count("g") == static_cast<std::size_t>(kThreads * kKeys));
}

TEST_CASE("Store concurrency: transactions from many threads are atomic and serialized",
          "[store][concurrency][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("counter", "n", "0");
  constexpr int kThreads = 8, kIncrements = 25;
  const auto error = run_threads(kThreads, [&](int) {
    for (int i = 0; i < kIncrements; ++i) {
      store.transaction([](kvstore::Transaction& t) {
        const int n = std::stoi(t.get("counter", "n").value());
        t.set("counter", "n", std::to_string(n + 1));
        t.set("log", std::to_string(n), "x");
      });
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  CHECK(store.get("counter", "n") ==
        std::optional<std::string>(std::to_string(kThreads * kIncrements)));
  CHECK(store.count("log") == static_cast<std::size_t>(kThreads * kIncrements));
}

TEST_CASE("Store concurrency: rolled-back transactions on other threads leave no trace",
          "[store][concurrency][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  constexpr int kThreads = 6, kRounds = 30;
  std::atomic<int> saw_rolled_back{0};
  const auto error = run_threads(kThreads, [&](int t) {
    for (int i = 0; i < kRounds; ++i) {
      if (t % 2 == 0) {
        try {
          store.transaction([&](kvstore::Transaction& tx) {
            tx.set("doomed", std::to_string(t) + "/" + std::to_string(i), "x");
            throw std::runtime_error("roll back");
          });
        } catch (const std::runtime_error&) {
        }
      } else {
        store.set("kept", std::to_string(t) + "/" + std::to_string(i), "x");
        if (store.count("doomed") != 0) ++saw_rolled_back;
      }
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  CHECK(saw_rolled_back == 0);
  CHECK(store.count("doomed") == 0);
  CHECK(store.count("kept") == static_cast<std::size_t>((kThreads / 2) * kRounds));
}

TEST_CASE("Store concurrency: concurrent TTL writers", "[store][concurrency][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  constexpr int kThreads = 10, kKeys = 40;
  const auto error = run_threads(kThreads, [&](int t) {
    for (int i = 0; i < kKeys; ++i) {
      const auto key = std::to_string(t) + "/" + std::to_string(i);
      store.set_with_ttl("short", key, "v", 40ms);
      store.set_with_ttl("long", key, "v", 1h);
      store.set_with_ttl("cleared", key, "v", 40ms);
      store.set("cleared", key, "permanent");
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  constexpr auto kTotal = static_cast<std::size_t>(kThreads * kKeys);
  CHECK(store.count("long") == kTotal);
  CHECK(store.count("cleared") == kTotal);
  // Every short key eventually expires; nothing else does.
  CHECK(kvtest::eventually([&] { return store.count("short") == 0; }));
  CHECK(store.count("long") == kTotal);
  CHECK(store.count("cleared") == kTotal);
  CHECK(store.purge_expired() == kTotal);
  CHECK(store.count_all() == 2 * kTotal);
}

TEST_CASE("Store concurrency: TTL writers, readers and purges at once",
          "[store][concurrency][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Options options;
  options.purge_interval = 5ms;
  kvstore::Store store(backend.path(), options);
  constexpr int kThreads = 6, kKeys = 60;
  std::atomic<int> wrong{0};
  const auto error = run_threads(kThreads, [&](int t) {
    for (int i = 0; i < kKeys; ++i) {
      const auto key = std::to_string(t) + "/" + std::to_string(i);
      if (t % 3 == 0) {
        store.set_with_ttl("ttl", key, "v", 10ms);
      } else if (t % 3 == 1) {
        store.set("perm", key, "v");
        if (store.get("perm", key) != std::optional<std::string>("v")) ++wrong;
      } else {
        store.purge_expired();
        (void)store.count_all();
      }
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  CHECK(wrong == 0);
  CHECK(kvtest::eventually([&] { return store.count("ttl") == 0; }));
  CHECK(store.count("perm") == static_cast<std::size_t>((kThreads / 3) * kKeys));
}

TEST_CASE("Store concurrency: for_each whose fn writes, beside writers on other threads",
          "[store][concurrency]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  for (int i = 0; i < 300; ++i) store.set("walk", "k" + std::to_string(1000 + i), "v");
  std::atomic<int> visited{0};
  const auto error = run_threads(4, [&](int t) {
    if (t == 0) {
      store.for_each("walk", [&](std::string_view key, std::string_view) {
        ++visited;
        store.set("copy", key, "v");
        return true;
      });
    } else {
      for (int i = 0; i < 100; ++i)
        store.set("other", std::to_string(t) + "/" + std::to_string(i), "v");
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  CHECK(visited == 300);
  CHECK(store.count("copy") == 300);
  CHECK(store.count("other") == 300);
}

TEST_CASE("Store concurrency: two Store objects on one file write at once",
          "[store][concurrency][file]") {
  // File only: two connections share only a file.
  kvtest::TwoStoresOnOneFile file;
  auto& a = file.first;
  auto& b = file.second;
  constexpr int kKeys = 150;
  std::atomic<int> decreasing{0};
  const auto error = run_threads(4, [&](int t) {
    kvstore::Store& store = t % 2 == 0 ? a : b;
    std::uint64_t last = 0;
    for (int i = 0; i < kKeys; ++i) {
      if (t < 2) {
        store.set("g", std::to_string(t) + "/" + std::to_string(i), "v");
      } else {
        store.transaction([&](kvstore::Transaction& tx) {
          tx.set("tx", std::to_string(t) + "/" + std::to_string(i), "v");
        });
      }
      const auto revision = store.revision();
      if (revision <= last) ++decreasing;
      last = revision;
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  CHECK(decreasing == 0);
  CHECK(a.count("g") == 2 * kKeys);
  CHECK(b.count("g") == 2 * kKeys);
  CHECK(a.count("tx") == 2 * kKeys);
  CHECK(a.revision() == b.revision());
  CHECK(a.revision() >= 4 * kKeys);
}

TEST_CASE("Store concurrency: revision is strictly increasing across threads",
          "[store][concurrency][revision]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  constexpr int kThreads = 5, kWrites = 60;
  std::mutex mutex;
  std::set<std::uint64_t> seen;
  const auto error = run_threads(kThreads, [&](int t) {
    for (int i = 0; i < kWrites; ++i) {
      std::uint64_t revision = 0;
      store.transaction([&](kvstore::Transaction& tx) {
        tx.set("g", std::to_string(t) + "/" + std::to_string(i), "v");
        revision = store.revision();  // this transaction's own revision
      });
      std::lock_guard lock(mutex);
      seen.insert(revision);
    }
  });
  INFO("thread error: " << describe(error));
  CHECK_FALSE(error);
  // Every committed write got its own revision.
  CHECK(seen.size() == static_cast<std::size_t>(kThreads * kWrites));
  CHECK(store.revision() == *seen.rbegin());
}
