// detail::WriteScope (src/core/write_scope.hpp): a top-level write begins a transaction, one
// inside an open transaction a savepoint, a single statement nothing; an uncommitted scope rolls
// back the database and forgets the events, in-memory log entries and namespace counts recorded
// since it began; commit() keeps them.
#include <catch2/catch.hpp>
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

  int rows() { return connection.database().execAndGet("SELECT count(*) FROM kv").getInt(); }
  std::size_t keys_of(const std::string& ns) { return counts.usage(ns).keys; }
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
  CHECK_FALSE(rig.connection.in_transaction());
  CHECK(rig.rows() == 1);
  CHECK(rig.log.latest() == 1);
  CHECK(rig.keys_of("ns") == 1);
  CHECK(rig.pending.events.size() == 1);  // handed on to be published
}

TEST_CASE("WriteScope: a top-level scope destroyed uncommitted rolls everything back",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto scope = rig.scope();
    rig.record_write("ns:g", "k");
  }
  CHECK_FALSE(rig.connection.in_transaction());
  CHECK(rig.rows() == 0);
  CHECK(rig.log.latest() == 0);
  CHECK(rig.log.size() == 0);
  CHECK(rig.keys_of("ns") == 0);
  CHECK(rig.pending.events.empty());
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
    CHECK(rig.connection.in_transaction());
    CHECK(rig.rows() == 1);
    CHECK(rig.log.latest() == 1);
    CHECK(rig.keys_of("ns") == 1);
    REQUIRE(rig.pending.events.size() == 1);
    CHECK(rig.pending.events[0].key == "kept");
  }
  SECTION("committed, its changes join the enclosing transaction") {
    {
      auto inner = rig.scope();
      rig.record_write("ns:g", "joined");
      inner.commit();
    }
    CHECK(rig.connection.in_transaction());
    CHECK(rig.rows() == 2);
    CHECK(rig.pending.events.size() == 2);
  }
}

TEST_CASE("WriteScope: a released savepoint goes with the enclosing transaction's rollback",
          "[core][write_scope]") {
  ScopeRig rig;
  {
    auto outer = rig.scope();
    rig.record_write("ns:g", "a");
    {
      auto inner = rig.scope();
      rig.record_write("ns:g", "b");
      inner.commit();
    }
  }
  CHECK_FALSE(rig.connection.in_transaction());
  CHECK(rig.rows() == 0);
  CHECK(rig.log.latest() == 0);
  CHECK(rig.keys_of("ns") == 0);
  CHECK(rig.pending.events.empty());
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
  CHECK(rig.rows() == 1);  // SQLite made the one statement permanent by itself
  CHECK(rig.log.latest() == 0);
  CHECK(rig.keys_of("ns") == 0);
  CHECK(rig.pending.events.empty());
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
    CHECK(rig.rows() == 1);  // not rolled back by the scope
    CHECK(rig.log.latest() == 0);
    CHECK(rig.keys_of("ns") == 0);
    CHECK(rig.pending.events.empty());
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
  CHECK_FALSE(rig.connection.in_transaction());
  CHECK(rig.rows() == 0);
  CHECK(rig.log.latest() == 0);
  CHECK(rig.pending.events.empty());
  // The next top-level scope starts afresh.
  auto next = rig.scope();
  CHECK_FALSE(rig.pending.must_roll_back);
}
