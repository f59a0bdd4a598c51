// Store's maintenance methods on both backends: stats() describes the database, check() finds
// nothing wrong in a store kvstore wrote, checkpoint() and vacuum() succeed where there is
// nothing for them to do (":memory:" has no write-ahead log) as where there is.
#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>

#include "backends.hpp"

TEST_CASE("stats describe the database and its live keys", "[maintenance]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("a", "1", "x");
  store.set("a", "2", "x");
  store.set_with_ttl("b", "1", "x", std::chrono::hours(1));

  const auto stats = store.stats();
  CHECK(stats.keys == 3);
  CHECK(stats.groups == 2);
  CHECK(stats.expiring_keys == 1);
  CHECK(stats.revision == 3);
  CHECK(stats.change_log_entries == 3);
  CHECK(stats.page_size > 0);
  CHECK(stats.page_count > 0);
  if (backend.is_file()) {
    CHECK(stats.journal_mode == "wal");
    CHECK(stats.file_bytes > 0);
    CHECK(stats.wal_bytes > 0);
  } else {
    CHECK(stats.journal_mode == "memory");
    CHECK(stats.file_bytes == 0);
    CHECK(stats.wal_bytes == 0);
  }
}

TEST_CASE("checkpoint, vacuum and check succeed on both backends", "[maintenance]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("ns:a", "k", "v");
  store.set("plain", "k", "v");
  store.checkpoint();
  CHECK(store.stats().wal_bytes == 0);  // truncated, or never there
  store.vacuum();
  CHECK(store.check().empty());
  CHECK(store.get("ns:a", "k") == "v");
}

TEST_CASE("vacuum is refused inside a transaction and leaves it whole", "[maintenance]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.transaction([&](kvstore::Transaction& tx) {
    tx.set("a", "k", "v");
    CHECK_THROWS_AS(store.vacuum(), kvstore::StorageError);
  });
  CHECK(store.get("a", "k") == "v");
}
