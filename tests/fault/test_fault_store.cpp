// The seam reaches a kvstore::Store with no change to it: the Store's connection goes through the
// kvfault VFS like any other sqlite3_open in the process. Only that is checked here; how kvstore
// behaves under each fault is the failure sweep's business.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>

#include "fault_control.hpp"
#include "fault_support.hpp"
#include "support.hpp"

TEST_CASE("a Store on a file goes through the seam", "[fault][seam][store]") {
  const kvfault_test::CleanControl clean;
  auto& control = kvfault::Control::get();
  const kvtest::TempDir dir;
  auto options = kvtest::no_purge();
  options.external_poll_interval = std::chrono::milliseconds(0);  // no background reads
  kvstore::Store store(dir.file("store.db"), options);
  REQUIRE(control.count(kvfault::vfs_open) > 0);

  store.set("group", "key", "one");
  REQUIRE(control.count(kvfault::vfs_write) > 0);

  control.arm(kvfault::Fault{kvfault::vfs_write, 1, SQLITE_IOERR_WRITE, true});
  REQUIRE_THROWS_AS(store.set("group", "key", "two"), kvstore::Error);
  REQUIRE(control.fired());
  control.disarm();

  REQUIRE(store.get("group", "key") == std::optional<std::string>("one"));
  store.set("group", "key", "three");
  REQUIRE(store.get("group", "key") == std::optional<std::string>("three"));
}
