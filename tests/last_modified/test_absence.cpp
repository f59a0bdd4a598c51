// LastModifiedStore remembers absence: a get() that found no key in the Store answers the next
// get() of it from memory (a hit, no Store read), until a change could have added the key: the
// same events and validation that keep present keys coherent end it.
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <string>

#include "last_modified_support.hpp"

using namespace std::chrono_literals;
using lmtest::config_with;
using lmtest::Running;

namespace {

// get() of a key the Store lacks, twice: the first reads the Store, the second must not.
void miss_twice(kvstore::LastModifiedStore& layer, const std::string& key) {
  const auto before = layer.stats();
  REQUIRE_FALSE(layer.get("g", key));
  REQUIRE_FALSE(layer.get("g", key));
  const auto after = layer.stats();
  CHECK(after.misses == before.misses + 1);
  CHECK(after.hits == before.hits + 1);
}

}  // namespace

TEST_CASE("LastModifiedStore remembers that a key is absent", "[lastmod]") {
  Running f;
  miss_twice(f.layer, "missing");
  CHECK(f.layer.size() == 0);  // an absence is no entry
  CHECK(f.layer.list().empty());
  CHECK_FALSE(f.layer.last_modified("g", "missing"));
}

TEST_CASE("LastModifiedStore: a remembered absence ends with any write of the key", "[lastmod]") {
  Running f;
  miss_twice(f.layer, "k");
  SECTION("a direct Store set") { f.store.set("g", "k", "direct"); }
  SECTION("a Store transaction") {
    f.store.transaction([](kvstore::Transaction& tx) { tx.set("g", "k", "direct"); });
  }
  SECTION("a streamed value") {
    auto writer = f.store.begin_set("g", "k");
    writer.write("direct");
    writer.commit();
  }
  SECTION("the layer's own set") { f.layer.set("g", "k", "direct"); }
  CHECK(f.layer.get("g", "k")->value == "direct");
}

TEST_CASE("LastModifiedStore: a remembered absence ends with another connection's write",
          "[lastmod]") {
  kvtest::TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store other(path, lmtest::quiet_options());
  SECTION("through the change feed") {
    kvstore::Store store(path, lmtest::quiet_options(5ms));
    kvstore::LastModifiedStore layer(store);
    layer.start();
    miss_twice(layer, "k");
    other.set("g", "k", "other");
    CHECK(kvtest::eventually([&] { return layer.get("g", "k").has_value(); }));
  }
  SECTION("change feed off: the validation job") {
    kvstore::Store store(path, lmtest::quiet_options());
    kvstore::LastModifiedStore layer(store, config_with(0, 1, 2ms));
    layer.start();
    miss_twice(layer, "k");
    other.set("g", "k", "other");
    CHECK(kvtest::eventually([&] { return layer.get("g", "k").has_value(); }));
  }
}
