// Both change logs, the table one (a file store) and the in-memory one (a ":memory:" store), run
// through the same cases: append, latest, oldest, size, read_after, replay_after's refusals,
// trim, and the entries of a write that rolls back.
#include <catch2/catch.hpp>
#include <cstdint>
#include <kvstore/errors.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "core/backend_support.hpp"
#include "core/memory_change_log.hpp"
#include "core/memory_counts.hpp"
#include "core/table_change_log.hpp"

using kvstore::EventType;
using kvstore::detail::MemoryChangeLog;
using kvstore::detail::TableChangeLog;

namespace {

std::vector<std::uint64_t> revisions(const std::vector<kvstore::Event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& event : events) out.push_back(event.revision);
  return out;
}

// Constructs either backend from the test database.
template <class Log>
Log make_log(kvtest::BackendDatabase& db) {
  if constexpr (std::is_same_v<Log, MemoryChangeLog>) {
    return Log(db.rows.kv);
  } else {
    return Log(db.rows.changes);
  }
}

// Appends `count` erase entries of g/k<i>, inside one committed write.
template <class Log>
void append_erases(kvtest::BackendDatabase& db, Log& log, int count) {
  kvstore::detail::MemoryCounts counts;
  auto scope = db.write(log, counts);
  for (int i = 0; i < count; ++i) log.append(EventType::erase, "g", "k" + std::to_string(i), i);
  scope.commit();
}

}  // namespace

TEMPLATE_TEST_CASE("a change log starts empty at revision 0", "[change_log]", TableChangeLog,
                   MemoryChangeLog) {
  kvtest::BackendDatabase db;
  auto log = make_log<TestType>(db);
  CHECK(log.latest() == 0);
  CHECK_FALSE(log.oldest().has_value());
  CHECK(log.size() == 0);
  CHECK(log.read_after(0).empty());
}

TEMPLATE_TEST_CASE("a change log appends consecutive revisions", "[change_log]", TableChangeLog,
                   MemoryChangeLog) {
  kvtest::BackendDatabase db;
  auto log = make_log<TestType>(db);
  kvstore::detail::MemoryCounts counts;
  auto scope = db.write(log, counts);
  CHECK(log.append(EventType::set, "g", "a", 10) == 1);
  CHECK(log.append(EventType::erase, "g", "b", 20) == 2);
  CHECK(log.append(EventType::delete_group, "h", "", 30) == 3);
  scope.commit();

  CHECK(log.latest() == 3);
  CHECK(log.oldest() == std::uint64_t{1});
  CHECK(log.size() == 3);
}

TEMPLATE_TEST_CASE(
    "a change log reads the entries after a revision, sets with the value they wrote",
    "[change_log]", TableChangeLog, MemoryChangeLog) {
  kvtest::BackendDatabase db;
  auto log = make_log<TestType>(db);
  kvstore::detail::MemoryCounts counts;
  {
    auto scope = db.write(log, counts);
    log.append(EventType::set, "g", "a", 1000);
    log.append(EventType::expire, "g", "b", 2000);
    log.append(EventType::set, "g", "gone", 3000);
    log.append(EventType::set, "g", "c", 4000);
    scope.commit();
  }
  db.insert_row("g", "a", "written at 1", 1);
  db.insert_row("g", "c", "written since", 9);

  const auto events = log.read_after(1);
  REQUIRE(revisions(events) == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(events[0].type == EventType::expire);
  CHECK(events[0].group == "g");
  CHECK(events[0].key == "b");
  CHECK(events[0].timestamp == kvstore::Clock::time_point(std::chrono::milliseconds(2000)));
  CHECK(events[0].value == std::nullopt);  // no value: not a set
  CHECK(events[1].type == EventType::set);
  CHECK(events[1].value == std::nullopt);  // the row is gone: never an empty value
  CHECK(events[2].value == std::nullopt);  // the row holds a later write's value, not this one's

  const auto all = log.read_after(0);
  REQUIRE(all.size() == 4);
  CHECK(all[0].value == "written at 1");  // the row is still the one revision 1 wrote
  CHECK(log.read_after(4).empty());
}

TEMPLATE_TEST_CASE("a change log refuses to replay after the latest revision or across a trim",
                   "[change_log]", TableChangeLog, MemoryChangeLog) {
  kvtest::BackendDatabase db;
  auto log = make_log<TestType>(db);
  append_erases(db, log, 5);
  const auto op = kvstore::detail::Operation::of("watch");

  CHECK(revisions(log.replay_after(2, op)) == std::vector<std::uint64_t>{3, 4, 5});
  CHECK(log.replay_after(5, op).empty());
  CHECK_THROWS_AS(log.replay_after(6, op), kvstore::InvalidArgument);

  log.trim(2);
  CHECK(revisions(log.replay_after(3, op)) == std::vector<std::uint64_t>{4, 5});
  try {
    log.replay_after(2, op);
    FAIL("replay across the trim was not refused");
  } catch (const kvstore::Compacted& e) {
    CHECK(e.oldest_available_revision() == 4);
  }
}

TEMPLATE_TEST_CASE("a change log trim keeps the newest entries, at least one", "[change_log]",
                   TableChangeLog, MemoryChangeLog) {
  kvtest::BackendDatabase db;
  auto log = make_log<TestType>(db);
  append_erases(db, log, 4);

  log.trim(10);
  CHECK(log.size() == 4);
  log.trim(3);
  CHECK(log.size() == 3);
  CHECK(log.oldest() == std::uint64_t{2});
  log.trim(0);
  CHECK(log.size() == 1);
  CHECK(log.oldest() == std::uint64_t{4});
  CHECK(log.latest() == 4);
}

TEMPLATE_TEST_CASE("a change log forgets the entries of a write that rolls back", "[change_log]",
                   TableChangeLog, MemoryChangeLog) {
  kvtest::BackendDatabase db;
  auto log = make_log<TestType>(db);
  kvstore::detail::MemoryCounts counts;
  append_erases(db, log, 2);

  SECTION("a top-level write") {
    {
      auto scope = db.write(log, counts);
      log.append(EventType::erase, "g", "x", 1);
      log.append(EventType::erase, "g", "y", 2);
    }
    CHECK(log.latest() == 2);
    CHECK(log.size() == 2);
    CHECK(revisions(log.read_after(0)) == std::vector<std::uint64_t>{1, 2});
  }
  SECTION("a savepoint inside a write that commits") {
    {
      auto outer = db.write(log, counts);
      log.append(EventType::erase, "g", "x", 1);
      {
        auto inner = db.write(log, counts);
        log.append(EventType::erase, "g", "y", 2);
      }
      CHECK(log.append(EventType::erase, "g", "z", 3) == 4);
      outer.commit();
    }
    CHECK(log.latest() == 4);
    CHECK(revisions(log.read_after(0)) == std::vector<std::uint64_t>{1, 2, 3, 4});
  }
  SECTION("undo_append removes the entry just appended") {
    {
      auto scope = db.write(log, counts);
      const auto revision = log.append(EventType::erase, "g", "x", 1);
      CHECK(log.undo_append(revision));
      CHECK(log.latest() == 2);
      scope.commit();
    }
    CHECK(log.size() == 2);
  }
}

TEST_CASE("a change log in memory reverts what it logged after a mark", "[change_log]") {
  kvtest::BackendDatabase db;
  MemoryChangeLog log(db.rows.kv);
  log.append(EventType::erase, "g", "a", 1);
  const auto mark = log.mark();
  log.append(EventType::erase, "g", "b", 2);
  log.append(EventType::erase, "g", "c", 3);

  log.rollback_to(mark);

  CHECK(log.latest() == 1);
  CHECK(log.size() == 1);
  CHECK(log.append(EventType::erase, "g", "d", 4) == 2);
}

TEST_CASE("change logs tell what logging adds to a put's atomicity", "[change_log]") {
  kvtest::BackendDatabase db;
  using kvstore::detail::Atomicity;
  // The table log's entry is a second statement, which put undoes by hand when it fails.
  CHECK(TableChangeLog(db.rows.changes).put_atomicity() == Atomicity::self_contained);
  CHECK(MemoryChangeLog(db.rows.kv).put_atomicity() == Atomicity::single_statement);
}
