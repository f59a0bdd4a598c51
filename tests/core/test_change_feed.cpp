// Change feed within one process: revision(), changes_since(), watch(from_revision) replay with
// no gap and no duplicate at the seam, Compacted after trimming, resuming after overflow,
// ":memory:" stores, and two Store objects on one file seeing each other's changes.
//
// "Within 1 s": deliveries are awaited with watcher.next(deadline), never with sleeps; the
// deadline only bounds how long a missing event is waited for.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "backends.hpp"
#include "core/feed_support.hpp"
#include "event_support.hpp"
#include "support.hpp"

using namespace kvtest;  // with event_support.hpp: Event, EventType, chrono literals

namespace {

// Joins a thread when the scope ends, also when a failed REQUIRE leaves it early (after
// setting `stop`, if given): a joinable std::thread would terminate the whole run.
class JoinGuard {
 public:
  explicit JoinGuard(std::thread& thread, std::atomic<bool>* stop = nullptr)
      : thread_(thread), stop_(stop) {}
  ~JoinGuard() {
    if (stop_) *stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  JoinGuard(const JoinGuard&) = delete;
  JoinGuard& operator=(const JoinGuard&) = delete;

 private:
  std::thread& thread_;
  std::atomic<bool>* stop_;
};

// Reads a "*" watcher until it delivered `last`; checks the revisions are exactly
// first, first + 1, ..., last (no gap, no duplicate).
void expect_contiguous(kvstore::Watcher& watcher, std::uint64_t first, std::uint64_t last) {
  std::uint64_t expected = first;
  while (expected <= last) {
    const auto event = watcher.next(kWait);
    if (!event) {
      FAIL("no event " << expected << " (range " << first << ".." << last << ")");
    }
    if (event->revision != expected) {
      FAIL("expected revision " << expected << ", got " << describe(*event) << " (range " << first
                                << ".." << last << ")");
    }
    ++expected;
  }
  CHECK(watcher.dropped() == 0);
}

// Checks that `watcher` delivers exactly `expected`, revision and type in order, and then nothing;
// with `group`, that each event is in it.
void expect_delivered(kvstore::Watcher& watcher,
                      const std::vector<std::pair<std::uint64_t, EventType>>& expected,
                      const std::optional<std::string>& group = std::nullopt) {
  for (const auto& [revision, type] : expected) {
    const Event event = next_event(watcher);
    INFO(describe(event));
    CHECK(event.revision == revision);
    CHECK(event.type == type);
    if (group) CHECK(event.group == *group);
  }
  CHECK(drain(watcher).empty());
}

// The mutations every feed test makes on the "other side", covering each kind of change.
void write_every_kind(kvstore::Store& store) {
  store.set("feed", "k1", "v1");
  store.set("feed", "k2", "v2");
  store.erase("feed", "k2");
  store.set_with_ttl("feed", "t1", "x", 1ms);
  wait_past(1ms);
  store.purge_expired();  // expire feed/t1
  store.set_with_ttl("feed", "t2", "y", 1ms);
  wait_past(1ms);
  CHECK_FALSE(store.get("feed", "t2").has_value());  // lazy expiry
  store.set("grp", "a", "1");
  store.set("grp", "b", "2");
  store.delete_group("grp");
  store.set("pre:1", "a", "1");
  store.set("pre:2", "a", "1");
  store.delete_prefix("pre:");
  store.transaction([](kvstore::Transaction& tx) {
    tx.set("tx", "a", "1");
    tx.set("tx", "b", "2");
    tx.erase("tx", "a");
  });
}

// The kinds of change write_every_kind makes, in order.
const std::vector<std::pair<EventType, std::string>>& every_kind_expected() {
  static const std::vector<std::pair<EventType, std::string>> expected = {
      {EventType::set, "feed/k1"},
      {EventType::set, "feed/k2"},
      {EventType::erase, "feed/k2"},
      {EventType::set, "feed/t1"},
      {EventType::expire, "feed/t1"},
      {EventType::set, "feed/t2"},
      {EventType::expire, "feed/t2"},
      {EventType::set, "grp/a"},
      {EventType::set, "grp/b"},
      {EventType::delete_group, "grp/"},
      {EventType::set, "pre:1/a"},
      {EventType::set, "pre:2/a"},
      {EventType::delete_group, "pre:1/"},
      {EventType::delete_group, "pre:2/"},
      {EventType::set, "tx/a"},
      {EventType::set, "tx/b"},
      {EventType::erase, "tx/a"},
  };
  return expected;
}

}  // namespace

TEST_CASE("revision() starts at 0 and grows by one per committed mutation", "[feed]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  auto store = std::make_unique<kvstore::Store>(path, no_purge());
  CHECK(store->revision() == 0);

  store->set("g", "a", "1");
  CHECK(store->revision() == 1);
  store->set_with_ttl("g", "b", "2", 1h);
  CHECK(store->revision() == 2);
  CHECK(store->erase("g", "b"));
  CHECK(store->revision() == 3);
  CHECK_FALSE(store->erase("g", "b"));  // nothing removed: no mutation
  CHECK(store->revision() == 3);
  CHECK(store->get("g", "a") == "1");  // reads do not count
  (void)store->get_all("g");
  CHECK(store->revision() == 3);
  store->transaction([](kvstore::Transaction& tx) {
    tx.set("h", "x", "1");
    tx.set("h", "y", "1");
  });
  CHECK(store->revision() == 5);
  CHECK_THROWS(store->transaction([](kvstore::Transaction& tx) {
    tx.set("h", "z", "1");
    throw std::runtime_error("rollback");
  }));
  CHECK(store->revision() == 5);
  CHECK(store->delete_group("h") == 2);
  CHECK(store->revision() == 6);

  SECTION("another Store on the file sees the same revision") {
    kvstore::Store other(path, no_purge());
    CHECK(other.revision() == 6);
    other.set("g", "c", "3");
    CHECK(other.revision() == 7);
    CHECK(store->revision() == 7);
    store->set("g", "d", "4");
    CHECK(other.revision() == 8);
  }
  SECTION("the revision persists across reopening") {
    store.reset();
    store = std::make_unique<kvstore::Store>(path, no_purge());
    CHECK(store->revision() == 6);
    store->set("g", "c", "3");
    CHECK(store->revision() == 7);
  }
}

TEST_CASE("writes that roll back leave no trace in the change log", "[feed][transaction]") {
  TempDir dir;
  const bool memory = GENERATE(true, false);  // a ":memory:" store keeps its log in memory
  INFO((memory ? ":memory:" : "file"));
  kvstore::Store store(memory ? ":memory:" : dir.file("db.sqlite"), no_purge());
  store.set("g", "a", "1");
  CHECK_THROWS(store.transaction([](kvstore::Transaction& tx) {
    tx.set("g", "b", "2");
    tx.erase("g", "a");
    tx.delete_group("g");
    throw std::runtime_error("rollback");
  }));
  CHECK(store.revision() == 1);
  CHECK(store.changes_since(0).size() == 1);

  store.transaction([&](kvstore::Transaction& tx) {
    tx.set("g", "b", "2");
    CHECK_THROWS(store.transaction([](kvstore::Transaction& inner) {
      inner.set("g", "c", "3");
      inner.erase("g", "a");
      throw std::runtime_error("inner rollback");
    }));
    tx.set("g", "d", "4");
  });
  const auto changes = store.changes_since(1);
  REQUIRE(changes.size() == 2);
  CHECK(std::make_tuple(changes[0].revision, changes[0].key, changes[0].value) ==
        std::make_tuple(std::uint64_t{2}, std::string("b"), std::string("2")));
  CHECK(std::make_tuple(changes[1].revision, changes[1].key, changes[1].value) ==
        std::make_tuple(std::uint64_t{3}, std::string("d"), std::string("4")));
  CHECK(store.revision() == 3);
  CHECK(store.get("g", "a") == "1");
  CHECK_FALSE(store.get("g", "c").has_value());
  store.set("g", "e", "5");
  CHECK(store.revision() == 4);
}

TEST_CASE("changes_since returns the logged changes after a revision, oldest first", "[feed]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("g", "before", "x");
  const auto start = store.revision();

  store.set("g", "a", "1");
  store.set("g", "b", "old");
  store.set("g", "b", "new");
  store.erase("g", "a");
  store.set("h", "c", "3");
  store.delete_group("h");

  const auto changes = store.changes_since(start);
  REQUIRE(changes.size() == 6);
  const std::vector<std::tuple<EventType, std::string, std::string>> expected = {
      {EventType::set, "g", "a"},   {EventType::set, "g", "b"}, {EventType::set, "g", "b"},
      {EventType::erase, "g", "a"}, {EventType::set, "h", "c"}, {EventType::delete_group, "h", ""},
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    INFO("change " << i << ": " << describe(changes[i]));
    CHECK(changes[i].revision == start + 1 + i);
    CHECK(std::make_tuple(changes[i].type, changes[i].group, changes[i].key) == expected[i]);
  }
  // The log keeps no old values: a set carries its value only while the key still holds it,
  // and never a later write's value.
  CHECK(changes[0].value == std::nullopt);  // g/a erased since
  CHECK(changes[1].value == std::nullopt);  // g/b written again since
  CHECK(changes[2].value == "new");
  CHECK(changes[3].value == std::nullopt);  // an erase holds no value
  CHECK(changes[4].value == std::nullopt);  // h deleted since
  CHECK(changes[5].value == std::nullopt);

  CHECK(store.changes_since(store.revision()).empty());
  CHECK(store.changes_since(0).size() == 7);
  CHECK(store.changes_since(0).front().key == "before");
}

TEST_CASE("watch from a revision replays the matching logged changes, then continues live",
          "[feed]") {
  kvstore::Store store(":memory:", no_purge());
  store.set("g", "a", "1");  // 1
  store.set("h", "b", "2");  // 2
  store.set("g", "c", "3");  // 3
  store.erase("g", "a");     // 4
  store.delete_group("g");   // 5
  REQUIRE(store.revision() == 5);

  SECTION("a group watcher") {
    auto watcher = store.watch("g", "*", 1);
    store.set("h", "x", "live");  // 6: other group
    store.set("g", "d", "live");  // 7
    expect_delivered(watcher,
                     {{3, EventType::set},
                      {4, EventType::erase},
                      {5, EventType::delete_group},
                      {7, EventType::set}},
                     "g");
  }
  SECTION("a key watcher") {
    auto watcher = store.watch("g", "a", 0);
    store.set("g", "a", "again");  // 6
    expect_delivered(watcher, {{1, EventType::set},
                               {4, EventType::erase},
                               {5, EventType::delete_group},
                               {6, EventType::set}});
  }
  SECTION("from the current revision: live only") {
    auto watcher = store.watch("*", "*", store.revision());
    store.set("z", "z", "z");
    const Event event = next_event(watcher);
    CHECK(event.revision == 6);
    CHECK(drain(watcher).empty());
  }
  SECTION("the replay does not count against the capacity") {
    auto watcher = store.watch("*", "*", 0, 2);
    expect_contiguous(watcher, 1, 5);
    store.set("z", "z", "z");
    CHECK(next_event(watcher).revision == 6);
    CHECK(watcher.dropped() == 0);
  }
}

TEST_CASE("replay then live has no gap and no duplicate across 10,000 concurrent writes",
          "[feed]") {
  Watchdog dog("replay seam under 10,000 writes");
  TempDir dir;
  kvstore::Store store(dir.file("db.sqlite"), no_purge());
  constexpr std::uint64_t kWrites = 10000;
  // Someone else already listens, so writers build events while the watchers are created.
  std::atomic<long> callback_calls{0};
  auto subscription = store.on_change([&](const Event&) { ++callback_calls; });

  std::thread writer([&] {
    for (std::uint64_t i = 0; i < kWrites; ++i) {
      store.set("g" + std::to_string(i % 7), "k" + std::to_string(i), std::to_string(i));
    }
  });
  JoinGuard join_writer(writer);

  struct Started {
    std::uint64_t from;
    kvstore::Watcher watcher;
  };
  std::vector<Started> watchers;
  for (const std::uint64_t at : {2000u, 4000u, 6000u, 8000u}) {
    std::uint64_t now = 0;
    REQUIRE(kvtest::eventually([&] { return (now = store.revision()) >= at; }, 30s));
    const std::uint64_t from = now > 1500 ? now - 1500 : 0;  // a non-trivial replay
    watchers.push_back({from, store.watch("*", "*", from, kWrites + 10)});
  }
  writer.join();
  REQUIRE(store.revision() == kWrites);

  for (auto& [from, watcher] : watchers) {
    INFO("watcher from revision " << from);
    expect_contiguous(watcher, from + 1, kWrites);
    CHECK(drain(watcher).empty());
  }
  CHECK(callback_calls.load() == static_cast<long>(kWrites));
}

TEST_CASE("watchers created right at the head of a busy store see every later change once",
          "[feed]") {
  // The seam is only at risk while a change committed just before the watch is still being
  // published: a writer keeps one in flight almost all the time, and the watch is repeated many
  // times at the head. A race here shows as a duplicate or a gap.
  Watchdog dog("replay seam at the head");
  kvstore::Store store(":memory:", no_purge());
  auto listener = store.watch("unrelated");  // writers build events from the start
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) store.set("g", "k" + std::to_string(i % 100), "v");
  });
  JoinGuard join_writer(writer, &stop);

  for (int round = 0; round < 500; ++round) {
    const auto head = store.revision();
    const std::uint64_t from = head > 3 ? head - 3 : 0;
    auto watcher = store.watch("*", "*", from, 100000);
    INFO("round " << round << ", from revision " << from);
    expect_contiguous(watcher, from + 1, from + 25);
  }
}

TEST_CASE("Compacted signals a revision older than the trimmed change log", "[feed]") {
  TempDir dir;
  auto options = no_purge();
  options.change_log_retention = 5;
  const bool memory = GENERATE(true, false);
  INFO((memory ? ":memory:" : "file"));
  kvstore::Store store(memory ? ":memory:" : dir.file("db.sqlite"), options);
  for (int i = 0; i < 20; ++i) store.set("g", "k" + std::to_string(i), std::to_string(i));
  REQUIRE(store.changes_since(0).size() == 20);  // nothing trimmed before a purge pass

  store.purge_expired();
  CHECK(store.revision() == 20);

  check_logged(store, 16, 20);

  try {
    (void)store.changes_since(14);
    FAIL("changes_since(14) did not throw");
  } catch (const kvstore::Compacted& e) {
    CHECK(e.oldest_available_revision() == 16);
    // As documented: resume from oldest_available_revision() - 1.
    CHECK(store.changes_since(e.oldest_available_revision() - 1).size() == 5);
  }
  CHECK_THROWS_AS(store.changes_since(0), kvstore::Error);  // a kvstore::Error subclass

  try {
    (void)store.watch("*", "*", 10);
    FAIL("watch from revision 10 did not throw");
  } catch (const kvstore::Compacted& e) {
    CHECK(e.oldest_available_revision() == 16);
  }
  auto watcher = store.watch("g", "*", 15);
  expect_contiguous(watcher, 16, 20);

  // Trimming never lowers the revision: the next write continues from it.
  store.set("g", "next", "x");
  CHECK(store.revision() == 21);
  CHECK(next_event(watcher).revision == 21);
}

TEST_CASE("the change log keeps at least the newest entry", "[feed]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  auto options = no_purge();
  options.change_log_retention = 0;
  {
    kvstore::Store store(path, options);
    for (int i = 0; i < 5; ++i) store.set("g", "k", std::to_string(i));
    store.purge_expired();
    CHECK(store.revision() == 5);
    const auto kept = store.changes_since(4);
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].revision == 5);
    CHECK_THROWS_AS(store.changes_since(3), kvstore::Compacted);
  }
  kvstore::Store reopened(path, options);
  CHECK(reopened.revision() == 5);
  reopened.set("g", "k", "after");
  CHECK(reopened.revision() == 6);
}

TEST_CASE("the background purge pass trims the change log", "[feed]") {
  auto options = no_purge();
  options.purge_interval = 10ms;
  options.change_log_retention = 3;
  kvstore::Store store(":memory:", options);
  for (int i = 0; i < 10; ++i) store.set("g", "k", std::to_string(i));
  CHECK(kvtest::eventually([&] {
    try {
      (void)store.changes_since(0);
      return false;
    } catch (const kvstore::Compacted& e) {
      return e.oldest_available_revision() == 8;
    }
  }));
  CHECK(store.changes_since(7).size() == 3);
}

TEST_CASE("a watcher that overflowed resumes from its last delivered revision without loss",
          "[feed]") {
  kvstore::Store store(":memory:", no_purge());
  store.set("other", "x", "x");
  const auto start = store.revision();
  auto watcher = store.watch("g", "*", std::nullopt, 4);
  for (int i = 0; i < 20; ++i) {
    store.set("g", "k" + std::to_string(i), std::to_string(i));
    store.set("other", "x", std::to_string(i));  // not watched: interleaved revisions
  }

  REQUIRE(kvtest::eventually([&] { return watcher.dropped() == 16; }));
  std::vector<Event> received = drain(watcher);
  REQUIRE(received.size() == 4);
  CHECK(watcher.dropped() > 0);  // the consumer learns it missed changes...

  // ...and watches again from the last revision it received.
  auto resumed = store.watch("g", "*", received.back().revision, 64);
  while (received.size() < 20) received.push_back(next_event(resumed));
  store.set("g", "live", "after");
  received.push_back(next_event(resumed));

  for (int i = 0; i < 20; ++i) {
    INFO(describe(received[i]));
    CHECK(received[i].key == "k" + std::to_string(i));
    CHECK(received[i].revision == start + 1 + 2 * i);
  }
  CHECK(received[20].key == "live");
  CHECK(drain(resumed).empty());
  CHECK(resumed.dropped() == 0);
}

TEST_CASE(":memory: stores offer the same events and feed API", "[feed]") {
  auto options = feed_options(1ms);  // ignored for :memory:
  kvstore::Store store(":memory:", options);
  kvstore::Store other(":memory:", options);  // a separate database
  auto watcher = store.watch("*");
  auto other_watcher = other.watch("*");
  std::vector<Event> callback_events;
  auto subscription = store.on_change([&](const Event& e) { callback_events.push_back(e); });

  store.set("g", "a", "1");
  store.erase("g", "a");
  store.set("g", "b", "2");
  CHECK(store.revision() == 3);
  CHECK(other.revision() == 0);

  REQUIRE(callback_events.size() == 3);
  for (int i = 0; i < 3; ++i) {
    const Event event = next_event(watcher);
    CHECK(event.revision == static_cast<std::uint64_t>(i + 1));
    CHECK_FALSE(event.external);
    CHECK_FALSE(callback_events[i].external);
  }
  const auto changes = store.changes_since(1);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].type == EventType::erase);
  CHECK(changes[1].value == "2");

  auto replaying = store.watch("g", "*", 0);
  expect_contiguous(replaying, 1, 3);

  // The other in-memory store neither sees these changes nor is seen.
  other.set("o", "sentinel", "x");
  const Event event = next_event(other_watcher);
  CHECK(event.group == "o");
  CHECK(event.revision == 1);
  CHECK(other.changes_since(0).size() == 1);
}

TEST_CASE("two Stores on one file see each other's changes, marked external, in revision order",
          "[feed]") {
  FeedReceiver reader("two Stores on one file");
  kvstore::Store writer(reader.path, feed_options());
  auto own = writer.watch("*", "*", std::nullopt, 1000);

  write_every_kind(writer);

  const auto written = drain(own);
  REQUIRE(written.size() == every_kind_expected().size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    INFO(describe(written[i]));
    CHECK(written[i].type == every_kind_expected()[i].first);
    CHECK(written[i].group + "/" + written[i].key == every_kind_expected()[i].second);
    CHECK_FALSE(written[i].external);  // the writer's own changes
  }

  std::vector<Change> changes;
  for (const Event& event : written) changes.push_back(change_of(event));
  reader.check(changes);
  // Delivered by the reader's background thread, not by the thread that wrote.
  CHECK_FALSE(reader.called_on(std::this_thread::get_id()));
}

TEST_CASE("external changes are delivered with the default poll interval", "[feed]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store reader(path);
  kvstore::Store writer(path);
  auto watcher = reader.watch("g", "k");
  writer.set("g", "other", "x");
  writer.set("g", "k", "v");
  const Event event = next_event(watcher);
  CHECK(event.external);
  CHECK(event.key == "k");
  CHECK(event.value == "v");
  CHECK(event.revision == writer.revision());
}

TEST_CASE("an external set whose key was written again before it was read holds no value",
          "[feed]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store reader(path);
  kvstore::Store writer(path);
  auto watcher = reader.watch("g");
  // One commit: the reader reads the log after all four changes.
  writer.transaction([](kvstore::Transaction& tx) {
    tx.set("g", "k", "first");
    tx.set("g", "k", "second");
    tx.set("g", "gone", "x");
    tx.erase("g", "gone");
    tx.set("g", "empty", "");
  });
  std::vector<Event> events;
  for (int i = 0; i < 5; ++i) events.push_back(next_event(watcher));
  for (const Event& event : events) CHECK(event.external);
  CHECK(events[0].value == std::nullopt);  // never "second", which would pass for this write's
  CHECK(events[1].value == "second");
  CHECK(events[2].value == std::nullopt);  // never an empty value: the key is gone
  CHECK(events[3].value == std::nullopt);
  CHECK(events[4].value == "");  // set to empty: a value

  nlohmann::json json = events[0];
  CHECK(json["value"].is_null());
  json = events[4];
  CHECK(json["value"] == "");
}

TEST_CASE("no change is delivered twice when two Stores on one file both write", "[feed]") {
  Watchdog dog("interleaved writers on one file");
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store a(path, feed_options());
  kvstore::Store b(path, feed_options());
  const auto start = a.revision();
  auto a_watcher = a.watch("*", "*", std::nullopt, 1000);
  auto b_watcher = b.watch("*", "*", std::nullopt, 1000);

  std::set<std::uint64_t> a_written, b_written;
  for (int i = 0; i < 20; ++i) {
    a.set("a", "k" + std::to_string(i), "v");
    a_written.insert(a.revision());
    b.set("b", "k" + std::to_string(i), "v");
    b_written.insert(b.revision());
    if (i % 5 == 0) {
      a.erase("a", "k" + std::to_string(i));
      a_written.insert(a.revision());
    }
  }
  // Markers: once one side has received the other's marker, it has polled after every write
  // above, so anything it would deliver twice is already queued before the marker.
  a.set("marker", "from-a", "x");
  const auto a_marker = a.revision();
  a_written.insert(a_marker);
  b.set("marker", "from-b", "x");
  const auto b_marker = b.revision();
  b_written.insert(b_marker);
  const auto last = b_marker;

  const auto check_side = [&](kvstore::Watcher& watcher, const std::set<std::uint64_t>& own,
                              std::uint64_t other_marker) {
    std::vector<Event> events;
    bool seen_other_marker = false;
    while (!seen_other_marker) {
      const auto event = watcher.next(kWait);
      REQUIRE(event.has_value());
      events.push_back(*event);
      seen_other_marker = event->revision == other_marker;
    }
    // The own marker may come before or after the other side's: drain what is left.
    for (const Event& e : drain(watcher)) events.push_back(e);
    std::multiset<std::uint64_t> revisions;
    std::uint64_t last_own = 0, last_external = 0;
    for (const Event& e : events) {
      INFO(describe(e));
      revisions.insert(e.revision);
      CHECK(e.external == (own.count(e.revision) == 0));
      std::uint64_t& previous = e.external ? last_external : last_own;
      CHECK(e.revision > previous);  // each source in revision order
      previous = e.revision;
    }
    // Every revision exactly once.
    std::multiset<std::uint64_t> expected;
    for (std::uint64_t r = start + 1; r <= last; ++r) expected.insert(r);
    CHECK(revisions == expected);
  };
  check_side(a_watcher, a_written, b_marker);
  check_side(b_watcher, b_written, a_marker);
}

TEST_CASE("a Store opened later does not deliver changes made before it opened", "[feed]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store writer(path, feed_options());
  for (int i = 0; i < 5; ++i) writer.set("g", "old" + std::to_string(i), "x");

  kvstore::Store late(path, feed_options());
  auto watcher = late.watch("*");
  writer.set("g", "new", "x");
  const Event event = next_event(watcher);
  CHECK(event.key == "new");
  CHECK(event.revision == 6);
  CHECK(event.external);
}

TEST_CASE("replay then live has no gap across writes by another Store on the file", "[feed]") {
  Watchdog dog("replay seam with external writes");
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store reader(path, feed_options(5ms));
  kvstore::Store writer(path, feed_options(0ms));
  constexpr std::uint64_t kWrites = 3000;
  auto listener = reader.watch("unrelated");  // the reader builds events from the start

  std::thread thread([&] {
    for (std::uint64_t i = 0; i < kWrites; ++i) writer.set("g", "k" + std::to_string(i), "v");
  });
  JoinGuard join_thread(thread);
  std::vector<std::pair<std::uint64_t, kvstore::Watcher>> watchers;
  for (const std::uint64_t at : {500u, 1500u, 2500u}) {
    std::uint64_t now = 0;
    REQUIRE(kvtest::eventually([&] { return (now = reader.revision()) >= at; }, 30s));
    const std::uint64_t from = now - 300;
    watchers.emplace_back(from, reader.watch("*", "*", from, kWrites + 10));
  }
  thread.join();

  for (auto& [from, watcher] : watchers) {
    INFO("watcher from revision " << from);
    expect_contiguous(watcher, from + 1, kWrites);
    CHECK(drain(watcher).empty());
  }
}

TEST_CASE("a watcher overflowed by external changes resumes without loss", "[feed]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store reader(path, feed_options());
  kvstore::Store writer(path, feed_options(0ms));
  auto watcher = reader.watch("*", "*", std::nullopt, 3);
  for (int i = 0; i < 30; ++i) writer.set("g", "k" + std::to_string(i), std::to_string(i));

  REQUIRE(kvtest::eventually([&] { return watcher.dropped() == 27; }));
  std::vector<Event> received = drain(watcher);
  REQUIRE(received.size() == 3);
  auto resumed = reader.watch("*", "*", received.back().revision, 100);
  while (received.size() < 30) received.push_back(next_event(resumed));
  for (int i = 0; i < 30; ++i) {
    CHECK(received[i].revision == static_cast<std::uint64_t>(i + 1));
    CHECK(received[i].key == "k" + std::to_string(i));
  }
}

TEST_CASE("with external_poll_interval 0 the log is still read directly", "[feed]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store quiet(path, feed_options(0ms));
  kvstore::Store writer(path, feed_options(0ms));
  auto watcher = quiet.watch("*");

  writer.set("g", "k", "v");
  CHECK(quiet.revision() == 1);
  const auto changes = quiet.changes_since(0);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].value == "v");

  // Its own writes are still delivered, once.
  quiet.set("g", "own", "x");
  const Event event = next_event(watcher);
  CHECK(event.key == "own");
  CHECK_FALSE(event.external);
  CHECK(event.revision == 2);
  auto replay = quiet.watch("*", "*", 0);
  expect_contiguous(replay, 1, 2);
}
