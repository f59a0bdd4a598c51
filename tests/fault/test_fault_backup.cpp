// kvstore::backup_database (the copy `kvstore migrate` makes first) under injected faults: every
// I/O call of SQLite's VFS, every file-system call (the directory sync that makes the backup's
// name durable) and every allocation of a backup fails in turn. Each failed backup
// throws a typed kvstore::Error and leaves neither the backup nor its partial file, and the
// source is untouched; the next backup succeeds and holds the whole source.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <kvstore/kvstore.hpp>
#include <map>
#include <optional>
#include <string>

#include "fault_control.hpp"
#include "fault_support.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using kvfault::Control;

struct Source {
  kvtest::TempDir dir;
  std::string path = dir.file("app.db");
  std::string backup = dir.file("app.db.bak");
  Source() {
    kvstore::Store store(path);
    for (int i = 0; i < 200; ++i) store.set("g", "k" + std::to_string(i), std::string(300, 'v'));
  }
  std::map<std::string, std::string> contents(const std::string& file) const {
    kvstore::Options read_only;
    read_only.read_only = true;
    return kvstore::Store(file, read_only).get_all("g");
  }
};

}  // namespace

TEST_CASE("backup_database: a failure at any I/O call or allocation leaves no file behind",
          "[fault][backup]") {
  const kvfault_test::CleanControl clean;
  auto& control = Control::get();
  const auto [calls, injected] = GENERATE(
      std::pair{kvfault::kVfsCalls, SQLITE_IOERR}, std::pair{kvfault::kVfsCalls, SQLITE_FULL},
      std::pair{kvfault::kFsCalls, SQLITE_IOERR},
      std::pair{kvfault::CallSet{kvfault::sqlite_malloc}, SQLITE_NOMEM},
      std::pair{kvfault::CallSet{kvfault::cxx_new}, SQLITE_NOMEM});
  INFO("failing calls " << calls << " with " << sqlite3_errstr(injected));
  const Source source;
  const auto expected = source.contents(source.path);

  std::uint64_t failures = 0;
  for (std::uint64_t nth = 1;; ++nth) {
    INFO("failing call " << nth);
    std::optional<std::string> error;
    {
      const kvfault::CountAllocationsHere counted;
      control.arm(kvfault::Fault{calls, nth, injected, false});
      try {
        kvstore::backup_database(source.path, source.backup);
      } catch (const kvstore::Error& e) {
        error = e.what();
      }
    }
    const bool fired = control.fired();
    control.disarm();
    if (!fired) {
      REQUIRE_FALSE(error);
      break;
    }
    if (!error) {
      // A failure SQLite recovered from (a retried read, say): the backup is whole.
      CHECK(source.contents(source.backup) == expected);
      fs::remove(source.backup);
      continue;
    }
    ++failures;
    CHECK_FALSE(fs::exists(source.backup));
    CHECK_FALSE(fs::exists(source.backup + ".partial"));
  }
  CHECK(failures > 0);
  CHECK(source.contents(source.path) == expected);
  CHECK(source.contents(source.backup) == expected);
}
