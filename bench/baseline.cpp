#include "baseline.hpp"

#include <stdexcept>

namespace kvbench::raw {
namespace {

constexpr const char* kMemoryPath = ":memory:";

[[noreturn]] void fail(sqlite3* db, const char* what) {
  throw std::runtime_error(std::string("raw baseline: ") + what + ": " +
                           (db ? sqlite3_errmsg(db) : "out of memory"));
}

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Database::Database(const std::string& path, kvstore::Durability durability) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(db);
  if (rc != SQLITE_OK) fail(db, "open");
  sqlite3_busy_timeout(db, 5000);
  if (path != kMemoryPath) exec("PRAGMA journal_mode=WAL");
  exec(durability == kvstore::Durability::full ? "PRAGMA synchronous=FULL"
                                               : "PRAGMA synchronous=NORMAL");
}

void Database::exec(const char* sql) {
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db_.get(), sql);
}

Statement::Statement(const Database& db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  stmt_.reset(stmt);
  if (rc != SQLITE_OK) fail(db.handle(), sql);
}

Statement::Use& Statement::Use::text(int index, std::string_view bytes) {
  const char* data = bytes.empty() ? "" : bytes.data();
  if (sqlite3_bind_text64(stmt_, index, data, bytes.size(), SQLITE_STATIC, SQLITE_UTF8) !=
      SQLITE_OK) {
    fail(sqlite3_db_handle(stmt_), "bind");
  }
  return *this;
}

Statement::Use& Statement::Use::integer(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}

Statement::Use& Statement::Use::null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}

bool Statement::Use::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(sqlite3_db_handle(stmt_), sqlite3_sql(stmt_));
}

void Statement::Use::run() {
  while (step()) {
  }
}

std::string_view Statement::Use::column_text(int index) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  return data ? std::string_view(data, static_cast<std::size_t>(size)) : std::string_view();
}

namespace {

// The schema must exist before the statements that name it are prepared.
const Database& with_schema(Database& db) {
  db.exec(kKvTable);
  return db;
}

}  // namespace

PlainStore::PlainStore(const std::string& path, kvstore::Durability durability)
    : db_(path, durability),
      upsert_(with_schema(db_),
              "INSERT INTO kv(grp, key, value, expires_at) VALUES (?1, ?2, ?3, ?4) "
              "ON CONFLICT(grp, key) DO UPDATE SET value = excluded.value, "
              "expires_at = excluded.expires_at"),
      select_(db_,
              "SELECT value FROM kv WHERE grp = ?1 AND key = ?2 "
              "AND (expires_at IS NULL OR expires_at > ?3)"),
      delete_(db_, "DELETE FROM kv WHERE grp = ?1 AND key = ?2"),
      count_(db_,
             "SELECT count(*) FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)"),
      select_all_(db_,
                  "SELECT key, value FROM kv WHERE grp = ?1 "
                  "AND (expires_at IS NULL OR expires_at > ?2) ORDER BY key"),
      begin_(db_, "BEGIN"),
      commit_(db_, "COMMIT"),
      rollback_(db_, "ROLLBACK") {}

void PlainStore::set(std::string_view group, std::string_view key, std::string_view value) {
  Statement::Use(upsert_).text(1, group).text(2, key).text(3, value).null(4).run();
}

void PlainStore::set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                              std::chrono::milliseconds ttl) {
  Statement::Use(upsert_)
      .text(1, group)
      .text(2, key)
      .text(3, value)
      .integer(4, now_unix_ms() + ttl.count())
      .run();
}

std::optional<std::string> PlainStore::get(std::string_view group, std::string_view key) {
  Statement::Use use(select_);
  if (!use.text(1, group).text(2, key).integer(3, now_unix_ms()).step()) return std::nullopt;
  return std::string(use.column_text(0));
}

bool PlainStore::erase(std::string_view group, std::string_view key) {
  Statement::Use(delete_).text(1, group).text(2, key).run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::size_t PlainStore::count(std::string_view group) {
  Statement::Use use(count_);
  use.text(1, group).integer(2, now_unix_ms()).step();
  return static_cast<std::size_t>(use.column_int(0));
}

std::vector<std::pair<std::string, std::string>> PlainStore::get_all(std::string_view group) {
  std::vector<std::pair<std::string, std::string>> rows;
  Statement::Use use(select_all_);
  use.text(1, group).integer(2, now_unix_ms());
  while (use.step()) rows.emplace_back(use.column_text(0), use.column_text(1));
  return rows;
}

}  // namespace kvbench::raw
