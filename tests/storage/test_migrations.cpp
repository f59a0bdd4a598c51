// Store: schema and migrations — a new file, an empty file, go-store's pre-TTL and TTL databases
// (from SQL fixtures), refusal of a newer schema, and the indexes the prefix and purge queries use.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "raw_db.hpp"
#include "storage/store_file_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

namespace {

using kvtest::read_bytes;

using kvtest::RawDb;

// The SQL of every schema object, in name order: what a needless migration would change.
constexpr const char* kSchemaSql = "SELECT sql FROM sqlite_master ORDER BY name";

// Builds a database file at `path` from a .sql fixture.
void build_fixture(const std::string& path, const std::string& fixture) {
  RawDb raw(path);
  raw.exec(read_bytes(std::string(KVSTORE_TEST_FIXTURES) + "/" + fixture));
}

std::vector<std::string> kv_columns(RawDb& raw) {
  std::vector<std::string> names;
  for (const auto& row : raw.rows("SELECT name FROM pragma_table_info('kv') ORDER BY cid")) {
    names.push_back(row[0]);
  }
  return names;
}

// Builds go-store's database `fixture` at `path` and requires it unmigrated, as go-store left it:
// user_version 0, the kv table's `columns` and `rows` rows.
void build_go_store_fixture(const std::string& path, const std::string& fixture,
                            const std::vector<std::string>& columns, int rows) {
  build_fixture(path, fixture);
  RawDb raw(path);
  REQUIRE(raw.integer("PRAGMA user_version") == 0);
  REQUIRE(kv_columns(raw) == columns);
  REQUIRE(raw.integer("SELECT count(*) FROM kv") == rows);
}

// Checks the schema a migrated database must have.
void check_latest_schema(RawDb& raw) {
  CHECK(raw.integer("PRAGMA user_version") == kvtest::latest_migration());
  const auto columns = kv_columns(raw);
  REQUIRE(columns.size() >= 4);
  // go-store's table first, exactly.
  CHECK(std::vector<std::string>(columns.begin(), columns.begin() + 4) ==
        std::vector<std::string>{"grp", "key", "value", "expires_at"});
  const std::set<std::string> all(columns.begin(), columns.end());
  CHECK(all.count("modified_at") == 1);
  CHECK(all.count("revision") == 1);
  CHECK(raw.rows("SELECT name, pk, \"notnull\", type FROM pragma_table_info('kv') WHERE pk > 0 "
                 "ORDER BY pk") == std::vector<std::vector<std::string>>{
                                       {"grp", "1", "1", "TEXT"}, {"key", "2", "1", "TEXT"}});
  CHECK(raw.text("SELECT type FROM pragma_table_info('kv') WHERE name = 'expires_at'") ==
        "INTEGER");
  CHECK(raw.text("SELECT \"notnull\" FROM pragma_table_info('kv') WHERE name = 'value'") == "1");
  CHECK(raw.integer(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'changes'") == 1);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = "
                    "'kv_expiry' AND tbl_name = 'kv'") == 1);
}

}  // namespace

TEST_CASE("Store migrations: a new file gets the latest schema", "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("new.db");
  REQUIRE_FALSE(std::filesystem::exists(path));
  {
    kvstore::Store store(path);
    CHECK(store.revision() == 0);
    CHECK(store.count_all() == 0);
  }
  REQUIRE(std::filesystem::exists(path));
  RawDb raw(path);
  check_latest_schema(raw);
}

TEST_CASE("Store migrations: an empty file is migrated to the latest schema",
          "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("empty.db");
  { std::ofstream touch(path); }
  REQUIRE(std::filesystem::file_size(path) == 0);
  {
    kvstore::Store store(path);
    store.set("g", "k", "v");
    CHECK(store.get("g", "k") == std::optional<std::string>("v"));
  }
  RawDb raw(path);
  check_latest_schema(raw);
  CHECK(raw.rows("SELECT grp, key, value FROM kv") ==
        std::vector<std::vector<std::string>>{{"g", "k", "v"}});
}

TEST_CASE("Store migrations: reopening a migrated file changes neither schema nor data",
          "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("reopen.db");
  kvtest::write_one_key_file(path);
  const auto schema_before = RawDb(path).column(kSchemaSql);
  for (int i = 0; i < 3; ++i) {
    kvstore::Store store(path);
    CHECK(store.get("g", "k") == std::optional<std::string>("v"));
  }
  RawDb raw(path);
  CHECK(raw.column(kSchemaSql) == schema_before);
  check_latest_schema(raw);
}

TEST_CASE("Store migrations: go-store's pre-TTL database opens with every row kept",
          "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("go-store-v1.db");
  build_go_store_fixture(path, "go_store_pre_ttl.sql", {"grp", "key", "value"}, 6);
  {
    kvstore::Store store(path);
    CHECK(store.count_all() == 6);
    CHECK(store.groups() == std::vector<std::string>{"config", "i18n", "users"});
    CHECK(store.get_all("config") ==
          std::map<std::string, std::string>{{"empty", ""}, {"lang", "en"}, {"theme", "dark"}});
    CHECK(store.get_json("users", "alice") ==
          std::optional<nlohmann::json>(nlohmann::json{{"id", 1}, {"name", "Alice"}}));
    CHECK(store.get("users", "bob") == std::optional<std::string>("O'Brien; DROP TABLE kv; --"));
    CHECK(store.get("i18n", "日本語") == std::optional<std::string>("مرحبا"));
    CHECK(store.purge_expired() == 0);  // the adopted rows have no TTL

    // The migrated store is fully usable, TTLs included.
    const auto rev = store.revision();
    store.set("config", "theme", "light");
    CHECK(store.revision() > rev);
    store.set_with_ttl("session", "token", "t", 1h);
    CHECK(store.get("session", "token") == std::optional<std::string>("t"));
    CHECK(store.erase("config", "lang"));
  }
  kvstore::Store store(path);
  CHECK(store.get("config", "theme") == std::optional<std::string>("light"));
  CHECK(store.count_all() == 6);
  RawDb raw(path);
  check_latest_schema(raw);
}

TEST_CASE("Store migrations: go-store's TTL database opens with every row kept and TTLs honoured",
          "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("go-store-v2.db");
  build_go_store_fixture(path, "go_store_ttl.sql", {"grp", "key", "value", "expires_at"}, 7);
  {
    kvstore::Options options;
    options.purge_interval = 0ms;
    kvstore::Store store(path, options);
    {
      // Migration kept every row, expired ones included, with their expiry times.
      RawDb raw(path);
      CHECK(raw.integer("SELECT count(*) FROM kv") == 7);
      CHECK(raw.rows("SELECT key, expires_at FROM kv WHERE grp = 'session' ORDER BY key") ==
            std::vector<std::vector<std::string>>{{"gone-1", "1000"},
                                                  {"gone-2", "1700000000000"},
                                                  {"live-1", "4102444800000"},
                                                  {"live-2", "4102444800000"}});
      check_latest_schema(raw);
    }
    // Expired rows are invisible; live ones, with or without TTL, are there.
    CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
    CHECK(store.get("session", "live-1") == std::optional<std::string>("token-a"));
    CHECK(store.get_all("session") ==
          std::map<std::string, std::string>{{"live-1", "token-a"}, {"live-2", "token-b"}});
    CHECK(store.count("session") == 2);
    CHECK(store.count_all() == 4);
    CHECK(store.groups() == std::vector<std::string>{"config", "session"});
    CHECK(store.render("session", kvstore::Template{"{{live-1}}{{gone-1}}"}) == "token-a");
    CHECK_FALSE(store.get("session", "gone-1").has_value());
    // gone-1 was deleted by get; gone-2 and gone-3 by the purge.
    CHECK(store.purge_expired() == 2);
    CHECK(store.purge_expired() == 0);
  }
  RawDb raw(path);
  CHECK(raw.integer("SELECT count(*) FROM kv") == 4);
}

TEST_CASE("Store migrations: a database from a newer kvstore is refused and left untouched",
          "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("newer.db");
  {
    RawDb raw(path);
    raw.exec(
        "CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
        "expires_at INTEGER, PRIMARY KEY (grp, key));"
        "INSERT INTO kv VALUES ('g', 'k', 'v', NULL);"
        "CREATE TABLE future_stuff (x);"
        "PRAGMA user_version = 999;");
  }
  const auto before = read_bytes(path);
  REQUIRE_FALSE(before.empty());

  SECTION("read-write") {
    try {
      kvstore::Store store(path);
      FAIL("opened a database of schema version 999");
    } catch (const kvstore::SchemaError& e) {
      const std::string what = e.what();
      CHECK(what.rfind("kvstore: ", 0) == 0);
      CHECK(what.find("999") != std::string::npos);
    }
  }
  SECTION("read-only") {
    kvstore::Options options;
    options.read_only = true;
    CHECK_THROWS_AS(kvstore::Store(path, options), kvstore::SchemaError);
  }
  SECTION("twice") {
    CHECK_THROWS_AS(kvstore::Store(path), kvstore::SchemaError);
    CHECK_THROWS_AS(kvstore::Store(path), kvstore::SchemaError);
  }
  CHECK(read_bytes(path) == before);
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.integer("PRAGMA user_version") == 999);
  CHECK(raw.text("PRAGMA journal_mode") == "delete");
}

TEST_CASE("Store migrations: a kv table of an unknown shape is refused with SchemaError",
          "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("alien.db");
  {
    RawDb raw(path);
    raw.exec(
        "CREATE TABLE kv (id INTEGER PRIMARY KEY, payload BLOB);"
        "INSERT INTO kv (payload) VALUES ('data');");
  }
  CHECK_THROWS_AS(kvstore::Store(path), kvstore::SchemaError);
  RawDb raw(path);
  CHECK(kv_columns(raw) == std::vector<std::string>{"id", "payload"});
  CHECK(raw.rows("SELECT payload FROM kv") == std::vector<std::vector<std::string>>{{"data"}});
  CHECK(raw.integer("PRAGMA user_version") == 0);
}

TEST_CASE("Store migrations: a read-only open of a go-store database changes nothing",
          "[store][migrations][file]") {
  TempDir dir;
  const auto path = dir.file("go-store-ro.db");
  build_fixture(path, "go_store_pre_ttl.sql");
  const auto before = read_bytes(path);
  kvstore::Options options;
  options.read_only = true;
  {
    // It reads the rows as they are (tests/storage/test_older_schema.cpp has the rest).
    kvstore::Store store(path, options);
    CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
  }
  CHECK(read_bytes(path) == before);
}

TEST_CASE("Store migrations: a prefix range query uses the primary-key index",
          "[store][migrations][file][plan]") {
  TempDir dir;
  const auto path = dir.file("plan.db");
  {
    kvstore::Store store(path);
    for (int i = 0; i < 50; ++i) store.set("g" + std::to_string(i), "k", "v");
  }
  RawDb raw(path);
  const auto pk_index = raw.text("SELECT name FROM pragma_index_list('kv') WHERE origin = 'pk'");
  REQUIRE_FALSE(pk_index.empty());
  for (const std::string sql :
       {"SELECT count(*) FROM kv WHERE grp >= ? AND grp < ?",
        "SELECT count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 "
        "AND (expires_at IS NULL OR expires_at > ?3)",
        "SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2 ORDER BY grp"}) {
    const auto plan = raw.plan(sql);
    INFO("query: " << sql << "\nplan:\n" << plan);
    CHECK(plan.find("SEARCH") != std::string::npos);
    CHECK(plan.find(pk_index) != std::string::npos);
    CHECK(plan.find("grp>? AND grp<?") != std::string::npos);
    CHECK(plan.find("SCAN kv") == std::string::npos);
  }
}

TEST_CASE("Store migrations: deleting expired rows can use the kv_expiry index",
          "[store][migrations][file][plan]") {
  TempDir dir;
  const auto path = dir.file("plan-expiry.db");
  {
    kvstore::Store store(path);
    for (int i = 0; i < 50; ++i) store.set("g", "k" + std::to_string(i), "v");
    store.set_with_ttl("g", "ttl", "v", 1h);
  }
  RawDb raw(path);
  for (const std::string sql : {"DELETE FROM kv WHERE expires_at <= ?",
                                "SELECT rowid FROM kv WHERE expires_at <= ?1 LIMIT ?2"}) {
    const auto plan = raw.plan(sql);
    INFO("query: " << sql << "\nplan:\n" << plan);
    CHECK(plan.find("kv_expiry") != std::string::npos);
    CHECK(plan.find("expires_at<?") != std::string::npos);
  }
}
