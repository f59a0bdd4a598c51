// Helpers for the tests of the fault seam: a clean Control around each test, and a raw sqlite3
// connection that reports SQLite's result codes (the tests check exact codes) instead of throwing.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fault_control.hpp"

namespace kvfault_test {

// Resets Control when a test starts and when it ends, real syncs back on: a test that fails
// half-way leaves no fault armed and no power cut behind it.
class CleanControl {
 public:
  CleanControl() { clean(); }
  ~CleanControl() { clean(); }
  CleanControl(const CleanControl&) = delete;
  CleanControl& operator=(const CleanControl&) = delete;

 private:
  static void clean() {
    auto& control = kvfault::Control::get();
    control.set_real_sync(true);
    control.reset();
  }
};

// One connection through the default VFS (the kvfault shim), with extended result codes.
class Connection {
 public:
  explicit Connection(const std::string& path) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_close(db_);
      throw std::runtime_error("open " + path + ": " + sqlite3_errstr(rc));
    }
    sqlite3_extended_result_codes(db_, 1);
  }
  ~Connection() { sqlite3_close(db_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements; returns SQLite's (extended) result code.
  int exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

  // Runs `sql`, which must succeed (throws std::runtime_error otherwise).
  void must(const std::string& sql) {
    if (const int rc = exec(sql); rc != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errstr(rc) + " (" + sqlite3_errmsg(db_) + ")");
    }
  }

  // The first column of every row of `sql`, as text ("NULL" for SQL NULL); throws on an error.
  std::vector<std::string> column(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr);
    std::vector<std::string> out;
    if (rc == SQLITE_OK) {
      while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(statement, 0);
        out.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) {
      throw std::runtime_error(sql + ": " + sqlite3_errstr(rc) + " (" + sqlite3_errmsg(db_) + ")");
    }
    return out;
  }
  std::string text(const std::string& sql) {
    const auto rows = column(sql);
    return rows.empty() ? std::string() : rows.front();
  }

  // Whether the connection is inside a transaction (a failed COMMIT may leave one open).
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  sqlite3* db_ = nullptr;
};

// Makes `pointer` observable, so the compiler cannot elide the allocation that made it (a
// new-expression whose result is unused may be optimised away, and with it the fault).
inline void escape(const void* pointer) { asm volatile("" : : "r"(pointer) : "memory"); }

}  // namespace kvfault_test
