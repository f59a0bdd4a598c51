// Events: re-entrant on_change callbacks (writes, watch, unwatch, on_change, unsubscribe from
// inside a callback) and callbacks that throw.
//
// A deadlock would hang the test: a Watchdog aborts the run instead, so it fails.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "event_support.hpp"
#include "store_fixtures.hpp"
#include "support.hpp"

using namespace kvtest;  // with event_support.hpp: Event, EventType, chrono literals

namespace {

// Collects on_error messages.
struct ErrorLog {
  std::mutex mutex;
  std::vector<std::string> messages;
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return messages;
  }
};

kvstore::Options reporting_to(ErrorLog& log) {
  auto options = no_purge();
  options.on_error = [&log](const std::string& message) {
    std::lock_guard lock(log.mutex);
    log.messages.push_back(message);
  };
  return options;
}

}  // namespace

TEST_CASE_METHOD(GuardedStore,
                 "a callback may write; the nested change is delivered after the callback returns",
                 "[events][reentrancy]") {
  auto watcher = store.watch("g");
  std::vector<Event> seen;
  bool inside = false, overlapped = false;
  auto subscription = store.on_change([&](const Event& event) {
    if (inside) overlapped = true;
    inside = true;
    seen.push_back(event);
    if (event.key == "a") store.set("g", "b", "from-callback");
    inside = false;
  });

  store.set("g", "a", "1");

  REQUIRE(seen.size() == 2);
  CHECK(seen[0].key == "a");
  CHECK((seen[1].key == "b" && seen[1].value == "from-callback"));
  CHECK(seen[1].revision > seen[0].revision);
  CHECK_FALSE(overlapped);
  CHECK(store.get("g", "b") == "from-callback");
  CHECK(next_event(watcher).key == "a");
  CHECK(next_event(watcher).key == "b");
}

TEST_CASE_METHOD(GuardedStore, "callbacks that write cascade in commit order",
                 "[events][reentrancy]") {
  auto watcher = store.watch("chain", "*", std::nullopt, 64);
  std::vector<Event> seen;
  auto subscription = store.on_change([&](const Event& event) {
    seen.push_back(event);
    const int i = std::stoi(event.value.value());
    if (i < 20) store.set("chain", "k" + std::to_string(i + 1), std::to_string(i + 1));
  });

  store.set("chain", "k0", "0");

  REQUIRE(seen.size() == 21);
  for (int i = 0; i <= 20; ++i) {
    CHECK(seen[i].value == std::to_string(i));
    if (i > 0) CHECK(seen[i].revision == seen[i - 1].revision + 1);
    const Event watched = next_event(watcher);
    CHECK(watched.revision == seen[i].revision);
  }
  CHECK(store.count("chain") == 21);
}

TEST_CASE_METHOD(GuardedStore, "a callback may run a transaction and read the store",
                 "[events][reentrancy]") {
  std::vector<std::string> keys;
  std::size_t count_seen = 0;
  std::uint64_t revision_seen = 0;
  std::size_t changes_seen = 0;
  auto subscription = store.on_change([&](const Event& event) {
    keys.push_back(event.group + "/" + event.key);
    if (event.group != "trigger") return;
    store.transaction([&](kvstore::Transaction& tx) {
      tx.set("derived", "x", "1");
      tx.set("derived", "y", "2");
    });
    count_seen = store.count("derived");
    revision_seen = store.revision();
    changes_seen = store.changes_since(event.revision).size();
    CHECK(store.get("trigger", "k") == "go");
    CHECK(store.get_all("derived").size() == 2);
  });

  store.set("trigger", "k", "go");

  CHECK(keys == std::vector<std::string>{"trigger/k", "derived/x", "derived/y"});
  CHECK(count_seen == 2);
  CHECK(revision_seen == store.revision());
  CHECK(changes_seen == 2);
}

TEST_CASE_METHOD(GuardedStore, "a callback may create watchers, including with a replay",
                 "[events][reentrancy]") {
  std::optional<kvstore::Watcher> live, replaying;
  std::uint64_t first_revision = 0;
  auto subscription = store.on_change([&](const Event& event) {
    if (live) return;
    first_revision = event.revision;
    live.emplace(store.watch("g"));
    replaying.emplace(store.watch("g", "*", event.revision - 1));
  });

  store.set("g", "first", "1");
  store.set("g", "second", "2");

  REQUIRE(live);
  REQUIRE(replaying);
  // The live watcher was registered while "first" was being delivered: it must get "second".
  Event event = next_event(*live);
  if (event.key == "first") event = next_event(*live);
  CHECK(event.key == "second");
  // The replaying watcher starts with the event being delivered, then continues live.
  const Event replayed = next_event(*replaying);
  CHECK(replayed.key == "first");
  CHECK(replayed.revision == first_revision);
  const Event after = next_event(*replaying);
  CHECK(after.key == "second");
  CHECK(after.revision == first_revision + 1);
}

TEST_CASE_METHOD(GuardedStore, "a callback may unwatch or destroy a watcher",
                 "[events][reentrancy]") {
  auto unwatched = store.watch("g");
  auto destroyed = store.watch("g");
  auto witness = store.watch("g");
  auto subscription = store.on_change([&](const Event& event) {
    if (event.key != "stop") return;
    unwatched.unwatch();
    destroyed = kvstore::Watcher();
  });

  store.set("g", "stop", "1");
  CHECK(unwatched.closed());
  CHECK(destroyed.closed());

  store.set("g", "after", "2");
  CHECK(next_event(witness).key == "stop");
  CHECK(next_event(witness).key == "after");
  CHECK_FALSE(unwatched.try_next().has_value());
  CHECK_FALSE(destroyed.try_next().has_value());
}

TEST_CASE_METHOD(GuardedStore, "a callback may register another callback", "[events][reentrancy]") {
  std::vector<kvstore::Subscription> added;
  std::vector<std::string> inner_keys;
  auto outer = store.on_change([&](const Event&) {
    if (!added.empty()) return;
    added.push_back(store.on_change([&](const Event& event) { inner_keys.push_back(event.key); }));
  });

  store.set("g", "1", "v");
  store.set("g", "2", "v");
  store.set("g", "3", "v");

  REQUIRE(added.size() == 1);
  // Registered during the delivery of "1": receives at least every later event, in order.
  REQUIRE(inner_keys.size() >= 2);
  CHECK(inner_keys[inner_keys.size() - 2] == "2");
  CHECK(inner_keys.back() == "3");
  CHECK(inner_keys.size() <= 3);
}

TEST_CASE_METHOD(GuardedStore, "a callback may unsubscribe itself", "[events][reentrancy]") {
  int calls = 0;
  kvstore::Subscription self;

  SECTION("with unsubscribe()") {
    self = store.on_change([&](const Event&) {
      ++calls;
      self.unsubscribe();
      self.unsubscribe();  // idempotent here too
    });
  }
  SECTION("by destroying its Subscription") {
    self = store.on_change([&](const Event&) {
      ++calls;
      self = kvstore::Subscription();
    });
  }

  store.set("g", "k", "1");
  store.set("g", "k", "2");
  store.erase("g", "k");
  CHECK(calls == 1);
}

TEST_CASE("a callback unsubscribed by an earlier callback is not started for the same event",
          "[events][reentrancy]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  int victim_calls = 0;
  kvstore::Subscription victim;
  auto killer = store.on_change([&](const Event&) { victim.unsubscribe(); });
  victim = store.on_change([&](const Event&) { ++victim_calls; });

  store.set("g", "k", "v");
  store.set("g", "k", "w");
  CHECK(victim_calls == 0);
}

TEST_CASE("re-entrant callbacks on several writer threads do not deadlock",
          "[events][reentrancy]") {
  Watchdog dog("re-entrant callbacks with concurrent writers", 60s);
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  constexpr int kThreads = 3;
  constexpr int kWrites = 60;
  std::atomic<int> triggers{0}, echoes{0}, missing{0};  // no Catch assertions off the main thread
  std::mutex scratch_mutex;
  std::vector<kvstore::Subscription> scratch;
  auto subscription = store.on_change([&](const Event& event) {
    if (event.group != "in") {
      if (event.group == "echo") ++echoes;
      return;
    }
    ++triggers;
    // Everything at once: read, write, transaction, watch/unwatch, on_change/unsubscribe.
    if (!store.get("in", event.key)) ++missing;
    store.set("echo", event.key, event.value.value());
    store.transaction([&](kvstore::Transaction& tx) { tx.set("tx", event.key, event.value.value()); });
    auto watcher = store.watch("in", event.key);
    watcher.unwatch();
    auto extra = store.on_change([](const Event&) {});
    {
      std::lock_guard lock(scratch_mutex);
      scratch.push_back(std::move(extra));
      if (scratch.size() > 4) scratch.erase(scratch.begin());
    }
    (void)store.revision();
    (void)store.changes_since(event.revision);
  });

  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        store.set("in", std::to_string(t) + "-" + std::to_string(i), "v");
      }
    });
  }
  for (auto& writer : writers) writer.join();

  // Each trigger's echo was committed from inside its callback; all were delivered.
  REQUIRE(kvtest::eventually([&] { return echoes.load() == kThreads * kWrites; }));
  CHECK(triggers.load() == kThreads * kWrites);
  CHECK(missing.load() == 0);
  CHECK(store.count("in") == kThreads * kWrites);
  CHECK(store.count("echo") == kThreads * kWrites);
  CHECK(store.count("tx") == kThreads * kWrites);
  std::lock_guard lock(scratch_mutex);
  scratch.clear();
}

TEST_CASE("a throwing callback neither undoes the write nor stops other callbacks",
          "[events][reentrancy]") {
  const auto backend = kvtest::each_backend();
  ErrorLog errors;
  kvstore::Store store(backend.path(), reporting_to(errors));
  auto watcher = store.watch("g");
  std::vector<std::string> later_keys;

  SECTION("a std::exception reaches Options::on_error with its message") {
    auto thrower =
        store.on_change([](const Event& event) { throw std::runtime_error("boom-" + event.key); });
    auto later = store.on_change([&](const Event& event) { later_keys.push_back(event.key); });

    CHECK_NOTHROW(store.set("g", "k", "v"));
    CHECK(store.get("g", "k") == "v");
    CHECK(later_keys == std::vector<std::string>{"k"});
    CHECK(next_event(watcher).key == "k");
    auto messages = errors.snapshot();
    REQUIRE(messages.size() == 1);
    CHECK_THAT(messages[0], Catch::Matchers::Contains("boom-k"));

    // The throwing callback stays subscribed; everything goes on as before.
    CHECK(store.erase("g", "k"));
    CHECK_FALSE(store.get("g", "k").has_value());
    CHECK(later_keys == std::vector<std::string>{"k", "k"});
    messages = errors.snapshot();
    REQUIRE(messages.size() == 2);
    CHECK_THAT(messages[1], Catch::Matchers::Contains("boom-k"));
  }

  SECTION("any other exception is reported too") {
    auto thrower = store.on_change([](const Event&) { throw 42; });
    auto later = store.on_change([&](const Event& event) { later_keys.push_back(event.key); });

    CHECK_NOTHROW(store.set("g", "k", "v"));
    CHECK(store.get("g", "k") == "v");
    CHECK(later_keys == std::vector<std::string>{"k"});
    CHECK(errors.snapshot().size() == 1);
  }

  SECTION("every event of a transaction is still delivered and kept") {
    auto thrower = store.on_change([](const Event&) { throw std::runtime_error("boom"); });
    auto later = store.on_change([&](const Event& event) { later_keys.push_back(event.key); });

    CHECK_NOTHROW(store.transaction([](kvstore::Transaction& tx) {
      tx.set("g", "a", "1");
      tx.set("g", "b", "2");
    }));
    CHECK(store.count("g") == 2);
    CHECK(later_keys == std::vector<std::string>{"a", "b"});
    CHECK(errors.snapshot().size() == 2);
  }
}

TEST_CASE("Options::on_error may use the store", "[events][reentrancy]") {
  const auto backend = kvtest::each_backend();
  Watchdog dog("on_error calling the store");
  kvstore::Store* store_ptr = nullptr;
  std::vector<std::size_t> counts;
  auto options = no_purge();
  options.on_error = [&](const std::string&) { counts.push_back(store_ptr->count("g")); };
  kvstore::Store store(backend.path(), options);
  store_ptr = &store;
  auto thrower = store.on_change([](const Event&) { throw std::runtime_error("boom"); });

  store.set("g", "k", "v");
  CHECK(counts == std::vector<std::size_t>{1});
}
