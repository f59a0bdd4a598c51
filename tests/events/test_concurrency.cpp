// Events under concurrency: watchers and callbacks added and removed while several threads
// write, delivery in commit order across writer threads, blocked next() woken by unwatch() or by
// the Store's destruction. Worth running under ThreadSanitizer too.
//
// Catch2 assertions are not thread-safe: worker threads count failures in atomics and the main
// thread checks them. A deadlock makes a Watchdog abort the run, so it fails instead of hanging.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <kvstore/kvstore.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "backends.hpp"
#include "event_support.hpp"
#include "store_fixtures.hpp"
#include "support.hpp"

using namespace kvtest;  // with event_support.hpp: Event, EventType, chrono literals

namespace {

struct Seen {
  std::uint64_t revision;
  std::string group, key;
  std::optional<std::string> value;
  bool operator==(const Seen&) const = default;
};

Seen seen(const Event& event) { return {event.revision, event.group, event.key, event.value}; }

}  // namespace

TEST_CASE_METHOD(GuardedStore, "10 threads adding and removing watchers while writing",
                 "[events][concurrency]") {
  constexpr int kThreads = 10;
  constexpr int kRounds = 60;
  constexpr int kWritesPerRound = 2;
  auto everything = store.watch("*", "*", std::nullopt, kThreads * kRounds * kWritesPerRound + 10);
  std::atomic<long> callback_calls{0};
  auto counting = store.on_change([&](const Event&) { ++callback_calls; });

  std::atomic<int> wrong_event{0}, missing_event{0}, extra_event{0}, not_closed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string group = "t" + std::to_string(t);
      for (int i = 0; i < kRounds; ++i) {
        const std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i);
        auto own = store.watch(group, key, std::nullopt, 4);
        // Short-lived watchers and callbacks on shared and wildcard scopes, some overflowing.
        auto churn_shared = store.watch("shared", "*", std::nullopt, 1);
        auto churn_all = store.watch("*", i % 2 ? "*" : key, std::nullopt, 2);
        auto churn_callback = store.on_change([](const Event&) {});

        store.set(group, key, value);
        store.set("shared", group, value);

        const auto event = own.next(kWait);
        if (!event) {
          ++missing_event;
        } else if (event->type != EventType::set || event->group != group || event->key != key ||
                   event->value != value) {
          ++wrong_event;
        }
        if (own.try_next()) ++extra_event;
        if (i % 3 == 0) {
          churn_shared.unwatch();
          if (!churn_shared.closed()) ++not_closed;
          churn_callback.unsubscribe();
        }
      }  // the rest is unwatched / unsubscribed by destructors
    });
  }
  for (auto& thread : threads) thread.join();

  CHECK(missing_event.load() == 0);
  CHECK(wrong_event.load() == 0);
  CHECK(extra_event.load() == 0);
  CHECK(not_closed.load() == 0);
  constexpr long kTotal = kThreads * kRounds * kWritesPerRound;
  CHECK(callback_calls.load() == kTotal);

  std::vector<Event> events;
  while (auto event = everything.try_next()) events.push_back(*event);
  CHECK(everything.dropped() == 0);
  REQUIRE(events.size() == static_cast<std::size_t>(kTotal));
  for (std::size_t i = 1; i < events.size(); ++i) {
    CHECK(events[i].revision == events[i - 1].revision + 1);
  }
  CHECK(events.back().revision == store.revision());
  CHECK(store.count("shared") == kThreads);
  CHECK(store.count_all() == static_cast<std::size_t>(kThreads * kRounds + kThreads));
}

TEST_CASE_METHOD(GuardedStore, "events are delivered in commit order across 4 writer threads",
                 "[events][concurrency]") {
  constexpr int kThreads = 4;
  constexpr int kWrites = 400;
  constexpr std::size_t kEvents = kThreads * (kWrites + kWrites / 10);  // every 10th: 2 sets
  const auto start = store.revision();
  auto watcher = store.watch("*", "*", std::nullopt, kEvents + 10);

  std::mutex mutex;
  std::vector<Seen> from_callback;
  std::atomic<int> active{0}, overlaps{0};
  auto subscription = store.on_change([&](const Event& event) {
    if (active.fetch_add(1) != 0) ++overlaps;  // callbacks run one at a time
    {
      std::lock_guard lock(mutex);
      from_callback.push_back(seen(event));
    }
    active.fetch_sub(1);
  });

  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        if (i % 10 == 9) {
          store.transaction([&](kvstore::Transaction& tx) {
            tx.set("t" + std::to_string(t), "tx" + std::to_string(i), std::to_string(i));
            tx.set("t" + std::to_string(t), "tx" + std::to_string(i) + "b", std::to_string(i));
          });
        } else {
          store.set("t" + std::to_string(t), "k" + std::to_string(i), std::to_string(i));
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();

  std::vector<Seen> from_watcher;
  while (from_watcher.size() < kEvents) {
    const auto event = watcher.next(kWait);
    REQUIRE(event.has_value());
    from_watcher.push_back(seen(*event));
  }
  CHECK(watcher.dropped() == 0);
  CHECK(overlaps.load() == 0);

  std::lock_guard lock(mutex);
  REQUIRE(from_callback.size() == kEvents);
  // Strictly increasing, gap-free revisions: the order of the commits.
  for (std::size_t i = 0; i < kEvents; ++i) {
    CHECK(from_callback[i].revision == start + 1 + i);
  }
  CHECK(from_watcher == from_callback);

  // The same order as the change log, and each thread's writes in the order it made them.
  const auto log = store.changes_since(start);
  REQUIRE(log.size() == kEvents);
  std::map<std::string, int> last_value;
  for (std::size_t i = 0; i < kEvents; ++i) {
    CHECK(log[i].revision == from_callback[i].revision);
    CHECK(log[i].group == from_callback[i].group);
    CHECK(log[i].key == from_callback[i].key);
    const int value = std::stoi(from_callback[i].value.value());
    const auto [it, inserted] = last_value.try_emplace(from_callback[i].group, value);
    if (!inserted) {
      CHECK(value >= it->second);
      it->second = value;
    }
  }
}

TEST_CASE_METHOD(GuardedStore, "a next() blocked in another thread returns at once on unwatch()",
                 "[events][concurrency]") {
  auto watcher = store.watch("g");

  std::promise<void> got_first;
  auto result = std::async(std::launch::async, [&] {
    // The first next() proves the thread is waiting in next(); the second blocks "forever".
    const auto first = watcher.next(1h);
    got_first.set_value();
    const auto second = watcher.next(1h);
    return std::make_pair(first, second);
  });
  store.set("g", "k", "v");
  got_first.get_future().wait();

  watcher.unwatch();
  const auto [first, second] = result.get();  // the Watchdog fails a hang
  REQUIRE(first.has_value());
  CHECK(first->key == "k");
  CHECK_FALSE(second.has_value());
  CHECK(watcher.closed());
}

TEST_CASE("destroying the Store wakes a blocked next()", "[events][concurrency]") {
  Watchdog dog("blocked next() woken by the Store's destruction");
  const auto backend = kvtest::each_backend();
  auto store = std::make_unique<kvstore::Store>(backend.path(), no_purge());
  auto watcher = store->watch("*");

  std::promise<void> got_first;
  auto result = std::async(std::launch::async, [&] {
    const auto first = watcher.next(1h);
    got_first.set_value();
    return watcher.next(1h);
  });
  store->set("g", "k", "v");
  got_first.get_future().wait();

  store.reset();
  CHECK_FALSE(result.get().has_value());
  CHECK(watcher.closed());
}

TEST_CASE_METHOD(GuardedStore, "unsubscribe from another thread while writers publish",
                 "[events][concurrency]") {
  std::atomic<bool> stop{false};
  std::atomic<long> calls{0};
  std::atomic<long> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      store.set("g", "k", std::to_string(i));
      ++written;
    }
  });
  struct StopAndJoin {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~StopAndJoin() {
      stop = true;
      thread.join();
    }
  } stop_and_join{stop, writer};

  for (int round = 0; round < 50; ++round) {
    const long before = written.load();
    auto subscription = store.on_change([&](const Event&) { ++calls; });
    REQUIRE(kvtest::eventually([&] { return written.load() > before + 2; }));
    subscription.unsubscribe();
    // After unsubscribe() returns the callback is neither running nor started again.
    const long frozen = calls.load();
    REQUIRE(kvtest::eventually([&] { return written.load() > before + 6; }));
    CHECK(calls.load() == frozen);
  }
  CHECK(calls.load() > 0);
}

TEST_CASE_METHOD(GuardedStore,
                 "unsubscribe from another thread returns only once the running callback returned",
                 "[events][concurrency]") {
  std::atomic<bool> in_callback{false}, unsubscribing{false}, unsubscribe_returned{false};
  std::atomic<bool> never_unsubscribed{false};
  auto subscription = store.on_change([&](const Event&) {
    in_callback = true;
    if (!kvtest::eventually([&] { return unsubscribing.load(); })) never_unsubscribed = true;
    // Gives a wrong unsubscribe() the time to return while this call runs: a bound, not a
    // timing assertion (a correct one returns only after this call, whatever the bound).
    kvtest::eventually([&] { return unsubscribe_returned.load(); }, 200ms);
    in_callback = false;
  });
  std::thread writer([&] { store.set("g", "k", "v"); });
  REQUIRE(kvtest::eventually([&] { return in_callback.load(); }));
  unsubscribing = true;
  subscription.unsubscribe();
  const bool still_running = in_callback.load();
  unsubscribe_returned = true;
  writer.join();
  CHECK_FALSE(never_unsubscribed);
  CHECK_FALSE(still_running);
}
