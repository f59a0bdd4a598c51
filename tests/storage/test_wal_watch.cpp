// WalWatch: the file system's "look now" for a database file's commits (storage/wal_watch.hpp).
//
// inotify queues an event during the write(2) that causes it, so a write made before a wait() is
// already pending when the wait starts: the cases write, then wait with a deadline that is only a
// guard against a hang (a failure, not a measurement), and assert what wait() returned. Their
// watches repeat no look after an event (every signal comes from an event), except where the
// repeats are what is tested. The cases that need notifications are tagged [posix][inotify]:
// other systems have none (storage/platform/), and tools/windows-build.sh leaves them out.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <stop_token>
#include <string>

#include "raw_db.hpp"
#include "storage/wal_watch.hpp"
#include "support.hpp"

using kvstore::detail::WalWatch;
using kvtest::RawDb;
using kvtest::TempDir;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

// Far enough never to pass while a change is due; a change arrives within milliseconds.
constexpr auto kGuard = 30s;

// A database in WAL mode with one table, as a Store leaves its file.
void create_database(const std::string& path) {
  RawDb db(path);
  db.exec("PRAGMA journal_mode=WAL; CREATE TABLE t(v)");
}

// `path`, once create_database() made it.
const std::string& created(const std::string& path) {
  create_database(path);
  return path;
}

// A database in WAL mode and a connection that holds its WAL open, as a Store's does.
struct OpenDatabase {
  OpenDatabase() : path(dir.file("db.sqlite")), connection(created(path)) {
    CHECK(connection.integer("SELECT count(*) FROM t") == 0);  // opens the WAL
  }

  TempDir dir;
  const std::string path;
  RawDb connection;
};

void insert_row(RawDb& db) { db.exec("INSERT INTO t VALUES (1)"); }

// Notifications of `path`, with no look repeated after an event.
WalWatch watching(const std::string& path) { return WalWatch(path, WalWatch::Mode::notify, {}); }

bool wait_for_change(WalWatch& watch, std::stop_token stop = {}) {
  return watch.wait(SteadyClock::now() + kGuard, stop);
}

// Takes every signal already pending (the first "look now", the set-up's own events), so that the
// next one is caused by what the case does next.
void drain(WalWatch& watch) {
  while (watch.wait(SteadyClock::now(), {})) {
  }
}

}  // namespace

TEST_CASE("WalWatch: a commit by another connection wakes a waiter",
          "[storage][wal_watch][posix][inotify]") {
  kvtest::Watchdog dog("a WalWatch waiting for a commit");
  OpenDatabase db;
  const auto& path = db.path;
  WalWatch watch = watching(path);
  REQUIRE(watch.available());
  CHECK(watch.wait(SteadyClock::now(), {}));  // first "look now": what came before is unknown
  drain(watch);

  auto woken = std::async(std::launch::async, [&] { return wait_for_change(watch); });
  RawDb writer(path);
  insert_row(writer);
  CHECK(woken.get());
  CHECK(watch.available());
}

TEST_CASE("WalWatch: an idle file raises no signal", "[storage][wal_watch][posix][inotify]") {
  OpenDatabase db;
  WalWatch watch = watching(db.path);
  REQUIRE(watch.available());
  drain(watch);
  // Reads change nothing on disk, so they raise nothing either.
  CHECK(db.connection.integer("SELECT count(*) FROM t") == 0);
  CHECK_FALSE(watch.wait(SteadyClock::now() + 50ms, {}));
}

TEST_CASE("WalWatch: after an event the look is repeated once per delay",
          "[storage][wal_watch][posix][inotify]") {
  kvtest::Watchdog dog("a WalWatch repeating its looks");
  OpenDatabase db;
  WalWatch watch(db.path, WalWatch::Mode::notify, {1ms, 2ms, 3ms});
  REQUIRE(watch.available());
  drain(watch);

  insert_row(db.connection);      // every event it raises is queued before the next wait
  CHECK(wait_for_change(watch));  // the events
  for (int repeat = 0; repeat < 3; ++repeat) CHECK(wait_for_change(watch));
  CHECK_FALSE(watch.wait(SteadyClock::now() + 50ms, {}));  // nothing more to repeat
}

TEST_CASE("WalWatch: the WAL deleted and created anew is still watched",
          "[storage][wal_watch][posix][inotify]") {
  kvtest::Watchdog dog("a WalWatch across a recreated WAL");
  TempDir dir;
  const auto path = dir.file("db.sqlite");
  create_database(path);  // its connection, the last, deletes the WAL as it closes
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));
  WalWatch watch = watching(path);
  REQUIRE(watch.available());
  drain(watch);

  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    {
      RawDb writer(path);
      CHECK(writer.integer("SELECT count(*) FROM t") == round);  // creates the WAL
      REQUIRE(std::filesystem::exists(path + "-wal"));
      CHECK(wait_for_change(watch));  // the WAL appeared
      drain(watch);
      // Only the new WAL's own watch sees this: a commit changes no entry of the directory.
      insert_row(writer);
      CHECK(wait_for_change(watch));
    }  // the last connection closes: the WAL is checkpointed and deleted
    REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));
    CHECK(wait_for_change(watch));
    drain(watch);
  }
  CHECK(watch.available());
}

TEST_CASE("WalWatch: stopping wakes a waiter at once", "[storage][wal_watch][posix][inotify]") {
  kvtest::Watchdog dog("a stopped WalWatch wait");  // a stop that did not wake it would hang
  TempDir dir;
  const auto path = dir.file("db.sqlite");
  create_database(path);
  const auto mode = GENERATE(WalWatch::Mode::notify, WalWatch::Mode::poll);
  WalWatch watch(path, mode, {});
  REQUIRE(watch.available() == (mode == WalWatch::Mode::notify));
  drain(watch);

  std::stop_source stop;
  auto woken = std::async(std::launch::async, [&] {
    return watch.wait(SteadyClock::time_point::max(), stop.get_token());
  });
  stop.request_stop();
  CHECK_FALSE(woken.get());
  CHECK_FALSE(watch.wait(SteadyClock::time_point::max(), stop.get_token()));  // already stopped
}

TEST_CASE("WalWatch: forced polling reports no notifications", "[storage][wal_watch]") {
  TempDir dir;
  const auto path = dir.file("db.sqlite");
  create_database(path);
  WalWatch watch(path, WalWatch::Mode::poll, {});
  CHECK_FALSE(watch.available());
  RawDb writer(path);
  insert_row(writer);
  CHECK_FALSE(watch.wait(SteadyClock::now() + 10ms, {}));  // the caller must poll
  CHECK_FALSE(watch.available());
}

TEST_CASE("WalWatch: a file with no directory to watch gets no notifications",
          "[storage][wal_watch]") {
  TempDir dir;
  CHECK_FALSE(WalWatch(dir.file("missing/db.sqlite"), WalWatch::Mode::notify).available());
  CHECK_FALSE(WalWatch("", WalWatch::Mode::notify).available());
}

TEST_CASE("WalWatch: losing the directory gives one last signal, then polling",
          "[storage][wal_watch][posix][inotify]") {
  kvtest::Watchdog dog("a WalWatch whose directory is removed");
  TempDir dir;
  const auto folder = dir.path() / "data";
  std::filesystem::create_directory(folder);
  const auto path = (folder / "db.sqlite").string();
  create_database(path);
  WalWatch watch = watching(path);
  REQUIRE(watch.available());
  drain(watch);

  std::filesystem::remove_all(folder);
  // Each wait reports a change (the files' deletion), until the directory's loss ends the watch.
  while (watch.available()) REQUIRE(wait_for_change(watch));
  CHECK_FALSE(watch.wait(SteadyClock::now() + 10ms, {}));
}
