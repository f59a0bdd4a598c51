// Opening a store (issue 20): what a test fixture or a desktop app pays to open one.
//
//   kvstore/open_set_close/memory, raw/open_set_close/memory
//       A ":memory:" Store with default Options opened, one set, closed; beside raw sqlite3
//       opening ":memory:", creating the same kv table as go-store's (baseline.hpp), inserting one
//       row and closing. Target (ratio table): <= 3.
//
//   kvstore/open_close/up_to_date_file, raw/open_close/up_to_date_file
//       A Store with default Options opened on a file already at the latest schema (made before
//       timing, holding one key) and closed; beside raw sqlite3 opening the same file and reading
//       PRAGMA user_version. Target: <= 2.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "baseline.hpp"
#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

// A raw connection, closed on destruction; throws std::runtime_error on any failure.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) fail("open");
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  // Runs `sql` (one statement) with bytes bound as text to ?1, ?2, ...
  void run(const char* sql, std::initializer_list<std::string_view> params = {}) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) fail(sql);
    const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw,
                                                                               sqlite3_finalize);
    int index = 0;
    for (const auto param : params) {
      sqlite3_bind_text(raw, ++index, param.data(), static_cast<int>(param.size()), SQLITE_STATIC);
    }
    int rc;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) fail(sql);
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("raw open benchmark: ") + what + ": " +
                             (db_ ? sqlite3_errmsg(db_.get()) : "out of memory"));
  }
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db_{nullptr, sqlite3_close};
};

void kvstore_open_set_close(benchmark::State& state) {
  for (auto _ : state) {
    kvstore::Store store(":memory:");
    store.set(kGroup, "key", kValue);
  }
}

void raw_open_set_close(benchmark::State& state) {
  for (auto _ : state) {
    RawConnection db(":memory:");
    db.exec(raw::kKvTable);
    db.run("INSERT INTO kv(grp, key, value) VALUES (?1, ?2, ?3)", {kGroup, "key", kValue});
  }
}

// A file at the latest schema holding one key, made before timing.
struct UpToDateFile {
  TempDir dir;
  std::string path = dir.file("open.db");
  UpToDateFile() { kvstore::Store(path).set(kGroup, "key", kValue); }
};

void kvstore_open_up_to_date(benchmark::State& state) {
  const UpToDateFile file;
  for (auto _ : state) {
    const kvstore::Store store(file.path);
  }
}

void raw_open_up_to_date(benchmark::State& state) {
  const UpToDateFile file;
  for (auto _ : state) RawConnection(file.path).run("PRAGMA user_version");
}

const bool registered = [] {
  register_pair("open_set_close/memory", or_skip<kvstore_open_set_close>,
                or_skip<raw_open_set_close>);
  register_pair("open_close/up_to_date_file", or_skip<kvstore_open_up_to_date>,
                or_skip<raw_open_up_to_date>);
  set_ratio_target("open_set_close/memory", 3);
  set_ratio_target("open_close/up_to_date_file", 2);
  return true;
}();

}  // namespace
}  // namespace kvbench
