// Events: what watchers and on_change callbacks receive for each kind of mutation, the bounded
// queue, unwatch/unsubscribe, transactions, expiry, Watchers outliving their Store, to_json.
//
// Negative checks ("this event is not delivered") use a sentinel: a matching write made after
// the writes that must not be delivered. Delivery is in commit order, so anything delivered by
// mistake would come out of the queue before the sentinel.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <kvstore/kvstore.hpp>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
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

// Thread-safe list of what a callback received.
struct Recorder {
  std::mutex mutex;
  std::vector<Event> events;
  void operator()(const Event& event) {
    std::lock_guard lock(mutex);
    events.push_back(event);
  }
  std::vector<Event> snapshot() {
    std::lock_guard lock(mutex);
    return events;
  }
};

}  // namespace

TEST_CASE("watch on a specific key delivers that key's sets and nothing else", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("config", "theme");

  store.set("config", "theme", "dark");
  store.set("config", "lang", "en");  // other key, same group
  store.set("other", "theme", "x");   // same key, other group
  store.set("config", "theme", "light");

  const Event first = next_event(watcher);
  CHECK(first.type == EventType::set);
  CHECK(first.group == "config");
  CHECK(first.key == "theme");
  CHECK(first.value == "dark");
  CHECK_FALSE(first.external);
  const Event second = next_event(watcher);
  CHECK(second.key == "theme");
  CHECK(second.group == "config");
  CHECK(second.value == "light");
  CHECK(second.revision > first.revision);
  CHECK(drain(watcher).empty());
  CHECK(watcher.dropped() == 0);
}

TEST_CASE("watch on a group with the key wildcard delivers every key of that group only",
          "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("config");  // key defaults to "*"

  store.set("config", "a", "1");
  store.set("configs", "a", "x");  // a group that merely starts with the name
  store.set("other", "a", "x");
  store.set("config", "b", "2");
  store.erase("config", "a");

  const Event a = next_event(watcher);
  CHECK((a.type == EventType::set && a.group == "config" && a.key == "a" && a.value == "1"));
  const Event b = next_event(watcher);
  CHECK((b.type == EventType::set && b.group == "config" && b.key == "b" && b.value == "2"));
  const Event erased = next_event(watcher);
  CHECK((erased.type == EventType::erase && erased.group == "config" && erased.key == "a"));
  CHECK(drain(watcher).empty());
}

TEST_CASE("the global wildcard watcher receives every mutation of every group in order",
          "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("*", "*");

  store.set("a", "k", "1");
  store.set("b", "k", "2");
  store.erase("a", "k");
  store.delete_group("b");

  std::vector<Event> events;
  for (int i = 0; i < 4; ++i) events.push_back(next_event(watcher));
  CHECK((events[0].type == EventType::set && events[0].group == "a" && events[0].value == "1"));
  CHECK((events[1].type == EventType::set && events[1].group == "b" && events[1].value == "2"));
  CHECK((events[2].type == EventType::erase && events[2].group == "a" && events[2].key == "k"));
  CHECK((events[3].type == EventType::delete_group && events[3].group == "b"));
  for (std::size_t i = 1; i < events.size(); ++i) {
    CHECK(events[i].revision > events[i - 1].revision);
  }
  CHECK(drain(watcher).empty());
}

TEST_CASE("a key watcher on every group receives that key from each group", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("*", "theme");

  store.set("app1", "theme", "dark");
  store.set("app1", "lang", "en");
  store.set("app2", "theme", "light");

  const Event first = next_event(watcher);
  CHECK((first.group == "app1" && first.key == "theme" && first.value == "dark"));
  const Event second = next_event(watcher);
  CHECK((second.group == "app2" && second.key == "theme" && second.value == "light"));
  CHECK(drain(watcher).empty());
}

TEST_CASE("unwatch stops delivery, closes the watcher and is idempotent", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("g");
  auto witness = store.watch("g");
  CHECK_FALSE(watcher.closed());

  store.set("g", "queued", "1");
  REQUIRE(kvtest::eventually([&] { return witness.try_next().has_value(); }));

  watcher.unwatch();
  CHECK(watcher.closed());
  CHECK_FALSE(watcher.try_next().has_value());  // queued events are discarded
  CHECK_FALSE(watcher.next(10ms).has_value());

  store.set("g", "after", "2");
  CHECK(next_event(witness).key == "after");    // delivered to the live watcher...
  CHECK_FALSE(watcher.try_next().has_value());  // ...not to the closed one
  CHECK(watcher.dropped() == 0);

  watcher.unwatch();  // idempotent
  CHECK(watcher.closed());
  CHECK(store.get("g", "after") == "2");  // the store is unaffected
}

TEST_CASE("a default-constructed Watcher is closed and yields nothing", "[events]") {
  kvstore::Watcher watcher;
  CHECK(watcher.closed());
  CHECK_FALSE(watcher.try_next().has_value());
  CHECK_FALSE(watcher.next(1ms).has_value());
  CHECK(watcher.dropped() == 0);
  watcher.unwatch();
}

TEST_CASE("a moved Watcher keeps its subscription", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto original = store.watch("g");
  kvstore::Watcher moved(std::move(original));
  kvstore::Watcher assigned = store.watch("other");
  assigned = std::move(moved);

  store.set("g", "k", "v");
  const Event event = next_event(assigned);
  CHECK((event.group == "g" && event.key == "k" && event.value == "v"));
  CHECK_FALSE(assigned.closed());
}

TEST_CASE("an erase publishes an erase event with the key and an empty value", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("g", "k", "v");
  auto watcher = store.watch("g", "k");

  REQUIRE(store.erase("g", "k"));
  const Event event = next_event(watcher);
  CHECK(event.type == EventType::erase);
  CHECK(kvstore::to_string(event.type) == "delete");
  CHECK(event.group == "g");
  CHECK(event.key == "k");
  CHECK(event.value == std::nullopt);
  CHECK(event.revision == store.revision());
  CHECK_FALSE(event.external);

  SECTION("erasing an absent key publishes nothing") {
    CHECK_FALSE(store.erase("g", "k"));
    store.set("g", "k", "sentinel");
    const Event next = next_event(watcher);
    CHECK(next.type == EventType::set);
    CHECK(next.value == "sentinel");
  }
}

TEST_CASE("delete_group publishes one delete_group event with an empty key", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  for (const char* key : {"a", "b", "c"}) store.set("g", key, "v");
  store.set("h", "a", "v");
  auto group_watcher = store.watch("g");
  auto key_watcher = store.watch("g", "b");  // a delete_group also matches key watchers
  auto other_watcher = store.watch("h");

  REQUIRE(store.delete_group("g") == 3);

  for (auto* watcher : {&group_watcher, &key_watcher}) {
    const Event event = next_event(*watcher);
    CHECK(event.type == EventType::delete_group);
    CHECK(kvstore::to_string(event.type) == "delete_group");
    CHECK(event.group == "g");
    CHECK(event.key.empty());
    CHECK(event.value == std::nullopt);
    CHECK(event.revision == store.revision());
    CHECK(drain(*watcher).empty());  // one event for the group, not one per key
  }
  store.set("h", "sentinel", "v");
  CHECK(next_event(other_watcher).key == "sentinel");
}

TEST_CASE("delete_prefix publishes one delete_group event per group removed", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("app:a", "k1", "v");
  store.set("app:a", "k2", "v");
  store.set("app:b", "k1", "v");
  store.set("apx", "k1", "v");  // outside the prefix
  auto watcher = store.watch("*");

  REQUIRE(store.delete_prefix("app:") == 3);
  store.set("sentinel", "k", "v");

  std::multiset<std::string> groups;
  std::set<std::uint64_t> revisions;
  for (;;) {
    const Event event = next_event(watcher);
    if (event.group == "sentinel") break;
    CHECK(event.type == EventType::delete_group);
    CHECK(event.key.empty());
    groups.insert(event.group);
    revisions.insert(event.revision);
  }
  CHECK(groups == std::multiset<std::string>{"app:a", "app:b"});
  CHECK(revisions.size() == 2);  // each group's delete has its own revision
  CHECK(store.get("apx", "k1") == "v");
}

TEST_CASE("set_with_ttl and set_json publish set events carrying the value", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("g");

  store.set_with_ttl("g", "ttl", "short-lived", 1h);
  store.set_json("g", "json", nlohmann::json{{"a", 1}});

  const Event ttl = next_event(watcher);
  CHECK((ttl.type == EventType::set && ttl.key == "ttl" && ttl.value == "short-lived"));
  const Event json = next_event(watcher);
  CHECK((json.type == EventType::set && json.key == "json"));
  CHECK(json.value == nlohmann::json{{"a", 1}}.dump());
}

TEST_CASE_METHOD(CountedStore, "a failed write publishes nothing", "[events]") {
  CHECK_THROWS_AS(store.set_with_ttl("g", "k", "v", 0ms), kvstore::InvalidArgument);
  CHECK(calls == 0);
  check_sentinel_is_next();
  CHECK(calls == 1);
}

TEST_CASE("on_change fires on set and erase, synchronously, until unsubscribed", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  std::vector<Event> events;
  auto subscription = store.on_change([&](const Event& event) { events.push_back(event); });

  store.set("g", "k", "v");
  REQUIRE(events.size() == 1);  // synchronous: delivered before set() returns
  CHECK((events[0].type == EventType::set && events[0].group == "g" && events[0].key == "k" &&
         events[0].value == "v" && events[0].revision == store.revision()));

  store.erase("g", "k");
  REQUIRE(events.size() == 2);
  CHECK((events[1].type == EventType::erase && events[1].key == "k"));
  CHECK(events[1].revision > events[0].revision);

  subscription.unsubscribe();
  store.set("g", "k", "again");
  CHECK(events.size() == 2);

  subscription.unsubscribe();  // idempotent
  store.erase("g", "k");
  CHECK(events.size() == 2);
}

TEST_CASE("destroying a Subscription unsubscribes; others keep receiving", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  int scoped_calls = 0, kept_calls = 0;
  auto kept = store.on_change([&](const Event&) { ++kept_calls; });
  {
    auto scoped = store.on_change([&](const Event&) { ++scoped_calls; });
    store.set("g", "k", "1");
  }
  store.set("g", "k", "2");
  CHECK(scoped_calls == 1);
  CHECK(kept_calls == 2);

  SECTION("a moved Subscription stays subscribed") {
    kvstore::Subscription target;
    {
      auto source = store.on_change([&](const Event&) { ++scoped_calls; });
      target = std::move(source);
    }
    store.set("g", "k", "3");
    CHECK(scoped_calls == 2);
    target.unsubscribe();
    store.set("g", "k", "4");
    CHECK(scoped_calls == 2);
  }
}

TEST_CASE("a full queue drops new events without blocking the writer", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("g");  // default capacity: 16
  {
    Watchdog dog("32 writes into a full watcher");
    for (int i = 0; i < 32; ++i) store.set("g", "k" + std::to_string(i), "v" + std::to_string(i));
  }
  REQUIRE(kvtest::eventually([&] { return watcher.dropped() == 16; }));

  // The queued events are the first 16, in order; the newer ones were dropped.
  const auto queued = drain(watcher);
  REQUIRE(queued.size() == 16);
  for (int i = 0; i < 16; ++i) CHECK(queued[i].value == "v" + std::to_string(i));
  CHECK(watcher.dropped() == 16);
  CHECK(store.count("g") == 32);  // every write happened

  // Once drained, the watcher accepts events again.
  store.set("g", "after", "x");
  CHECK(next_event(watcher).key == "after");
  CHECK(watcher.dropped() == 16);
}

TEST_CASE("a watcher's capacity can be chosen per watch", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto small = store.watch("g", "*", std::nullopt, 4);
  auto large = store.watch("g", "*", std::nullopt, 100);

  for (int i = 0; i < 40; ++i) store.set("g", "k", std::to_string(i));

  REQUIRE(kvtest::eventually([&] { return small.dropped() == 36; }));
  const auto small_events = drain(small);
  REQUIRE(small_events.size() == 4);
  CHECK(small_events.back().value == "3");

  std::vector<Event> large_events;
  while (large_events.size() < 40) large_events.push_back(next_event(large));
  CHECK(large_events.back().value == "39");
  CHECK(large.dropped() == 0);
}

TEST_CASE("two watchers on one key both receive every event", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto first = store.watch("g", "k");
  auto second = store.watch("g", "k");

  store.set("g", "k", "1");
  store.erase("g", "k");

  for (auto* watcher : {&first, &second}) {
    const Event set = next_event(*watcher);
    CHECK((set.type == EventType::set && set.value == "1"));
    const Event erase = next_event(*watcher);
    CHECK(erase.type == EventType::erase);
    CHECK(erase.revision == set.revision + 1);
  }
}

TEST_CASE("a transaction publishes its events after commit, in order", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("g", "old", "x");
  auto watcher = store.watch("g");
  std::vector<Event> callback_events;
  auto subscription = store.on_change([&](const Event& e) { callback_events.push_back(e); });
  const auto before = store.revision();

  store.transaction([&](kvstore::Transaction& tx) {
    tx.set("g", "a", "1");
    tx.set("g", "b", "2");
    tx.erase("g", "old");
    // Nothing is published while the transaction is open.
    CHECK(callback_events.empty());
    CHECK_FALSE(watcher.try_next().has_value());
  });

  REQUIRE(callback_events.size() == 3);
  std::vector<Event> watched;
  for (int i = 0; i < 3; ++i) watched.push_back(next_event(watcher));
  for (const auto* events : {&callback_events, &watched}) {
    CHECK(((*events)[0].key == "a" && (*events)[0].value == "1"));
    CHECK(((*events)[1].key == "b" && (*events)[1].value == "2"));
    CHECK(((*events)[2].key == "old" && (*events)[2].type == EventType::erase));
    for (int i = 0; i < 3; ++i) CHECK((*events)[i].revision == before + 1 + i);
  }
  CHECK(store.revision() == before + 3);
}

TEST_CASE_METHOD(CountedStore, "a rolled-back transaction publishes nothing", "[events]") {
  CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction& tx) {
    tx.set("g", "a", "1");
    tx.delete_group("g");
    throw std::runtime_error("abort");
  }),
                  std::runtime_error);
  CHECK(calls == 0);
  CHECK_FALSE(store.get("g", "a").has_value());

  SECTION("a rolled-back nested transaction publishes only the outer writes") {
    store.transaction([&](kvstore::Transaction& tx) {
      tx.set("g", "outer", "1");
      try {
        store.transaction([&](kvstore::Transaction& inner) {
          inner.set("g", "inner", "2");
          throw std::runtime_error("inner abort");
        });
      } catch (const std::runtime_error&) {
      }
      tx.set("g", "outer2", "3");
    });
    CHECK(calls == 2);
    CHECK(next_event(watcher).key == "outer");
    CHECK(next_event(watcher).key == "outer2");
    CHECK(drain(watcher).empty());
  }

  check_sentinel_is_next();
}

TEST_CASE("purge_expired publishes an expire event per expired key", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set_with_ttl("g", "t1", "x", 1ms);
  store.set_with_ttl("h", "t2", "y", 1ms);
  store.set("g", "keep", "z");
  wait_past(1ms);
  auto watcher = store.watch("*");
  Recorder recorder;
  auto subscription = store.on_change(std::ref(recorder));

  REQUIRE(store.purge_expired() == 2);
  store.set("sentinel", "k", "v");

  std::multiset<std::pair<std::string, std::string>> expired;
  for (;;) {
    const Event event = next_event(watcher);
    if (event.group == "sentinel") break;
    CHECK(event.type == EventType::expire);
    CHECK(kvstore::to_string(event.type) == "expire");
    CHECK(event.value == std::nullopt);
    expired.emplace(event.group, event.key);
  }
  CHECK(expired == std::multiset<std::pair<std::string, std::string>>{{"g", "t1"}, {"h", "t2"}});
  CHECK(recorder.snapshot().size() == 3);
  CHECK(store.get("g", "keep") == "z");
}

TEST_CASE("a get that meets an expired key publishes an expire event", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set_with_ttl("g", "t", "x", 1ms);
  wait_past(1ms);
  auto watcher = store.watch("g", "t");

  CHECK_FALSE(store.get("g", "t").has_value());
  const Event event = next_event(watcher);
  CHECK(event.type == EventType::expire);
  CHECK((event.group == "g" && event.key == "t"));
  CHECK(event.revision == store.revision());

  // The key is gone: a second get publishes nothing more.
  CHECK_FALSE(store.get("g", "t").has_value());
  store.set("g", "t", "sentinel");
  CHECK(next_event(watcher).value == "sentinel");
}

TEST_CASE("each event carries the revision its write produced", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("*");
  std::uint64_t previous = store.revision();
  for (int i = 0; i < 5; ++i) {
    store.set("g", "k" + std::to_string(i), "v");
    const Event event = next_event(watcher);
    CHECK(event.revision == store.revision());
    CHECK(event.revision == previous + 1);
    previous = event.revision;
  }
}

TEST_CASE("an event's timestamp is when the change was made", "[events]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto watcher = store.watch("g");
  const auto before = std::chrono::floor<std::chrono::milliseconds>(kvstore::Clock::now());
  store.set("g", "k", "v");
  const auto after = kvstore::Clock::now();
  const Event event = next_event(watcher);
  CHECK(event.timestamp >= before);
  CHECK(event.timestamp <= after);
}

TEST_CASE("a Watcher may outlive its Store", "[events]") {
  const auto backend = kvtest::each_backend();
  auto store = std::make_unique<kvstore::Store>(backend.path(), no_purge());
  auto watcher = store->watch("g");
  auto wildcard = store->watch("*");
  int calls = 0;
  auto subscription = store->on_change([&](const Event&) { ++calls; });
  store->set("g", "k", "queued");
  REQUIRE(calls == 1);

  store.reset();

  for (auto* w : {&watcher, &wildcard}) {
    CHECK(w->closed());
    CHECK_FALSE(w->next(10ms).has_value());
    CHECK_FALSE(w->try_next().has_value());
    w->unwatch();  // safe, and still idempotent
    CHECK(w->closed());
    CHECK(w->dropped() == 0);
  }
  subscription.unsubscribe();  // safe after the Store is gone
  CHECK(calls == 1);
}

TEST_CASE("a Watcher outliving a file Store is closed too", "[events]") {
  // File only: the ":memory:" case is "a Watcher may outlive its Store", which runs on both.
  TempDir dir;
  kvstore::Watcher watcher;
  {
    kvstore::Store store(dir.file("db.sqlite"), no_purge());
    watcher = store.watch("*");
    store.set("g", "k", "v");
  }
  CHECK(watcher.closed());
  CHECK_FALSE(watcher.try_next().has_value());
}

TEST_CASE("to_string names every event type", "[events]") {
  CHECK(kvstore::to_string(EventType::set) == "set");
  CHECK(kvstore::to_string(EventType::erase) == "delete");
  CHECK(kvstore::to_string(EventType::delete_group) == "delete_group");
  CHECK(kvstore::to_string(EventType::expire) == "expire");
}

TEST_CASE("to_json gives every field, with an RFC 3339 UTC millisecond timestamp", "[events]") {
  const auto backend = kvtest::each_backend();
  const std::regex rfc3339_ms(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");

  SECTION("an event from the store") {
    kvstore::Store store(backend.path(), no_purge());
    auto watcher = store.watch("g");
    store.set("g", "k", "v");
    store.erase("g", "k");
    const Event set = next_event(watcher);
    const Event erase = next_event(watcher);

    const nlohmann::json json = set;
    CHECK(json.at("type") == "set");
    CHECK(json.at("group") == "g");
    CHECK(json.at("key") == "k");
    CHECK(json.at("value") == "v");
    CHECK(json.at("revision") == set.revision);
    CHECK(json.at("revision").get<std::uint64_t>() > 0);
    CHECK(json.at("external") == false);
    const auto timestamp = json.at("timestamp").get<std::string>();
    CHECK(std::regex_match(timestamp, rfc3339_ms));

    const nlohmann::json erase_json = erase;
    CHECK(erase_json.at("type") == "delete");
    CHECK(erase_json.at("value").is_null());  // holds no value: never ""
    CHECK(erase_json.at("revision") == erase.revision);
  }

  SECTION("a known instant") {
    Event event;
    event.type = EventType::delete_group;
    event.group = "g";
    event.timestamp = kvstore::Clock::time_point(std::chrono::milliseconds(1700000000123));
    event.revision = 42;
    event.external = true;
    const nlohmann::json json = event;
    CHECK(json.at("timestamp") == "2023-11-14T22:13:20.123Z");
    CHECK(json.at("type") == "delete_group");
    CHECK(json.at("key") == "");
    CHECK(json.at("revision") == 42);
    CHECK(json.at("external") == true);
  }

  SECTION("whole seconds keep their three millisecond digits") {
    Event event;
    event.timestamp = kvstore::Clock::time_point(std::chrono::seconds(1700000000));
    const nlohmann::json json = event;
    CHECK(json.at("timestamp") == "2023-11-14T22:13:20.000Z");
  }

  SECTION("an instant before 1970") {
    Event event;
    event.timestamp = kvstore::Clock::time_point(std::chrono::milliseconds(-1));
    const nlohmann::json json = event;
    CHECK(json.at("timestamp") == "1969-12-31T23:59:59.999Z");
  }
}
