// A raw SQLite connection for the tests that look at, or tamper with, what a Store left in a file
// (schema, rows, plans, locks), bypassing kvstore.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace kvtest {

class RawDb {
 public:
  explicit RawDb(const std::string& path, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("raw open " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Runs one or more statements; throws std::runtime_error with SQLite's message.
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw std::runtime_error("raw exec: " + message);
    }
  }

  // Every row of `sql` with `params` bound as text, each column's bytes ("NULL" for SQL NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql,
                                             const std::vector<std::string>& params = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error("raw prepare: " + std::string(sqlite3_errmsg(db_)));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    std::vector<std::vector<std::string>> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back("NULL");
        } else {
          const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, c));
          row.emplace_back(data ? data : "",
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
        }
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return out;
  }

  // The first column of every row.
  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> out;
    for (auto& row : rows(sql)) out.push_back(std::move(row.at(0)));
    return out;
  }
  // The first column of the first row ("" if there is no row).
  std::string text(const std::string& sql) {
    const auto all = rows(sql);
    return all.empty() || all[0].empty() ? std::string() : all[0][0];
  }
  std::int64_t integer(const std::string& sql) { return std::stoll(text(sql)); }

  // The "detail" column of EXPLAIN QUERY PLAN, one line per plan step.
  std::string plan(const std::string& sql) {
    std::string out;
    for (const auto& row : rows("EXPLAIN QUERY PLAN " + sql)) out += row.back() + "\n";
    return out;
  }
  // Every schema object: type, name, table, SQL.
  std::vector<std::vector<std::string>> schema() {
    return rows("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name");
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace kvtest
