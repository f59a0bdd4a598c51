// The schema of a new database, made in one step (storage/fresh_schema.*): the script generated
// at build time makes exactly what the migrations make, only an empty database takes it, and a
// store opened on a new file or ":memory:" works; a statement that cannot be prepared at its
// first use (statements are prepared lazily) fails with a typed error.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backends.hpp"
#include "raw_db.hpp"
#include "storage/connection.hpp"
#include "storage/fresh_schema.hpp"
#include "storage/migrations.hpp"
#include "support.hpp"

namespace {

using Rows = std::vector<std::vector<std::string>>;

// What the schema is made of: every object of sqlite_schema, by name, and the columns of every
// table (pragma_table_info: name, type, notnull, default, primary-key position).
constexpr const char* kObjects =
    "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name";
constexpr const char* kColumns =
    "SELECT t.name, c.cid, c.name, c.type, c.\"notnull\", c.dflt_value, c.pk "
    "FROM sqlite_schema AS t, pragma_table_info(t.name) AS c WHERE t.type = 'table' "
    "ORDER BY t.name, c.cid";

Rows rows_of(SQLite::Database& db, const char* sql) {
  Rows rows;
  SQLite::Statement query(db, sql);
  while (query.executeStep()) {
    std::vector<std::string> row;
    for (int c = 0; c < query.getColumnCount(); ++c) {
      const auto column = query.getColumn(c);
      row.push_back(column.isNull() ? "NULL" : column.getString());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

struct Schema {
  Rows objects, columns;
  int version;
  bool operator==(const Schema&) const = default;
};

Schema schema_of(SQLite::Database& db) {
  return {rows_of(db, kObjects), rows_of(db, kColumns), user_version(db)};
}

// A new ":memory:" connection, nothing applied.
struct Empty {
  kvstore::detail::Connection connection{":memory:", kvstore::Options{}};
  SQLite::Database& db() { return connection.database(); }
};

}  // namespace

TEST_CASE("fresh schema: the generated script makes exactly the schema the migrations make",
          "[fresh_schema][migrations]") {
  Empty scripted, migrated;
  REQUIRE(kvstore::detail::create_fresh_schema(scripted.db()));
  kvstore::detail::migrate(migrated.db());

  const auto made = schema_of(scripted.db());
  CHECK(made.objects.size() >= 8);  // kv, changes, the count tables, blobs, ... and indexes
  CHECK(made == schema_of(migrated.db()));
  CHECK(made.version == kvstore::detail::latest_schema_version());
  CHECK(kvstore::detail::fresh_schema_script().version == kvtest::latest_migration());
}

TEST_CASE("fresh schema: the generated image holds exactly the schema the migrations make",
          "[fresh_schema][migrations]") {
  Empty imaged, migrated;
  kvstore::detail::load_fresh_image(imaged.db());
  kvstore::detail::migrate(migrated.db());

  CHECK(schema_of(imaged.db()) == schema_of(migrated.db()));
  CHECK(kvstore::detail::fresh_schema_image().version == kvtest::latest_migration());
  CHECK(imaged.db().execAndGet("SELECT count(*) FROM kv").getInt() == 0);
  CHECK(imaged.connection.file_path().empty());

  // Copied, not deserialized in place: the database is a plain ":memory:" one, not SQLite's
  // in-memory file (which alone answers a size limit, 1 GiB by default, and costs more per write).
  sqlite3_int64 limit = -1;
  CHECK(sqlite3_file_control(imaged.db().getHandle(), "main", SQLITE_FCNTL_SIZE_LIMIT, &limit) ==
        SQLITE_NOTFOUND);
}

TEST_CASE("fresh schema: only an empty database takes it", "[fresh_schema][migrations]") {
  Empty db;
  SECTION("a go-store table, user_version 0") {
    db.db().exec(
        "CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
        "PRIMARY KEY (grp, key))");
  }
  SECTION("a user_version but no table") { db.db().exec("PRAGMA user_version = 3"); }
  SECTION("an unrelated table") { db.db().exec("CREATE TABLE other (x)"); }

  const auto before = schema_of(db.db());
  CHECK_FALSE(kvstore::detail::create_fresh_schema(db.db()));
  CHECK(schema_of(db.db()) == before);
  CHECK(sqlite3_get_autocommit(db.db().getHandle()) != 0);  // its transaction ended
}

TEST_CASE("fresh schema: a new store works on a file and on :memory:",
          "[fresh_schema][migrations]") {
  const auto backend = kvtest::each_backend();
  {
    kvstore::Store store(backend.path());
    store.set("g", "k", "v");
    store.set("app:g", "k", "w");  // namespace counts
    CHECK(store.get("g", "k") == "v");
    CHECK(store.stats().schema_version == kvtest::latest_migration());
    CHECK(store.check().empty());
  }
  if (backend.is_file()) {
    kvstore::Store reopened(backend.path());
    CHECK(reopened.get("app:g", "k") == "w");
    // The file holds the schema the migrations make.
    SQLite::Database file(backend.path());
    Empty migrated;
    kvstore::detail::migrate(migrated.db());
    CHECK(schema_of(file) == schema_of(migrated.db()));
  }
}

TEST_CASE("fresh schema: a file of every older version still migrates, its rows kept",
          "[fresh_schema][migrations]") {
  const int older = GENERATE(range(1, kvstore::detail::latest_schema_version()));
  INFO("schema version " << older);
  kvtest::TempDir dir;
  const auto path = dir.file("old.db");
  {
    // What the kvstore of that version left: its migrations, one row.
    SQLite::Database file(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    file.exec("PRAGMA journal_mode=WAL");
    for (const auto& migration : kvstore::detail::embedded_migrations()) {
      if (migration.version > older) break;
      file.exec(migration.sql.data());
      file.exec("PRAGMA user_version = " + std::to_string(migration.version));
    }
    file.exec("INSERT INTO kv (grp, key, value) VALUES ('g', 'k', 'old')");
  }
  {
    kvstore::Store store(path);
    CHECK(store.get("g", "k") == "old");
    CHECK(store.check().empty());
  }
  SQLite::Database file(path);
  Empty migrated;
  kvstore::detail::migrate(migrated.db());
  CHECK(schema_of(file) == schema_of(migrated.db()));
}

TEST_CASE("fresh schema: a statement that cannot be prepared at its first use fails typed",
          "[fresh_schema][rows]") {
  kvtest::TempDir dir;
  const auto path = dir.file("store.db");
  { kvstore::Store(path).set("g", "k", "v"); }
  {
    // The schema version stays the latest: the open reads only the version and prepares nothing.
    kvtest::RawDb raw(path);
    raw.exec("DROP TABLE ns_group_counts");
  }
  kvstore::Store store(path);
  CHECK(store.get("g", "k") == "v");
  try {
    store.set("app:g", "k", "v");
    FAIL("a write through a missing table succeeded");
  } catch (const kvstore::StorageError& e) {
    CHECK(e.sqlite_code() == SQLITE_ERROR);
    CHECK_THAT(e.what(), Catch::Contains("ns_group_counts"));
  }
  // The failed call left nothing behind; the store goes on working.
  CHECK_FALSE(store.get("app:g", "k").has_value());
  store.set("g", "k2", "w");
  CHECK(store.get("g", "k2") == "w");
}
