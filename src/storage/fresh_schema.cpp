#include "storage/fresh_schema.hpp"

#include <SQLiteCpp/Transaction.h>

#include <string>

namespace kvstore::detail {

bool is_empty_database(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt() == 0 &&
         db.execAndGet("SELECT EXISTS (SELECT 1 FROM sqlite_schema)").getInt() == 0;
}

bool create_fresh_schema(SQLite::Database& db) {
  // The check is made under the write lock only: a database worth creating is new, and a go-store
  // file needs the write lock for its migration anyway.
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  if (!is_empty_database(db)) return false;  // rolled back by the transaction's destructor
  const SchemaScript script = fresh_schema_script();
  db.exec(script.sql);
  db.exec("PRAGMA user_version = " + std::to_string(script.version));
  transaction.commit();
  return true;
}

}  // namespace kvstore::detail
