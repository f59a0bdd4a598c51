#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>

#include "backends.hpp"

TEST_CASE("a memory store round-trips a value") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "k", "v");
  CHECK(store.get("g", "k") == "v");
}
