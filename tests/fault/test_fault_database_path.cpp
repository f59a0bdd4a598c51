// Creating the missing directories above a new database file (storage/database_path.*) under
// injected faults: every mkdir and directory sync of the open fails in turn, with a full disk and
// with an I/O error. Each failed open throws a typed StorageError naming the directory and leaves
// no directory behind; a power cut at any of those calls leaves a path a later open creates.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>

#include "fault_control.hpp"
#include "fault_support.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using kvfault::Control;

constexpr kvfault::CallSet kDirectoryCalls =
    kvfault::fs_make_directory | kvfault::fs_sync_directory;

// A store at <temp>/a/b/c/app.db, where nothing below <temp> exists yet.
struct DeepPath {
  kvtest::TempDir dir;
  std::string top = dir.file("a");
  std::string path = dir.file("a/b/c/app.db");
};

}  // namespace

TEST_CASE("database path: a failed mkdir or directory sync fails the open typed, nothing left",
          "[fault][path]") {
  const kvfault_test::CleanControl clean;
  auto& control = Control::get();
  const int injected = GENERATE(SQLITE_FULL, SQLITE_IOERR);
  INFO("injected " << sqlite3_errstr(injected));
  const DeepPath at;

  std::uint64_t failed_opens = 0;
  for (std::uint64_t nth = 1;; ++nth) {
    INFO("failing directory call " << nth);
    control.arm(kvfault::Fault{kDirectoryCalls, nth, injected, false});
    std::optional<kvstore::StorageError> error;
    try {
      kvstore::Store store(at.path);
    } catch (const kvstore::StorageError& e) {
      error = e;
    }
    const bool fired = control.fired();
    control.disarm();
    if (!fired) {
      REQUIRE_FALSE(error);
      break;
    }
    ++failed_opens;
    REQUIRE(error);
    const std::string message = error->what();
    CHECK_THAT(message, Catch::Contains(at.path));
    const bool creating = message.find("cannot create the directory") != std::string::npos;
    const bool syncing = message.find("cannot sync the directory") != std::string::npos;
    CHECK(creating != syncing);
    if (creating) {
      CHECK(error->sqlite_code() == (injected == SQLITE_FULL ? SQLITE_FULL : SQLITE_CANTOPEN));
    } else {
      CHECK(error->sqlite_code() == SQLITE_IOERR_DIR_FSYNC);
    }
    CHECK_FALSE(fs::exists(at.top));  // the directories this open made are gone again
  }
  // Three directories, each made and then synced into its parent.
  CHECK(failed_opens == 6);

  kvstore::Store store(at.path);
  store.set("g", "k", "v");
  CHECK(store.get("g", "k") == "v");
}

TEST_CASE("database path: a power cut while the directories are made leaves a path that opens",
          "[fault][path]") {
  const kvfault_test::CleanControl clean;
  auto& control = Control::get();
  const auto loss = GENERATE(kvfault::LossMode::drop, kvfault::LossMode::tear);

  for (std::uint64_t nth = 1; nth <= 6; ++nth) {
    INFO("power cut before directory call " << nth);
    const DeepPath at;
    control.arm_cut(kDirectoryCalls, nth);
    CHECK_THROWS_AS(kvstore::Store(at.path), kvstore::StorageError);
    REQUIRE(control.power_is_cut());
    control.restore_power(loss, nth);

    kvstore::Store store(at.path);
    store.set("g", "k", "v");
    CHECK(store.get("g", "k") == "v");
  }
}
