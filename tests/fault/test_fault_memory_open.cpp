// Opening a ":memory:" store (its schema copied from the build-time image, storage/fresh_schema.*)
// under allocation failures: the nth allocation of the open fails, SQLite's and then C++'s, for
// every n. Each failed open throws a kvstore::Error; the first open that sees no failure works.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>

#include "fault_control.hpp"
#include "fault_support.hpp"

TEST_CASE("opening a :memory: store fails typed at every allocation that fails",
          "[fault][open][memory]") {
  const kvfault_test::CleanControl clean;
  auto& control = kvfault::Control::get();
  const auto allocator = GENERATE(kvfault::sqlite_malloc, kvfault::cxx_new);
  INFO((allocator == kvfault::sqlite_malloc ? "SQLite's allocator" : "C++ operator new"));

  std::uint64_t failed_opens = 0;
  for (std::uint64_t nth = 1;; ++nth) {
    INFO("failing allocation " << nth);
    std::optional<kvstore::Store> store;
    bool failed = false;
    {
      const kvfault::CountAllocationsHere counted;
      control.arm(kvfault::Fault{allocator, nth, SQLITE_NOMEM, false});
      try {
        store.emplace(":memory:");
        store->set("g", "k", "v");
      } catch (const kvstore::Error&) {
        failed = true;
      }
    }
    const bool fired = control.fired();
    control.disarm();
    if (!fired) {
      REQUIRE_FALSE(failed);
      break;
    }
    // Some allocations are optional (SQLite's lookaside, a cache): their failure costs nothing.
    if (failed) ++failed_opens;
    if (store) {
      // The open succeeded: a failed set left nothing, and the store goes on working.
      if (failed) CHECK_FALSE(store->get("g", "k"));
      store->set("g", "after", "w");
      CHECK(store->get("g", "after") == "w");
    }
  }
  CHECK(failed_opens > 0);
}
