// Older schemas without migrating: a read-only open reads go-store's files (with and without
// expires_at) and every earlier kvstore version as they are, bytes unchanged; a read-write open
// with Options::migrate_older_schema off refuses them; backup_database copies a file.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <kvstore/kvstore.hpp>
#include <string>
#include <vector>

#include "raw_db.hpp"
#include "support.hpp"

using kvtest::read_bytes;
using kvtest::TempDir;

namespace {

namespace fs = std::filesystem;

// `fixture` (go-store's), then the migrations up to `version` as an earlier kvstore applied them.
void build(const std::string& path, const std::string& fixture, int version) {
  kvtest::RawDb raw(path);
  raw.exec(read_bytes(std::string(KVSTORE_TEST_FIXTURES) + "/" + fixture));
  for (int v = 1; v <= version; ++v) {
    if (v == 1) {  // the runner adds expires_at to go-store's pre-TTL table first
      if (raw.rows("SELECT 1 FROM pragma_table_info('kv') WHERE name = 'expires_at'").empty()) {
        raw.exec("ALTER TABLE kv ADD COLUMN expires_at INTEGER");
      }
    }
    raw.exec(kvtest::migration_sql(v));
    raw.exec("PRAGMA user_version = " + std::to_string(v));
  }
}

kvstore::Options read_only() {
  kvstore::Options options;
  options.read_only = true;
  options.purge_interval = std::chrono::milliseconds(0);
  return options;
}

}  // namespace

TEST_CASE("Older schema: a read-only open reads it as it is and changes no byte",
          "[store][migrations][file][older-schema]") {
  TempDir dir;
  const std::string fixture = GENERATE("go_store_pre_ttl.sql", "go_store_ttl.sql");
  const int version = GENERATE(range(0, 6));
  INFO(fixture << " at schema version " << version);
  const auto path = dir.file("old.db");
  build(path, fixture, version);
  const auto before = read_bytes(path);
  {
    kvstore::Store store(path, read_only());
    CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
    const auto meta = store.stat("config", "theme");
    REQUIRE(meta);
    CHECK(meta->revision == 0);
    CHECK_FALSE(meta->expires_at);
    CHECK(store.revision() == 0);
    CHECK(store.changes_since(0).empty());
    const auto stats = store.stats();
    CHECK(stats.schema_version == version);
    CHECK(stats.revision == 0);
    CHECK(store.check().empty());
    CHECK_THROWS_AS(store.set("config", "theme", "light"), kvstore::StorageError);
    if (fixture == "go_store_ttl.sql") {
      CHECK(store.groups("") == std::vector<std::string>{"config", "session"});
      CHECK_FALSE(store.get("session", "gone-1"));  // expired: hidden, not deleted
      CHECK(store.count("session") == 2);
      CHECK(store.stat("session", "live-1")->expires_at.has_value());
    }
  }
  CHECK(read_bytes(path) == before);
  CHECK_FALSE(fs::exists(path + "-wal"));
  CHECK_FALSE(fs::exists(path + "-shm"));
  CHECK_FALSE(fs::exists(path + "-journal"));
}

TEST_CASE("Older schema: a read-only open computes the namespace counts a check compares",
          "[store][migrations][file][older-schema]") {
  TempDir dir;
  const auto path = dir.file("ns.db");
  build(path, "go_store_ttl.sql", 0);
  { kvtest::RawDb(path).exec("INSERT INTO kv (grp, key, value) VALUES ('acme:cfg', 'a', '1')"); }
  kvstore::Store store(path, read_only());
  CHECK(store.check().empty());
  kvstore::ScopedStore acme(store, "acme");
  CHECK(acme.get("cfg", "a") == std::optional<std::string>("1"));
}

TEST_CASE("Older schema: a read-write open with migrate_older_schema off refuses it untouched",
          "[store][migrations][file][older-schema]") {
  TempDir dir;
  const auto path = dir.file("old.db");
  build(path, "go_store_ttl.sql", GENERATE(0, 3));
  const auto before = read_bytes(path);
  kvstore::Options options;
  options.migrate_older_schema = false;
  try {
    kvstore::Store store(path, options);
    FAIL("opened");
  } catch (const kvstore::SchemaError& e) {
    CHECK(kvtest::contains(e.what(), path));
    CHECK(kvtest::contains(e.what(), "migrate_older_schema"));
  }
  CHECK(read_bytes(path) == before);
  CHECK_FALSE(fs::exists(path + "-wal"));

  // A new file is not old: it gets the schema.
  kvstore::Store fresh(dir.file("new.db"), options);
  CHECK(fresh.stats().schema_version == kvstore::latest_schema_version());
}

TEST_CASE("Older schema: the migrations are listed in order up to the latest version",
          "[store][migrations]") {
  const auto migrations = kvstore::schema_migrations();
  REQUIRE(static_cast<int>(migrations.size()) == kvstore::latest_schema_version());
  CHECK(kvstore::latest_schema_version() == kvtest::latest_migration());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    CHECK(migrations[i].version == static_cast<int>(i + 1));
  }
  CHECK(migrations[1].name == "revisions");
}

TEST_CASE("backup_database copies a file whole, never over an existing one",
          "[store][migrations][file][older-schema]") {
  TempDir dir;
  const auto path = dir.file("old.db");
  build(path, "go_store_ttl.sql", 0);
  const auto before = read_bytes(path);
  const auto copy = dir.file("copy.db");
  kvstore::backup_database(path, copy);
  CHECK(read_bytes(path) == before);
  CHECK_FALSE(fs::exists(copy + ".partial"));
  {
    kvstore::Store store(copy, read_only());
    CHECK(store.get("config", "lang") == std::optional<std::string>("en"));
  }
  const auto copied = read_bytes(copy);
  CHECK_THROWS_AS(kvstore::backup_database(path, copy), kvstore::InvalidArgument);
  CHECK(read_bytes(copy) == copied);
  CHECK_THROWS_AS(kvstore::backup_database(dir.file("missing.db"), dir.file("x.db")),
                  kvstore::StorageError);
  CHECK_FALSE(fs::exists(dir.file("x.db")));
  CHECK_FALSE(fs::exists(dir.file("x.db.partial")));
}
