// The change feed woken by the file's notifications (Options::external_notifications): another
// process's commit reaches a watcher with no poll interval to fall back on, and, with the
// notifications turned off, through polling alone.
//
// The writer is forked before this process opens its Store (no thread of the Store is copied
// into it) and writes once told to: the watcher is registered by then, so its events are due.
// (While the watching Store is open its connection keeps the WAL: the WAL deleted and created
// anew is tested on WalWatch itself, tests/storage/test_wal_watch.cpp.)
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <stdexcept>
#include <string>

#include "event_support.hpp"
#include "process_support.hpp"
#include "quiet_options.hpp"
#include "support.hpp"

using namespace std::chrono_literals;

namespace {

// A guard against a hang, not a measurement: a commit arrives within milliseconds.
constexpr auto kGuard = 30s;

struct Way {
  const char* name;
  kvstore::Options options;
};

Way each_way_of_looking() {
  return GENERATE(
      // No poll would come for as long as the test lives: only a notification delivers.
      Way{"notifications", kvtest::feed_options(std::chrono::milliseconds::max())},
      Way{"polling", kvtest::polling_only(5ms)});
}

}  // namespace

TEST_CASE("change feed: another process's commit reaches a watcher", "[feed][process]") {
  kvtest::Watchdog dog("a commit by another process reaching a watcher", 90s);
  const Way way = each_way_of_looking();
  INFO("looking by " << way.name);
  kvtest::TempDir dir;
  const auto path = dir.file("db.sqlite");
  kvtest::Pipe go;
  kvtest::Child writer([&] {
    go.close_write();
    if (!go.receive()) throw std::runtime_error("no go");
    for (int i = 0; i < 3; ++i) {  // a Store opened and closed for each commit
      kvstore::Store store(path, kvtest::quiet());
      store.set("g", "k" + std::to_string(i), "v");
    }
  });
  go.close_read();

  kvstore::Store store(path, way.options);
  auto watcher = store.watch("g", "*", std::nullopt, 16);
  go.send('w');
  for (int i = 0; i < 3; ++i) {
    const auto event = watcher.next(kGuard);
    REQUIRE(event.has_value());
    CHECK(event->external);
    CHECK(event->key == "k" + std::to_string(i));
  }
  const int status = writer.wait();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
