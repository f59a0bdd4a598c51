#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>

TEST_CASE("a memory store round-trips a value") {
  kvstore::Store store(":memory:");
  store.set("g", "k", "v");
  CHECK(store.get("g", "k") == "v");
}
