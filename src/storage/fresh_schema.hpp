// The schema of a new database, created in one step instead of by replaying every migration.
//
// The script is generated at build time (cmake/fresh_schema.cmake): a host program applies the
// embedded migrations to an empty in-memory database and writes down what results, the SQL of
// each table and index in creation order and the user_version, and the database itself as an
// image. tests/storage/test_fresh_schema.cpp checks that both produce exactly the schema the
// migrations produce.
#pragma once

#include <SQLiteCpp/Database.h>

#include <span>

namespace kvstore::detail {

struct SchemaScript {
  int version;      // the user_version the migrations leave
  const char* sql;  // every CREATE statement, ';'-terminated, in creation order
};

// The generated script (defined in <build>/generated/fresh_schema_script.cpp).
SchemaScript fresh_schema_script();

struct SchemaImage {
  int version;                          // the user_version the migrations leave
  std::span<const unsigned char> data;  // the new database, as sqlite3_serialize() wrote it
};

// The generated image (defined in <build>/generated/fresh_schema_script.cpp).
SchemaImage fresh_schema_image();

// Fills `db`, a new ":memory:" connection, with the image (copied with SQLite's backup API):
// a copy of a few pages, where running the script compiles every CREATE statement. The database
// stays a plain ":memory:" one (pages in SQLite's page cache, no size limit of its own). Throws
// SQLite::Exception (SQLITE_NOMEM and the like) on failure; `db` is then of no use.
void load_fresh_image(SQLite::Database& db);

// user_version 0 and nothing in sqlite_schema: a new database, not an old one.
bool is_empty_database(SQLite::Database& db);

// Creates the current schema on `db` in one IMMEDIATE transaction if the database is empty
// (user_version 0 and nothing in sqlite_schema, checked under the write lock: a concurrent opener
// may have created it meanwhile), and returns true. Returns false, having changed nothing, for
// any other database (a go-store file, a partly migrated one): migrate() handles those. Throws
// SQLite::Exception on failure, the database then unchanged.
bool create_fresh_schema(SQLite::Database& db);

}  // namespace kvstore::detail
