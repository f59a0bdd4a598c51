#include "storage/migrations.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <set>
#include <string>

#include "kvstore/errors.hpp"
#include "storage/fresh_schema.hpp"
#include "storage/older_schema.hpp"

namespace kvstore::detail {
namespace {

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

std::set<std::string> kv_columns(SQLite::Database& db) {
  std::set<std::string> columns;
  SQLite::Statement info(db, "SELECT name FROM pragma_table_info('kv')");
  while (info.executeStep()) columns.insert(info.getColumn(0).getString());
  return columns;
}

// go-store creates kv without PRAGMA user_version; its first release had no expires_at column.
void adopt_go_store_table(SQLite::Database& db) {
  const auto columns = kv_columns(db);
  if (columns.empty()) return;  // no kv table: migration 0001 creates it
  for (const char* required : {"grp", "key", "value"}) {
    if (!columns.count(required)) {
      throw SchemaError("kvstore: open: table kv exists but has no column '" +
                        std::string(required) + "'; not a kvstore or go-store database");
    }
  }
  if (!columns.count("expires_at")) db.exec("ALTER TABLE kv ADD COLUMN expires_at INTEGER");
}

[[noreturn]] void refuse_newer(int found) {
  throw SchemaError("kvstore: open: database schema version " + std::to_string(found) +
                    " is newer than this kvstore supports (" +
                    std::to_string(latest_schema_version()) + "); refusing to touch it");
}

}  // namespace

int latest_schema_version() { return embedded_migrations().back().version; }

void refuse_newer_schema(SQLite::Database& db) {
  if (user_version(db) > latest_schema_version()) refuse_newer(user_version(db));
}

void migrate(SQLite::Database& db) {
  const int latest = latest_schema_version();
  refuse_newer_schema(db);
  for (const Migration& migration : embedded_migrations()) {
    if (user_version(db) >= migration.version) continue;
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Re-read under the write lock: another connection may have migrated meanwhile.
    const int current = user_version(db);
    if (current > latest) refuse_newer(current);
    if (current >= migration.version) continue;
    if (migration.version == 1) adopt_go_store_table(db);
    db.exec(std::string(migration.sql));
    db.exec("PRAGMA user_version = " + std::to_string(migration.version));
    transaction.commit();
  }
}

void bring_schema_up_to_date(Connection& connection, bool migrate_older) {
  SQLite::Database& db = connection.database();
  if (connection.is_memory()) {  // always new and empty
    load_fresh_image(db);
    return;
  }
  // One read of the version decides: an up-to-date file needs nothing more than WAL mode, and a
  // new database gets the whole schema at once.
  const int found = user_version(db);
  if (found > latest_schema_version()) refuse_newer(found);
  if (connection.read_only()) {
    if (found < latest_schema_version()) map_older_schema(db);
    return;
  }
  // An empty database (version 0, no table) is new, not old: it gets the schema either way.
  if (found < latest_schema_version() && !migrate_older && !is_empty_database(db)) {
    throw SchemaError("kvstore: open: " + connection.file_path() + ": database schema version " +
                      std::to_string(found) + " is older than this kvstore's " +
                      std::to_string(latest_schema_version()) +
                      " and Options::migrate_older_schema is off; it was not changed");
  }
  connection.use_write_ahead_log();
  if (found == latest_schema_version()) return;
  if (found == 0 && create_fresh_schema(db)) return;
  migrate(db);
}

}  // namespace kvstore::detail
