// Tests of the fault seam itself, on raw sqlite3 connections (not kvstore): the VFS shim counts
// and fails the calls it wraps with the code asked for, a power cut loses exactly what was not
// synced (drop) or a random part of it (tear) and SQLite recovers a consistent prefix, SQLite's
// allocator and C++ operator new fail on demand, and real syncs can be skipped.
#include <sqlite3.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "fault_control.hpp"
#include "fault_support.hpp"
#include "fault_vfs.hpp"
#include "support.hpp"

using kvfault::Control;
using kvfault::Fault;
using kvfault::LossMode;
using kvfault_test::CleanControl;
using kvfault_test::Connection;
using kvtest::TempDir;

namespace {

// Every test writes the same table: transaction i inserts row i, about half a page, so a commit
// writes WAL frames spanning several 512-byte sectors.
void create_table(Connection& db, const std::string& synchronous) {
  db.must("PRAGMA journal_mode=WAL");
  db.must("PRAGMA synchronous=" + synchronous);
  db.must("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
}

std::string insert_row(int id) {
  const std::string n = std::to_string(id);
  return "INSERT INTO t(id, payload) VALUES (" + n + ", printf('%d:%s', " + n +
         ", hex(zeroblob(1000))))";
}

std::vector<int> row_ids(Connection& db) {
  std::vector<int> ids;
  for (const auto& id : db.column("SELECT id FROM t ORDER BY id")) ids.push_back(std::stoi(id));
  return ids;
}

std::vector<int> one_to(std::size_t k) {
  std::vector<int> ids;
  for (std::size_t i = 1; i <= k; ++i) ids.push_back(static_cast<int>(i));
  return ids;
}

// After a failed statement SQLite may leave the transaction open; the tests go on after it.
void end_transaction(Connection& db) {
  if (db.in_transaction()) db.must("ROLLBACK");
}

// An intact database holding exactly the rows `ids`.
void require_rows(Connection& db, const std::vector<int>& ids) {
  REQUIRE(db.text("PRAGMA integrity_check") == "ok");
  REQUIRE(row_ids(db) == ids);
}

// A fault control with nothing armed, counted or cut, and a connection on a fresh file holding
// the (empty) table, synchronous=FULL.
struct FullTable {
  const CleanControl clean;
  Control& control = Control::get();
  const TempDir dir;
  Connection db{dir.file("t.db")};
  FullTable() { create_table(db, "FULL"); }
};

// The same holding row 1, committed before any fault is armed.
struct FullTableWithRow1 : FullTable {
  FullTableWithRow1() { db.must(insert_row(1)); }
};

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE_METHOD(FullTable, "the kvfault VFS is the default and counts the calls it wraps",
                 "[fault][seam]") {
  REQUIRE(std::string(sqlite3_vfs_find(nullptr)->zName) == "kvfault");
  control.reset();
  REQUIRE(control.count(kvfault::kIoCalls) == 0);

  db.must(insert_row(1));
  const auto writes = control.count(kvfault::vfs_write);
  const auto syncs = control.count(kvfault::vfs_sync);
  CHECK(writes > 0);
  CHECK(syncs > 0);
  CHECK(control.count(kvfault::vfs_write | kvfault::vfs_sync) == writes + syncs);

  db.must(insert_row(2));
  CHECK(control.count(kvfault::vfs_write) > writes);
  CHECK(control.count(kvfault::vfs_sync) > syncs);
  CHECK(row_ids(db) == std::vector<int>{1, 2});
  CHECK(control.count(kvfault::vfs_read | kvfault::vfs_lock | kvfault::sqlite_malloc) > 0);

  control.reset();
  CHECK(control.count(kvfault::vfs_write | kvfault::vfs_sync) == 0);
}

TEST_CASE_METHOD(FullTableWithRow1,
                 "a write fault fails the COMMIT with its code, once or until disarmed",
                 "[fault][seam]") {
  SECTION("once: only the nth write fails") {
    db.must("BEGIN");
    db.must(insert_row(2));  // WAL mode: the frames are written at COMMIT
    control.arm(Fault{kvfault::vfs_write, 1, SQLITE_IOERR_WRITE, false});
    REQUIRE(db.exec("COMMIT") == SQLITE_IOERR_WRITE);
    REQUIRE(control.fired());
    end_transaction(db);
    require_rows(db, {1});

    db.must(insert_row(3));
    REQUIRE(row_ids(db) == std::vector<int>{1, 3});
  }

  SECTION("persistent: every later write fails until disarm()") {
    control.arm(Fault{kvfault::vfs_write, 2, SQLITE_IOERR_WRITE, true});
    int failures = 0;
    for (int id = 2; id <= 5; ++id) {
      const int rc = db.exec(insert_row(id));
      if (rc != SQLITE_OK) {
        REQUIRE(rc == SQLITE_IOERR_WRITE);
        ++failures;
      }
      end_transaction(db);
    }
    // SQLite writes each WAL frame as a header and a page: the 2nd write is in the first commit.
    REQUIRE(failures == 4);
    const auto writes = control.count(kvfault::vfs_write);
    REQUIRE(db.exec(insert_row(6)) == SQLITE_IOERR_WRITE);
    REQUIRE(control.count(kvfault::vfs_write) > writes);
    end_transaction(db);

    control.disarm();
    db.must(insert_row(7));
    require_rows(db, {1, 7});
  }
}

TEST_CASE_METHOD(FullTableWithRow1, "SQLITE_FULL from the VFS reaches the caller as SQLITE_FULL",
                 "[fault][seam]") {
  control.arm(Fault{kvfault::vfs_write, 1, SQLITE_FULL, true});
  REQUIRE(db.exec(insert_row(2)) == SQLITE_FULL);
  end_transaction(db);
  control.disarm();
  require_rows(db, {1});
  db.must(insert_row(3));
  REQUIRE(row_ids(db) == std::vector<int>{1, 3});
}

// synchronous=FULL syncs the WAL in every COMMIT. Cutting the power at the nth sync, then dropping
// everything unsynced, must keep exactly the commits that returned: a commit whose sync never
// happened wrote its frames all the same, and only the journal's loss takes them away again.
TEST_CASE("a power cut at a sync keeps exactly the commits that returned (drop)",
          "[fault][power]") {
  const CleanControl clean;
  auto& control = Control::get();
  const TempDir dir;
  constexpr int kRows = 8;
  const std::size_t descriptors = open_descriptors();

  int runs_cut = 0;
  int runs_losing_a_commit = 0;
  for (std::uint64_t cut = 1;; ++cut) {
    CAPTURE(cut);
    const std::string path = dir.file("drop-" + std::to_string(cut) + ".db");
    std::vector<int> committed;
    {
      Connection db(path);
      create_table(db, "FULL");
      control.arm_cut(kvfault::vfs_sync, cut);
      for (int id = 1; id <= kRows; ++id) {
        if (db.exec(insert_row(id)) == SQLITE_OK) committed.push_back(id);
      }
    }  // closing checkpoints: its syncs are cut points too
    const bool was_cut = control.power_is_cut();
    control.restore_power(LossMode::drop, cut);
    REQUIRE_FALSE(control.power_is_cut());

    Connection db(path);
    require_rows(db, committed);
    REQUIRE(committed == one_to(committed.size()));
    if (!was_cut) break;
    ++runs_cut;
    if (committed.size() < kRows) ++runs_losing_a_commit;
  }
  // A cut at each commit's sync, and more at the checkpoint on close.
  REQUIRE(runs_losing_a_commit == kRows);
  REQUIRE(runs_cut > kRows);
  // xClose closed every real file, also after the power was cut.
  REQUIRE(open_descriptors() == descriptors);
}

// synchronous=NORMAL syncs only at checkpoints, so a power cut may lose the last commits, and
// torn sectors land anywhere in what was written since the last sync. SQLite must still come
// back with an intact database holding a prefix of the transactions.
TEST_CASE("torn writes at a power cut leave an intact prefix of the commits (tear)",
          "[fault][power]") {
  const CleanControl clean;
  auto& control = Control::get();
  control.set_real_sync(false);  // durability is the journal's business here; keeps runs fast
  const TempDir dir;
  constexpr int kRows = 12;
  constexpr kvfault::CallSet kCutAt =
      kvfault::vfs_write | kvfault::vfs_sync | kvfault::vfs_truncate;

  struct Outcome {
    std::size_t kept = 0;       // rows in the reopened database
    std::size_t committed = 0;  // COMMITs that returned SQLITE_OK
    std::uint64_t calls = 0;    // calls of kCutAt up to the close
  };
  // Runs the workload with the power cut at the nth call of kCutAt (0: never), closes, applies
  // the loss for `seed`, and checks the reopened database.
  int run_number = 0;
  const auto run = [&](std::uint64_t cut, std::uint64_t seed) {
    CAPTURE(cut, seed);
    const std::string path = dir.file("tear-" + std::to_string(++run_number) + ".db");
    Outcome outcome;
    {
      Connection db(path);
      create_table(db, "NORMAL");
      db.must("PRAGMA wal_autocheckpoint=4");  // checkpoints (and so syncs) every few commits
      control.reset();                         // the setup is durable; counting starts here
      if (cut > 0) control.arm_cut(kCutAt, cut);
      for (int id = 1; id <= kRows; ++id) {
        if (db.exec(insert_row(id)) == SQLITE_OK) ++outcome.committed;
      }
    }
    outcome.calls = control.count(kCutAt);
    control.restore_power(LossMode::tear, seed);
    Connection db(path);
    REQUIRE(db.text("PRAGMA integrity_check") == "ok");
    const auto ids = row_ids(db);
    REQUIRE(ids == one_to(ids.size()));
    REQUIRE(ids.size() <= outcome.committed);
    outcome.kept = ids.size();
    return outcome;
  };

  const Outcome whole = run(0, 0);
  REQUIRE(whole.kept == kRows);
  REQUIRE(whole.committed == kRows);
  const std::uint64_t calls = whole.calls;
  REQUIRE(calls > 2 * kRows);

  // 50 seeds; each seed cuts at every 5th call from a different start, so every cut point is
  // torn under ten different seeds.
  int runs = 0;
  int runs_losing_acknowledged_commits = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    for (std::uint64_t cut = 1 + seed % 5; cut <= calls; cut += 5) {
      const Outcome outcome = run(cut, seed);
      ++runs;
      if (outcome.kept < outcome.committed) ++runs_losing_acknowledged_commits;
    }
  }
  INFO(runs << " runs, " << calls << " calls in a whole run");
  // The loss really happened: NORMAL gives up the newest commits in some of the runs.
  REQUIRE(runs_losing_acknowledged_commits > 0);
  REQUIRE(runs_losing_acknowledged_commits < runs);
}

TEST_CASE_METHOD(FullTable,
                 "an allocation fault makes SQLite report SQLITE_NOMEM and the connection recovers",
                 "[fault][seam]") {
  SECTION("persistent") {
    control.arm(Fault{kvfault::sqlite_malloc, 1, SQLITE_NOMEM, true});
    REQUIRE(db.exec("SELECT length(randomblob(100000))") == SQLITE_NOMEM);
    REQUIRE(control.fired());
    control.disarm();
    REQUIRE(db.text("SELECT length(randomblob(100000))") == "100000");
  }

  SECTION("the nth allocation of an insert, for every n") {
    int nomem = 0;
    for (std::uint64_t nth = 1;; ++nth) {
      CAPTURE(nth);
      control.arm(Fault{kvfault::sqlite_malloc, nth, SQLITE_NOMEM, false});
      const int rc = db.exec(insert_row(static_cast<int>(nth)));
      const bool fired = control.fired();
      control.disarm();
      end_transaction(db);
      if (!fired) {
        REQUIRE(rc == SQLITE_OK);
        break;
      }
      // Some of SQLite's allocations are optional: their failure costs nothing.
      REQUIRE((rc == SQLITE_OK || rc == SQLITE_NOMEM || rc == SQLITE_IOERR_NOMEM));
      if (rc != SQLITE_OK) ++nomem;
      REQUIRE(db.text("PRAGMA integrity_check") == "ok");
    }
    REQUIRE(nomem > 0);
  }
}

TEST_CASE("C++ allocations fail only under CountAllocationsHere, only on its thread",
          "[fault][seam]") {
  const CleanControl clean;
  auto& control = Control::get();
  control.arm(Fault{kvfault::cxx_new, 1, SQLITE_NOMEM, true});

  SECTION("without one, nothing is counted or failed") {
    auto value = std::make_unique<int>(7);
    kvfault_test::escape(value.get());
    std::vector<std::string> strings(100, std::string(100, 'x'));
    kvfault_test::escape(strings.data());
    REQUIRE(*value == 7);
    REQUIRE(control.count(kvfault::cxx_new) == 0);
    REQUIRE_FALSE(control.fired());
  }

  SECTION("with one, new throws std::bad_alloc and the nothrow forms return null") {
    struct alignas(64) Wide {
      int value = 0;
    };
    int threw = 0;
    bool nothrow_null = false;
    {
      const kvfault::CountAllocationsHere here;
      try {
        kvfault_test::escape(std::make_unique<int>(7).get());  // operator new
      } catch (const std::bad_alloc&) {
        ++threw;
      }
      try {
        kvfault_test::escape(std::make_unique<int[]>(10).get());  // operator new[]
      } catch (const std::bad_alloc&) {
        ++threw;
      }
      try {
        kvfault_test::escape(std::make_unique<Wide>().get());  // aligned operator new
      } catch (const std::bad_alloc&) {
        ++threw;
      }
      // The one place a new-expression is the subject: owned at once, freed if it succeeded.
      const std::unique_ptr<int> maybe(new (std::nothrow) int(7));
      kvfault_test::escape(maybe.get());
      nothrow_null = maybe == nullptr;
    }
    REQUIRE(threw == 3);
    REQUIRE(nothrow_null);
    REQUIRE(control.count(kvfault::cxx_new) == 4);
    REQUIRE(control.fired());
  }

  SECTION("the nth allocation only, when not persistent") {
    control.arm(Fault{kvfault::cxx_new, 2, SQLITE_NOMEM, false});
    std::array<bool, 3> failed{};  // no allocation of its own while counting
    {
      const kvfault::CountAllocationsHere here;
      for (std::size_t i = 0; i < failed.size(); ++i) {
        try {
          kvfault_test::escape(std::make_unique<std::size_t>(i).get());
        } catch (const std::bad_alloc&) {
          failed[i] = true;
        }
      }
    }
    REQUIRE(failed == std::array<bool, 3>{false, true, false});
  }

  SECTION("another thread's allocations are not counted") {
    std::atomic<int> stage{0};  // 1: this thread counts; 2: the other one has allocated
    bool other_threw = false;
    std::thread other([&] {
      stage.wait(0);
      try {
        const std::vector<int> values(1000, 1);
        kvfault_test::escape(values.data());
      } catch (const std::bad_alloc&) {
        other_threw = true;
      }
      stage.store(2);
      stage.notify_one();
    });
    {
      const kvfault::CountAllocationsHere here;
      stage.store(1);
      stage.notify_one();
      stage.wait(1);
    }
    other.join();
    REQUIRE_FALSE(other_threw);
    REQUIRE(control.count(kvfault::cxx_new) == 0);
  }
}

TEST_CASE("with real syncs off, xSync never reaches the file system but still makes data durable",
          "[fault][seam]") {
  const CleanControl clean;
  auto& control = Control::get();
  const TempDir dir;
  Connection db(dir.file("sync.db"));
  create_table(db, "FULL");
  db.must(insert_row(1));

  control.set_real_sync(false);
  const auto real_syncs = kvfault::real_syncs_made();
  const auto syncs = control.count(kvfault::vfs_sync);
  db.must(insert_row(2));
  REQUIRE(control.count(kvfault::vfs_sync) > syncs);
  REQUIRE(kvfault::real_syncs_made() == real_syncs);
  // The skipped sync was still a sync point: nothing of the commit is left unsynced.
  REQUIRE(kvfault::vfs_journal().unsynced_sectors() == 0);

  db.must("PRAGMA synchronous=NORMAL");  // no sync in a commit: its frames stay unsynced
  db.must(insert_row(3));
  REQUIRE(kvfault::vfs_journal().unsynced_sectors() > 0);

  control.set_real_sync(true);
  db.must("PRAGMA synchronous=FULL");
  db.must(insert_row(4));
  REQUIRE(kvfault::real_syncs_made() > real_syncs);
  REQUIRE(kvfault::vfs_journal().unsynced_sectors() == 0);
}
