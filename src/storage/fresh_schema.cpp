#include "storage/fresh_schema.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <memory>
#include <string>

namespace kvstore::detail {

bool is_empty_database(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt() == 0 &&
         db.execAndGet("SELECT EXISTS (SELECT 1 FROM sqlite_schema)").getInt() == 0;
}

void load_fresh_image(SQLite::Database& db) {
  // The image is deserialized into a scratch connection and copied from there with the backup
  // API: deserialized into `db` itself, the pages would stay in SQLite's in-memory file behind
  // the page cache, copied through it on every commit (a fifth more instructions per write).
  const SchemaImage image = fresh_schema_image();
  sqlite3* opened = nullptr;
  const int open_rc =
      sqlite3_open_v2(":memory:", &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> scratch(opened, sqlite3_close);
  if (open_rc != SQLITE_OK) {
    throw SQLite::Exception("cannot open a scratch database for the new schema", open_rc);
  }
  // READONLY: SQLite reads the image in place and never writes or frees it.
  auto* bytes = const_cast<unsigned char*>(image.data.data());
  const auto size = static_cast<sqlite3_int64>(image.data.size());
  if (const int rc = sqlite3_deserialize(scratch.get(), "main", bytes, size, size,
                                         SQLITE_DESERIALIZE_READONLY);
      rc != SQLITE_OK) {
    throw SQLite::Exception(scratch.get(), rc);
  }
  const std::unique_ptr<sqlite3_backup, decltype(&sqlite3_backup_finish)> copy(
      sqlite3_backup_init(db.getHandle(), "main", scratch.get(), "main"), sqlite3_backup_finish);
  if (!copy) throw SQLite::Exception(db.getHandle(), sqlite3_errcode(db.getHandle()));
  if (const int rc = sqlite3_backup_step(copy.get(), -1); rc != SQLITE_DONE) {
    throw SQLite::Exception(db.getHandle(), rc);
  }
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
