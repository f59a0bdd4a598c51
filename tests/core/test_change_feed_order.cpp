// Commit order across connections: a Store that both writes and receives other connections'
// commits delivers them all in revision order, the others' earlier commits ahead of its own; a
// watcher resumed "from the last revision received" after drops loses nothing; and a change log
// trimmed past what a Store had read reaches every subscriber as a gap event.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "event_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::feed_options;
using kvtest::polling_only;
using kvtest::TempDir;

namespace {

// The revisions one Store delivered to a callback, in delivery order.
struct Delivered {
  std::mutex mutex;
  std::vector<std::uint64_t> revisions;
  std::vector<bool> external;
  kvstore::Subscription subscription;

  explicit Delivered(kvstore::Store& store)
      : subscription(store.on_change([this](const kvstore::Event& event) {
          std::lock_guard lock(mutex);
          revisions.push_back(event.revision);
          external.push_back(event.external);
        })) {}

  std::vector<std::uint64_t> snapshot() {
    std::lock_guard lock(mutex);
    return revisions;
  }
};

// Two Stores on one file, each polling for the other's commits every 2ms, under a watchdog: a lost
// wake-up or a deadlock between them fails the run instead of hanging it.
struct TwoWriters {
  kvtest::Watchdog dog;
  TempDir dir;
  kvstore::Store mine{dir.file("feed.db"), feed_options(2ms)};
  kvstore::Store other{dir.file("feed.db"), feed_options(2ms)};

  explicit TwoWriters(std::string what) : dog(std::move(what)) {}

  // Writes `writes` keys through each Store at once: "mine" on this thread, "theirs" on another.
  void write_both(int writes) {
    std::thread theirs([&] {
      for (int i = 0; i < writes; ++i) other.set("theirs", std::to_string(i), "v");
    });
    for (int i = 0; i < writes; ++i) mine.set("mine", std::to_string(i), "v");
    theirs.join();
  }
};

bool strictly_increasing(const std::vector<std::uint64_t>& revisions) {
  for (std::size_t i = 1; i < revisions.size(); ++i) {
    if (revisions[i] <= revisions[i - 1]) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("change feed order: a write delivers other connections' earlier commits before its own",
          "[feed][order]") {
  TempDir dir;
  const auto path = dir.file("order.db");
  kvstore::Store mine(path, polling_only(1h));  // no poll comes in time: only the write catches up
  kvstore::Store other(path, feed_options(0ms));
  Delivered delivered(mine);
  for (int i = 0; i < 5; ++i) other.set("g", "k" + std::to_string(i), "v");
  mine.set("g", "mine", "v");
  CHECK(delivered.snapshot() == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});
  CHECK(delivered.external == std::vector<bool>{true, true, true, true, true, false});
}

TEST_CASE("change feed order: writers on two connections, every delivery in revision order",
          "[feed][order]") {
  TwoWriters both("two connections writing");
  Delivered delivered(both.mine);
  constexpr int kWrites = 400;
  both.write_both(kWrites);
  REQUIRE(kvtest::eventually([&] { return delivered.snapshot().size() == 2 * kWrites; }));
  const auto revisions = delivered.snapshot();
  CHECK(strictly_increasing(revisions));
  CHECK(revisions.back() == 2 * kWrites);
}

TEST_CASE("change feed order: resuming a watcher from the last revision received loses nothing",
          "[feed][order]") {
  TwoWriters both("resuming watchers");
  auto& mine = both.mine;
  constexpr int kWrites = 300;
  std::atomic<bool> done{false};
  std::thread writers([&] {
    both.write_both(kWrites);
    done = true;
  });
  // A small queue read slowly drops events; the recipe of events.hpp resumes after each drop.
  std::set<std::uint64_t> received;
  std::uint64_t last = 0;
  auto watcher = mine.watch("*", "*", last, 4);
  while (!done || received.size() < 2 * kWrites) {
    if (watcher.dropped() > 0) {
      watcher = mine.watch("*", "*", last, 4);
      continue;
    }
    if (const auto event = watcher.next(20ms)) {
      received.insert(event->revision);
      last = event->revision;
    } else if (done && mine.revision() == last) {
      break;
    }
  }
  writers.join();
  CHECK(received.size() == 2 * kWrites);
  CHECK(*received.rbegin() == 2 * kWrites);
}

TEST_CASE("change feed: changes trimmed before a Store read them reach its subscribers as a gap",
          "[feed][order]") {
  TempDir dir;
  const auto path = dir.file("gap.db");
  auto options = polling_only(1h);  // no poll comes before the write that catches up
  std::vector<std::string> reports;
  options.on_error = [&](const std::string& message) { reports.push_back(message); };
  kvstore::Store mine(path, options);
  auto watcher = mine.watch("config", "theme");  // watches something the lost changes never touch
  Delivered delivered(mine);
  auto trimming = feed_options(0ms);
  trimming.change_log_retention = 2;
  kvstore::Store other(path, trimming);
  for (int i = 0; i < 10; ++i) other.set("g", std::to_string(i), "v");
  other.purge_expired();                // trims the log to its newest 2 entries
  mine.set("config", "theme", "dark");  // catches up: revisions 1-8 are gone

  const auto gap = watcher.try_next();
  REQUIRE(gap);
  CHECK(gap->type == kvstore::EventType::gap);
  CHECK(gap->revision == 9);
  CHECK(gap->group.empty());
  const auto own = watcher.try_next();
  REQUIRE(own);
  CHECK(own->key == "theme");
  CHECK(delivered.snapshot() == std::vector<std::uint64_t>{9, 9, 10, 11});  // gap, 9, 10, own
  CHECK(reports.size() == 1);
}
