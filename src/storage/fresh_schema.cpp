#include "storage/fresh_schema.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <cstring>
#include <limits>
#include <string>

namespace kvstore::detail {
namespace {

bool is_empty(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt() == 0 &&
         db.execAndGet("SELECT EXISTS (SELECT 1 FROM sqlite_schema)").getInt() == 0;
}

}  // namespace

void load_fresh_image(SQLite::Database& db) {
  const SchemaImage image = fresh_schema_image();
  const auto size = static_cast<sqlite3_int64>(image.data.size());
  // SQLite owns the copy from here on, even when sqlite3_deserialize fails (FREEONCLOSE).
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.data.size()));
  if (!copy) throw SQLite::Exception("cannot load the schema of a new database", SQLITE_NOMEM);
  std::memcpy(copy, image.data.data(), image.data.size());
  const int rc =
      sqlite3_deserialize(db.getHandle(), "main", copy, size, size,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  if (rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), rc);
  // The image's own limit is SQLITE_MEMDB_DEFAULT_MAXSIZE (1 GiB); a ":memory:" database has none.
  sqlite3_int64 unlimited = std::numeric_limits<sqlite3_int64>::max() / 2;
  const int limit_rc =
      sqlite3_file_control(db.getHandle(), "main", SQLITE_FCNTL_SIZE_LIMIT, &unlimited);
  if (limit_rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), limit_rc);
}

bool create_fresh_schema(SQLite::Database& db) {
  // The check is made under the write lock only: a database worth creating is new, and a go-store
  // file needs the write lock for its migration anyway.
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  if (!is_empty(db)) return false;  // rolled back by the transaction's destructor
  const SchemaScript script = fresh_schema_script();
  db.exec(script.sql);
  db.exec("PRAGMA user_version = " + std::to_string(script.version));
  transaction.commit();
  return true;
}

}  // namespace kvstore::detail
