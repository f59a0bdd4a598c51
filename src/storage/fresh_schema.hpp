// The schema of a new database, created in one step instead of by replaying every migration.
//
// The script is generated at build time (cmake/fresh_schema.cmake): a host program applies the
// embedded migrations to an empty in-memory database and writes down what results, the SQL of
// each table and index in creation order and the user_version. tests/storage/test_fresh_schema.cpp
// checks that it produces exactly the schema the migrations produce.
#pragma once

#include <SQLiteCpp/Database.h>

namespace kvstore::detail {

struct SchemaScript {
  int version;      // the user_version the migrations leave
  const char* sql;  // every CREATE statement, ';'-terminated, in creation order
};

// The generated script (defined in <build>/generated/fresh_schema_script.cpp).
SchemaScript fresh_schema_script();

// user_version 0 and nothing in sqlite_schema: a new database, not an old one.
bool is_empty_database(SQLite::Database& db);

// Creates the current schema on `db` in one IMMEDIATE transaction if the database is empty
// (user_version 0 and nothing in sqlite_schema, checked under the write lock: a concurrent opener
// may have created it meanwhile), and returns true. Returns false, having changed nothing, for
// any other database (a go-store file, a partly migrated one): migrate() handles those. Throws
// SQLite::Exception on failure, the database then unchanged.
bool create_fresh_schema(SQLite::Database& db);

}  // namespace kvstore::detail
