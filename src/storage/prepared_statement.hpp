// A statement prepared when first used and then reused, and a scoped use of it.
//
// SQLiteCpp's Statement (3.2) neither exposes its handle nor binds a string_view as TEXT without
// copying it, which every call of the hot path does; this is the thin RAII wrapper that can.
// Errors, a failure to prepare included, throw SQLite::Exception, like SQLiteCpp, so one
// translation covers both.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace kvstore::detail {

// Prepares nothing when constructed: SQLite compiles `sql` on first use, so a connection pays
// only for the statements it runs (compiling parses the SQL and, the first time, the schema).
// `db` and `sql` must outlive it. Not thread-safe: used under the connection's lock.
class PreparedStatement {
 public:
  PreparedStatement(SQLite::Database& db, const char* sql) noexcept;
  // The compiled statement, compiled now if it is not yet. Throws SQLite::Exception if SQLite
  // cannot compile it (a table it names is missing, out of memory, ...); the next use tries
  // again. Once compiled, never throws.
  sqlite3_stmt* handle();
  // Compiles the statement now, for one that a path which must not fail (an undo) will run
  // later. Throws like handle().
  void prepare() { handle(); }
  // The compiled statement, or nullptr if it cannot be compiled: for paths that must not throw.
  sqlite3_stmt* try_handle() noexcept;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* statement) const noexcept;
  };
  int compile() noexcept;  // SQLite's result code

  sqlite3* db_;
  const char* sql_;
  std::unique_ptr<sqlite3_stmt, Finalize> statement_;  // null until compiled
};

// Binds by position and resets the statement when it goes out of scope, so a reused statement
// never keeps a read snapshot open between calls.
class StatementUse {
 public:
  // Compiles the statement if it is not yet (throws as PreparedStatement::handle()).
  explicit StatementUse(PreparedStatement& statement) : statement_(statement.handle()) {}
  ~StatementUse();
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

  // Binds bytes as TEXT without copying: `bytes` must outlive the statement's execution.
  StatementUse& text(int index, std::string_view bytes);
  // Binds bytes as a BLOB without copying.
  StatementUse& blob(int index, std::string_view bytes);
  StatementUse& integer(int index, std::int64_t value);
  StatementUse& integer_or_null(int index, std::optional<std::int64_t> value);
  // Binds a zero-length BLOB. In SQLite every TEXT sorts before every BLOB, so `col < ?` with this
  // bound is true for every text value: an unbounded upper end for a range on the index.
  StatementUse& after_all_text(int index);

  // Steps once; true if a row is available.
  bool step();
  // Steps to the end; returns the number of rows the statement changed.
  int run();
  // Like run() but never throws; returns whether it succeeded (for undo paths).
  bool try_run() noexcept;
  // The rowid of the connection's most recent successful INSERT (after run()).
  std::int64_t last_insert_rowid() const;

  std::string_view column_text(int index) const;
  std::int64_t column_int(int index) const;
  std::optional<std::int64_t> column_int_or_null(int index) const;
  std::optional<std::string_view> column_text_or_null(int index) const;

 private:
  void check(int rc) const;
  sqlite3_stmt* statement_;
};

}  // namespace kvstore::detail
