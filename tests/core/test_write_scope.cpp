// detail::WriteScope (src/core/write_scope.hpp): a top-level write begins a transaction, one
// inside an open transaction a savepoint, a single statement nothing; an uncommitted scope rolls
// back the database and forgets the events, in-memory log entries and namespace counts recorded
// since it began; commit() keeps them.
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>

#include "core/write_scope.hpp"
#include "core_parts.hpp"
#include "kvstore/errors.hpp"

namespace {

using kvstore::detail::WriteScope;
using Atomicity = WriteScope::Atomicity;

// A ":memory:" database, whose change log and namespace counts are kept in memory: what a
// WriteScope must revert itself.
struct ScopeRig : kvtest::CoreParts {
  ScopeRig() : CoreParts(":memory:") {}

  WriteScope scope(Atomicity atomicity = Atomicity::needs_savepoint) {
    return WriteScope(connection, pending, log, counts, atomicity);
  }

  // A write as the Store makes one: a row, its log entry, its count and its event.
  void record_write(const std::string& group, const std::string& key) {
    connection.database().exec("INSERT INTO kv(grp, key, value) VALUES ('" + group + "', '" + key +
                               "', 'v')");
    const auto revision = log.append(kvstore::EventType::set, group, key, 0);
    counts.count_rows(group, 1);
    kvstore::Event event;
    event.group = group;
    event.key = key;
    event.revision = revision;
    pending.add_event(event);
  }

  // A write in a scope of its own that commits: a transaction at top level, a released savepoint
  // inside an open one.
  void commit_write(const std::string& key) {
    auto own = scope();
    record_write("ns:g", key);
    own.commit();
  }

  int rows() { return connection.database().execAndGet("SELECT count(*) FROM kv").getInt(); }
  std::size_t keys_of(const std::string& ns) { return counts.usage(ns).keys; }

  // What the writes of a case leave behind, in the database and in memory, after its scopes end.
  struct Left {
    bool in_tx;            // connection.in_transaction()
    int rows;              // rows of kv in the database
    std::uint64_t latest;  // the change log's latest revision
    std::size_t keys;      // keys counted for namespace "ns"
    std::size_t events;    // events pending publication
  };

  // One CHECK a part, so that a failure names the part that differs and where it was expected.
  void check_left(const Left& expected,
                  std::source_location where = std::source_location::current()) {
    INFO("expected at line " << where.line());
    CHECK(connection.in_transaction() == expected.in_tx);
    CHECK(rows() == expected.rows);
    CHECK(log.latest() == expected.latest);
    CHECK(keys_of("ns") == expected.keys);
    CHECK(pending.events.size() == expected.events);
  }
};

}  // namespace

TEST_CASE("WriteScope: a top-level write begins a transaction that commit() ends",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto scope = rig.scope();
    CHECK(scope.began_transaction());
    CHECK(rig.connection.in_transaction());
    rig.record_write("ns:g", "k");
    scope.commit();
  }
  // The event is handed on to be published.
  rig.check_left({.in_tx = false, .rows = 1, .latest = 1, .keys = 1, .events = 1});
}

TEST_CASE("WriteScope: a top-level scope destroyed uncommitted rolls everything back",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto scope = rig.scope();
    rig.record_write("ns:g", "k");
  }
  rig.check_left({.in_tx = false, .rows = 0, .latest = 0, .keys = 0, .events = 0});
  CHECK(rig.log.size() == 0);
}

TEST_CASE("WriteScope: inside an open transaction a write takes a savepoint",
          "[core][write_scope]") {
  ScopeRig rig;
  auto outer = rig.scope();
  rig.record_write("ns:g", "kept");

  SECTION("rolled back, only the savepoint's changes go") {
    {
      auto inner = rig.scope();
      CHECK_FALSE(inner.began_transaction());
      rig.record_write("ns:g", "undone");
    }
    rig.check_left({.in_tx = true, .rows = 1, .latest = 1, .keys = 1, .events = 1});
    CHECK(rig.pending.events.at(0).key == "kept");
  }
  SECTION("committed, its changes join the enclosing transaction") {
    rig.commit_write("joined");
    rig.check_left({.in_tx = true, .rows = 2, .latest = 2, .keys = 2, .events = 2});
  }
}

TEST_CASE("WriteScope: a released savepoint goes with the enclosing transaction's rollback",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto outer = rig.scope();
    rig.record_write("ns:g", "a");
    rig.commit_write("b");
  }
  rig.check_left({.in_tx = false, .rows = 0, .latest = 0, .keys = 0, .events = 0});
}

TEST_CASE("WriteScope: a single-statement write opens no transaction but still reverts memory",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto scope = rig.scope(Atomicity::single_statement);
    CHECK_FALSE(scope.began_transaction());
    CHECK_FALSE(rig.connection.in_transaction());
    rig.record_write("ns:g", "k");  // autocommits
  }
  // The row stays: SQLite made the one statement permanent by itself.
  rig.check_left({.in_tx = false, .rows = 1, .latest = 0, .keys = 0, .events = 0});
}

TEST_CASE("WriteScope: a self-contained write takes a transaction only at top level",
          "[core][write_scope]") {
  ScopeRig rig;
  SECTION("at top level it begins a transaction") {
    auto scope = rig.scope(Atomicity::self_contained);
    CHECK(scope.began_transaction());
    CHECK(rig.connection.in_transaction());
  }
  SECTION("inside a transaction it takes no savepoint: the body undoes its own rows") {
    auto outer = rig.scope();
    {
      auto inner = rig.scope(Atomicity::self_contained);
      CHECK_FALSE(inner.began_transaction());
      rig.record_write("ns:g", "k");
    }
    // The row stays: the scope does not roll it back.
    rig.check_left({.in_tx = true, .rows = 1, .latest = 0, .keys = 0, .events = 0});
  }
}

TEST_CASE("WriteScope: keep_recorded keeps what was recorded before it through a rollback",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto scope = rig.scope();
    kvstore::Event caught_up;
    caught_up.key = "from another connection";
    rig.pending.add_event(caught_up);
    scope.keep_recorded();
    rig.record_write("ns:g", "k");
  }
  REQUIRE(rig.pending.events.size() == 1);
  CHECK(rig.pending.events[0].key == "from another connection");
  CHECK(rig.rows() == 0);
}

TEST_CASE("WriteScope: a top-level commit refuses when a failed write could not be undone",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto scope = rig.scope();
    rig.record_write("ns:g", "k");
    rig.pending.must_roll_back = true;
    CHECK_THROWS_AS(scope.commit(), kvstore::StorageError);
  }
  rig.check_left({.in_tx = false, .rows = 0, .latest = 0, .keys = 0, .events = 0});
  // The next top-level scope starts afresh.
  auto next = rig.scope();
  CHECK_FALSE(rig.pending.must_roll_back);
}
