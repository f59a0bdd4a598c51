#include "storage/prepared_statement.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace kvstore::detail {

PreparedStatement::PreparedStatement(SQLite::Database& db, const char* sql) noexcept
    : db_(db.getHandle()), sql_(sql) {}

int PreparedStatement::compile() noexcept {
  sqlite3_stmt* statement = nullptr;  // stays null if SQLite cannot compile it
  const int rc = sqlite3_prepare_v3(db_, sql_, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  statement_.reset(statement);
  return rc;
}

sqlite3_stmt* PreparedStatement::handle() {
  if (!statement_) {
    const int rc = compile();
    // The connection's error message is still the compiler's: SQLite::Exception reads it.
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }
  return statement_.get();
}

sqlite3_stmt* PreparedStatement::try_handle() noexcept {
  if (!statement_) compile();
  return statement_.get();
}

void PreparedStatement::Finalize::operator()(sqlite3_stmt* statement) const noexcept {
  sqlite3_finalize(statement);
}

StatementUse::~StatementUse() { sqlite3_reset(statement_); }

void StatementUse::check(int rc) const {
  if (rc != SQLITE_OK) throw SQLite::Exception(sqlite3_db_handle(statement_), rc);
}

StatementUse& StatementUse::text(int index, std::string_view bytes) {
  // A null pointer would bind SQL NULL; an empty value must stay an empty string.
  const char* data = bytes.empty() ? "" : bytes.data();
  check(sqlite3_bind_text64(statement_, index, data, bytes.size(), SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}

StatementUse& StatementUse::blob(int index, std::string_view bytes) {
  const char* data = bytes.empty() ? "" : bytes.data();
  check(sqlite3_bind_blob64(statement_, index, data, bytes.size(), SQLITE_STATIC));
  return *this;
}

StatementUse& StatementUse::integer(int index, std::int64_t value) {
  check(sqlite3_bind_int64(statement_, index, value));
  return *this;
}

StatementUse& StatementUse::integer_or_null(int index, std::optional<std::int64_t> value) {
  if (value) return integer(index, *value);
  check(sqlite3_bind_null(statement_, index));
  return *this;
}

StatementUse& StatementUse::after_all_text(int index) {
  check(sqlite3_bind_zeroblob(statement_, index, 0));
  return *this;
}

bool StatementUse::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw SQLite::Exception(sqlite3_db_handle(statement_), rc);
}

int StatementUse::run() {
  while (step()) {
  }
  return sqlite3_changes(sqlite3_db_handle(statement_));
}

std::int64_t StatementUse::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(sqlite3_db_handle(statement_));
}

bool StatementUse::try_run() noexcept {
  int rc;
  while ((rc = sqlite3_step(statement_)) == SQLITE_ROW) {
  }
  return rc == SQLITE_DONE;
}

std::string_view StatementUse::column_text(int index) const {
  // column_blob returns the stored bytes without text conversion; bytes must be read after it.
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, index));
  const int size = sqlite3_column_bytes(statement_, index);
  return data ? std::string_view(data, static_cast<std::size_t>(size)) : std::string_view();
}

std::int64_t StatementUse::column_int(int index) const {
  return sqlite3_column_int64(statement_, index);
}

std::optional<std::int64_t> StatementUse::column_int_or_null(int index) const {
  if (sqlite3_column_type(statement_, index) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(statement_, index);
}

std::optional<std::string_view> StatementUse::column_text_or_null(int index) const {
  if (sqlite3_column_type(statement_, index) == SQLITE_NULL) return std::nullopt;
  return column_text(index);
}

}  // namespace kvstore::detail
