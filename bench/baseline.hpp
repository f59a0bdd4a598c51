// The raw sqlite3 C API baseline the kvstore benchmarks are measured against.
//
// PlainStore is what a plain key-value store on SQLite would do, with nothing of kvstore's
// machinery (no change log, no revisions, no explicit transaction around a single write, no
// mutex, no error translation): go-store's table
//   kv(grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER,
//      PRIMARY KEY(grp, key))
// and one prepared statement per operation, each run in autocommit mode. It opens the same kind
// of database as kvstore::Store: ":memory:", or a file in WAL mode, with the same synchronous
// setting and open flags (NOMUTEX: the caller serializes, as Store does with its own mutex).
// Text is bound without copying (SQLITE_STATIC), as Store binds it.
//
// Its methods are named like Store's so that one benchmark template measures both.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kvstore/store.hpp"

namespace kvbench::raw {

// go-store's table (above), as PlainStore creates it.
inline constexpr const char* kKvTable =
    "CREATE TABLE IF NOT EXISTS kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
    "expires_at INTEGER, PRIMARY KEY (grp, key))";

// Owns a sqlite3 connection. Throws std::runtime_error on any SQLite failure.
class Database {
 public:
  Database(const std::string& path, kvstore::Durability durability);
  sqlite3* handle() const { return db_.get(); }
  void exec(const char* sql);

 private:
  struct Close {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
};

// Owns a prepared statement. Use it through Statement::Use, which resets it when done.
class Statement {
 public:
  Statement(const Database& db, const char* sql);

  class Use {
   public:
    explicit Use(Statement& statement) : stmt_(statement.stmt_.get()) {}
    ~Use() { sqlite3_reset(stmt_); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

    Use& text(int index, std::string_view bytes);
    Use& integer(int index, std::int64_t value);
    Use& null(int index);
    // Steps once; true if a row is available.
    bool step();
    // Steps to the end.
    void run();
    std::string_view column_text(int index) const;
    std::int64_t column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

   private:
    sqlite3_stmt* stmt_;
  };

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

class PlainStore {
 public:
  PlainStore(const std::string& path, kvstore::Durability durability);

  void set(std::string_view group, std::string_view key, std::string_view value);
  void set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                    std::chrono::milliseconds ttl);
  // Live value only: the TTL check is in the SELECT.
  std::optional<std::string> get(std::string_view group, std::string_view key);
  bool erase(std::string_view group, std::string_view key);
  std::size_t count(std::string_view group);
  // Live rows in key order, copied out (the cheapest container a caller can keep).
  std::vector<std::pair<std::string, std::string>> get_all(std::string_view group);

  // BEGIN; fn(*this); COMMIT (ROLLBACK if fn throws).
  template <class Fn>
  void transaction(Fn&& fn) {
    Statement::Use(begin_).run();
    try {
      fn(*this);
    } catch (...) {
      Statement::Use(rollback_).run();
      throw;
    }
    Statement::Use(commit_).run();
  }

 private:
  Database db_;
  Statement upsert_;
  Statement select_;
  Statement delete_;
  Statement count_;
  Statement select_all_;
  Statement begin_;
  Statement commit_;
  Statement rollback_;
};

// One PlainStore shared by several threads, each call under one mutex: the raw counterpart of
// a Store shared by threads (Store serializes its connection the same way).
class SerializedStore {
 public:
  SerializedStore(const std::string& path, kvstore::Durability durability)
      : store_(path, durability) {}

  void set(std::string_view group, std::string_view key, std::string_view value) {
    std::lock_guard lock(mutex_);
    store_.set(group, key, value);
  }
  std::optional<std::string> get(std::string_view group, std::string_view key) {
    std::lock_guard lock(mutex_);
    return store_.get(group, key);
  }
  template <class Fn>
  void transaction(Fn&& fn) {
    std::lock_guard lock(mutex_);
    store_.transaction(std::forward<Fn>(fn));
  }

 private:
  std::mutex mutex_;
  PlainStore store_;
};

}  // namespace kvbench::raw
