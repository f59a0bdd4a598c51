// Failure paths that broke before the fault seam could reach them, each reproduced through the
// seam: a transaction that SQLite rolled back by itself, and an allocation failure while events
// are delivered.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fault_control.hpp"
#include "fault_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;

namespace {

kvstore::Options quiet() {
  auto options = kvtest::no_purge();
  options.external_poll_interval = 0ms;
  return options;
}

}  // namespace

TEST_CASE("regression: after SQLite rolls a transaction back, the rest of fn does not commit",
          "[fault][regression]") {
  const kvfault_test::CleanControl clean;
  kvtest::TempDir dir;
  kvstore::Store store(dir.file("store.db"), quiet());
  store.set("g", "before", "1");
  const auto revision = store.revision();
  std::vector<kvstore::Event> events;
  auto subscription = store.on_change([&](const kvstore::Event& e) { events.push_back(e); });

  bool first_failed = false;
  int later_failures = 0;
  CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction& tx) {
    tx.set("g", "a", "1");
    // More than SQLite's page cache holds: the statement spills pages to the WAL, and the I/O
    // error there makes SQLite roll the whole transaction back.
    kvfault::Control::get().arm({kvfault::vfs_write, 1, SQLITE_IOERR_WRITE, false});
    try {
      tx.set("g", "big", std::string(4 << 20, 'x'));
    } catch (const kvstore::StorageError&) {
      first_failed = true;
    }
    kvfault::Control::get().disarm();
    for (const char* key : {"b", "c"}) {  // the caller goes on as if only one write had failed
      try {
        tx.set("g", key, "2");
      } catch (const kvstore::StorageError& e) {
        CHECK(e.sqlite_code() == SQLITE_ABORT_ROLLBACK);
        ++later_failures;
      }
    }
  }),
                  kvstore::StorageError);
  REQUIRE(first_failed);
  CHECK(later_failures == 2);
  CHECK(store.get_all("g") == std::map<std::string, std::string>{{"before", "1"}});
  CHECK(store.revision() == revision);
  CHECK(events.empty());
  store.set("g", "after", "3");  // the store goes on
  CHECK(store.get("g", "after") == std::optional<std::string>("3"));
  CHECK(store.check().empty());
}

TEST_CASE("regression: running out of memory while events are delivered drops, never aborts",
          "[fault][regression]") {
  const kvfault_test::CleanControl clean;
  kvstore::Store store(":memory:", quiet());
  auto watcher = store.watch("g", "*", std::nullopt, 8);
  std::optional<kvfault::CountAllocationsHere> counting;
  int calls = 0;
  // The first event's callback makes every later allocation on this (the delivering) thread
  // fail: the watcher's copy of the second event cannot be made.
  auto subscription = store.on_change([&](const kvstore::Event&) {
    ++calls;
    if (counting) return;
    counting.emplace();
    kvfault::Control::get().arm({kvfault::cxx_new, 1, SQLITE_NOMEM, true});
  });
  const std::string value(100, 'v');  // longer than a std::string holds without allocating
  store.transaction([&](kvstore::Transaction& tx) {
    tx.set("g", "a", value);
    tx.set("g", "b", value);
  });
  kvfault::Control::get().disarm();
  counting.reset();

  CHECK(calls == 2);
  const auto first = watcher.try_next();
  REQUIRE(first);
  CHECK(first->key == "a");
  CHECK_FALSE(watcher.try_next());
  CHECK(watcher.dropped() == 1);  // the watcher learns what it missed
  store.set("g", "c", "3");
  CHECK(watcher.try_next());
}

TEST_CASE("regression: a commit whose sync failed does not come back when the file is reopened",
          "[fault][regression]") {
  const kvfault_test::CleanControl clean;
  kvtest::TempDir dir;
  const auto path = dir.file("store.db");
  auto options = quiet();
  options.durability = kvstore::Durability::full;
  {
    kvstore::Store store(path, options);
    store.set("g", "acknowledged", "1");
    // Every sync fails from here on: the failed commit's frames are in the WAL, and the close
    // cannot checkpoint, so the next open recovers whatever the WAL holds.
    kvfault::Control::get().arm({kvfault::vfs_sync, 1, SQLITE_IOERR_FSYNC, true});
    CHECK_THROWS_AS(store.set("g", "failed", "2"), kvstore::StorageError);
    CHECK_FALSE(store.get("g", "failed"));
  }
  kvfault::Control::get().disarm();
  kvstore::Store store(path, options);
  CHECK_FALSE(store.get("g", "failed"));
  CHECK(store.get("g", "acknowledged") == std::optional<std::string>("1"));
  CHECK(store.revision() == 1);
  CHECK(store.check().empty());
}

TEST_CASE(
    "regression: a power cut never leaves a row whose value file is gone (Durability::normal)",
    "[fault][regression]") {
  const kvfault_test::CleanControl clean;
  kvfault::Control::get().set_real_sync(false);  // the journals simulate durability
  for (std::uint64_t seed = 0; seed < 32; ++seed) {
    INFO("seed " << seed);
    kvtest::TempDir dir;
    const auto path = dir.file("store.db");
    {
      kvstore::Store store(path, quiet());
      auto writer = store.begin_set("g", "value");
      writer.write(std::string(100 * 1024, 'v'));
      writer.commit();
      store.checkpoint();  // the value and its row are durable
      store.erase("g", "value");
      // The power goes before anything more reaches the disk (the close's checkpoint).
      kvfault::Control::get().arm_cut(kvfault::kIoCalls, 1);
    }
    // The erase's commit was unsynced; its file's unlink happened after it. The cut may lose any
    // unsynced write and keep any other, each on its own.
    kvfault::Control::get().restore_power(kvfault::LossMode::tear, seed);
    kvstore::Store store(path, quiet());
    const auto value = store.get("g", "value");  // the row with its whole value, or no row
    CHECK((!value || *value == std::string(100 * 1024, 'v')));
    CHECK(store.check().empty());
  }
}
