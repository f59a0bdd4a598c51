// Store: a key's expiry on its own — expire (extend or shorten, keeping the value), persist
// (clear), ttl (read, telling an absent key from one without a TTL) — and keys (a group's names).
// On both backends, through Store, Transaction, ScopedStore and ScopedTransaction, with the
// change feed and a LastModifiedStore in front seeing every change.
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends.hpp"
#include "event_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::no_purge;

namespace {

constexpr auto kShortTtl = 40ms;

using Names = std::vector<std::string>;

// A store on `backend` holding session/token = "abc", without a TTL.
kvstore::Store store_with_session(const kvtest::BackendLocation& backend) {
  kvstore::Store store(backend.path(), no_purge());
  store.set("session", "token", "abc");
  return store;
}

}  // namespace

TEST_CASE("Store expiry: keys lists a group's live keys in byte order", "[store][keys]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  CHECK(store.keys("g").empty());
  store.set("g", "b", "2");
  store.set("g", "a", "1");
  store.set("g", std::string("a\0z", 3), "nul");
  store.set("other", "x", "y");
  store.set_with_ttl("g", "gone", "v", kShortTtl);
  auto writer = store.begin_set("g", "streamed");
  writer.write("chunk");
  writer.commit();
  kvtest::wait_until_expired(kShortTtl);
  CHECK(store.keys("g") == Names{"a", std::string("a\0z", 3), "b", "streamed"});
  CHECK(store.keys("nosuchgroup").empty());
}

TEST_CASE("Store expiry: ttl tells an absent key from a key without a TTL", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  CHECK_FALSE(store.ttl("g", "absent").has_value());

  store.set("g", "forever", "v");
  const auto forever = store.ttl("g", "forever");
  REQUIRE(forever.has_value());
  CHECK_FALSE(forever->remaining.has_value());

  store.set_with_ttl("g", "hour", "v", 1h);
  const auto hour = store.ttl("g", "hour");
  REQUIRE(hour.has_value());
  REQUIRE(hour->remaining.has_value());
  CHECK(*hour->remaining > 0ms);
  CHECK(*hour->remaining <= 1h);

  store.set_with_ttl("g", "short", "v", kShortTtl);
  kvtest::wait_until_expired(kShortTtl);
  CHECK_FALSE(store.ttl("g", "short").has_value());
}

TEST_CASE("Store expiry: expire sets a TTL and keeps the value, its metadata and its tag",
          "[store][ttl][expire]") {
  const auto backend = kvtest::each_backend();
  auto store = store_with_session(backend);
  const auto before = store.stat("session", "token");
  REQUIRE(before.has_value());
  const auto revision = store.revision();

  CHECK(store.expire("session", "token", 1h));
  CHECK(store.get("session", "token") == "abc");
  const auto ttl = store.ttl("session", "token");
  REQUIRE(ttl.has_value());
  REQUIRE(ttl->remaining.has_value());
  CHECK(*ttl->remaining <= 1h);
  CHECK(store.revision() == revision + 1);
  const auto after = store.stat("session", "token");
  REQUIRE(after.has_value());
  CHECK(after->last_modified == before->last_modified);
  CHECK(after->revision == revision + 1);
  REQUIRE(after->expires_at.has_value());

  SECTION("a shorter TTL replaces a longer one, and the key then expires") {
    CHECK(store.expire("session", "token", kShortTtl));
    kvtest::wait_until_expired(kShortTtl);
    CHECK_FALSE(store.get("session", "token").has_value());
    CHECK_FALSE(store.expire("session", "token", 1h));
  }
  SECTION("persist clears it") {
    CHECK(store.persist("session", "token"));
    const auto cleared = store.ttl("session", "token");
    REQUIRE(cleared.has_value());
    CHECK_FALSE(cleared->remaining.has_value());
    CHECK(store.get("session", "token") == "abc");
    CHECK(store.revision() == revision + 2);
  }
}

TEST_CASE("Store expiry: a streamed value keeps its bytes and tag through expire and persist",
          "[store][expire][blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  auto writer = store.begin_set("files", "a", {.tag = "etag-1"});
  writer.write(std::string(100'000, 'x'));
  writer.commit();
  CHECK(store.expire("files", "a", 1h));
  auto meta = store.stat("files", "a");
  REQUIRE(meta.has_value());
  CHECK(meta->tag == "etag-1");
  CHECK(meta->size == 100'000);
  CHECK(meta->expires_at.has_value());
  CHECK(store.persist("files", "a"));
  auto reader = store.open_reader("files", "a");
  REQUIRE(reader.has_value());
  CHECK(reader->read_all() == std::string(100'000, 'x'));
  CHECK_FALSE(reader->metadata().expires_at.has_value());
  CHECK(store.check().empty());
}

TEST_CASE("Store expiry: absent keys, keys without a TTL and bad TTLs change nothing",
          "[store][expire][persist]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("g", "forever", "v");
  auto watcher = store.watch("*");
  const auto revision = store.revision();

  CHECK_FALSE(store.expire("g", "absent", 1h));
  CHECK_FALSE(store.persist("g", "absent"));
  CHECK(store.persist("g", "forever"));  // it exists; it had no TTL to clear
  CHECK_THROWS_AS(store.expire("g", "forever", 0ms), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.expire("g", "forever", -1ms), kvstore::InvalidArgument);

  CHECK(store.revision() == revision);
  CHECK(kvtest::drain(watcher).empty());
  CHECK_FALSE(store.ttl("g", "absent").has_value());
  CHECK_FALSE(store.ttl("g", "forever")->remaining.has_value());

  store.set_with_ttl("g", "gone", "v", kShortTtl);
  kvtest::wait_until_expired(kShortTtl);
  const auto after_gone = store.revision();
  CHECK_FALSE(store.expire("g", "gone", 1h));  // expired: not brought back
  CHECK_FALSE(store.persist("g", "gone"));
  CHECK(store.revision() == after_gone);
  CHECK_FALSE(store.get("g", "gone").has_value());
}

TEST_CASE("Store expiry: expire and persist publish a set event with the value",
          "[store][expire][events]") {
  const auto backend = kvtest::each_backend();
  auto store = store_with_session(backend);
  auto watcher = store.watch("session");
  CHECK(store.expire("session", "token", 1h));
  CHECK(store.persist("session", "token"));
  const auto events = kvtest::drain(watcher);
  REQUIRE(events.size() == 2);
  for (const auto& event : events) {
    CHECK(event.type == kvstore::EventType::set);
    CHECK(event.key == "token");
    CHECK(event.value == "abc");
  }
  CHECK(events[1].revision == store.revision());
  // The change log replays them too.
  const auto replayed = store.changes_since(events[0].revision - 1);
  REQUIRE(replayed.size() == 2);
  CHECK(replayed[0].type == kvstore::EventType::set);
}

TEST_CASE("Store expiry: inside a transaction, expire and persist roll back with it",
          "[store][expire][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("g", "a", "1");
  store.set_with_ttl("g", "b", "2", 1h);
  CHECK_THROWS_AS(store.transaction([](kvstore::Transaction& tx) {
    CHECK(tx.expire("g", "a", 1h));
    CHECK(tx.persist("g", "b"));
    CHECK(tx.ttl("g", "a")->remaining.has_value());
    CHECK_FALSE(tx.ttl("g", "b")->remaining.has_value());
    CHECK(tx.keys("g") == Names{"a", "b"});
    throw std::runtime_error("roll back");
  }),
                  std::runtime_error);
  CHECK_FALSE(store.ttl("g", "a")->remaining.has_value());
  CHECK(store.ttl("g", "b")->remaining.has_value());
}

TEST_CASE("Store expiry: ScopedStore and ScopedTransaction stay in their namespace",
          "[scoped][expire]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  kvstore::ScopedStore acme(store, "acme", {.max_keys = 1});
  store.set("prefs", "lang", "outside");
  acme.set("prefs", "lang", "en");
  CHECK(acme.keys("prefs") == Names{"lang"});
  CHECK(acme.expire("prefs", "lang", 1h));  // at the quota: expire adds no key
  CHECK(acme.ttl("prefs", "lang")->remaining.has_value());
  CHECK_FALSE(store.ttl("prefs", "lang")->remaining.has_value());
  CHECK(store.ttl("acme:prefs", "lang")->remaining.has_value());
  acme.transaction([](kvstore::ScopedTransaction& tx) {
    CHECK(tx.persist("prefs", "lang"));
    CHECK_FALSE(tx.expire("prefs", "absent", 1h));
    CHECK(tx.keys("prefs") == Names{"lang"});
  });
  CHECK_FALSE(acme.ttl("prefs", "lang")->remaining.has_value());
  CHECK_FALSE(acme.ttl("prefs", "absent").has_value());
}

TEST_CASE("Store expiry: a LastModifiedStore in front sees the new expiry",
          "[last_modified][expire]") {
  kvtest::TempDir dir;
  kvstore::Store store(dir.file("db.sqlite"), no_purge());
  kvstore::LastModifiedStore layer(store);
  layer.start();
  layer.set("session", "token", "abc");
  REQUIRE(layer.get("session", "token").has_value());
  CHECK_FALSE(layer.get("session", "token")->expires_at.has_value());
  CHECK(store.expire("session", "token", 1h));
  const auto item = layer.get("session", "token");
  REQUIRE(item.has_value());
  CHECK(item->expires_at.has_value());
  CHECK(item->value == "abc");
  CHECK(store.persist("session", "token"));
  CHECK_FALSE(layer.get("session", "token")->expires_at.has_value());
}

TEST_CASE("Store expiry: a read-only store refuses expire and persist", "[store][expire]") {
  kvtest::TempDir dir;
  const auto path = dir.file("db.sqlite");
  {
    kvstore::Store writer(path, no_purge());
    writer.set_with_ttl("g", "k", "v", 1h);
  }
  kvstore::Options options = no_purge();
  options.read_only = true;
  kvstore::Store reader(path, options);
  CHECK_THROWS_AS(reader.expire("g", "k", 1h), kvstore::StorageError);
  CHECK_THROWS_AS(reader.persist("g", "k"), kvstore::StorageError);
  CHECK(reader.keys("g") == Names{"k"});
  CHECK(reader.ttl("g", "k")->remaining.has_value());
}
