// The change log at the limits of its settings: a change_log_retention too large for SQLite's
// integers keeps everything.
#include <catch2/catch.hpp>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <limits>
#include <string>

#include "event_support.hpp"
#include "support.hpp"

using kvtest::TempDir;

TEST_CASE("a change_log_retention of 2^63 or more keeps the whole change log", "[feed][limits]") {
  TempDir dir;
  const bool memory = GENERATE(true, false);
  const std::size_t retention =
      GENERATE(std::numeric_limits<std::size_t>::max(), std::size_t{1} << 63);
  INFO((memory ? ":memory:" : "file") << ", retention " << retention);
  auto options = kvtest::no_purge();
  options.change_log_retention = retention;
  kvstore::Store store(memory ? ":memory:" : dir.file("db.sqlite"), options);
  for (int i = 0; i < 4; ++i) store.set("g", "k" + std::to_string(i), std::to_string(i));

  store.purge_expired();

  CHECK(store.revision() == 4);
  const auto changes = store.changes_since(0);
  REQUIRE(changes.size() == 4);
  CHECK(changes.front().revision == 1);
  CHECK(changes.back().revision == 4);
  store.set("g", "after", "x");
  CHECK(store.revision() == 5);
}
