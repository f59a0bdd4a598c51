// Both namespace counts, the tables (a file store) and the in-memory ones (a ":memory:" store),
// run through the same cases: counting rows and groups, count_insert, what a write that rolls
// back counted, what a committed one keeps, and the recount that finds wrong counts.
#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/backend_support.hpp"
#include "core/memory_change_log.hpp"
#include "core/memory_counts.hpp"
#include "core/table_counts.hpp"

using kvstore::detail::MemoryCounts;
using kvstore::detail::NamespaceUsage;
using kvstore::detail::TableCounts;

namespace {

// Constructs either backend from the test database.
template <class Counts>
Counts make_counts(kvtest::BackendDatabase& db) {
  if constexpr (std::is_same_v<Counts, TableCounts>) {
    return Counts(db.rows.counts);
  } else {
    return Counts();
  }
}

struct Fixture {
  kvtest::BackendDatabase db;
  kvstore::detail::MemoryChangeLog log{db.rows.kv};

  // Counts `rows` rows of `group` in a write that commits.
  void count_committed(kvstore::detail::NamespaceCounts& counts, const std::string& group,
                       std::int64_t rows) {
    auto scope = db.write(log, counts);
    counts.count_rows(group, rows);
    scope.commit();
  }
};

}  // namespace

// Found by argument-dependent lookup from Catch's comparisons.
namespace kvstore::detail {
bool operator==(NamespaceUsage a, NamespaceUsage b) {
  return a.keys == b.keys && a.groups == b.groups;
}
}  // namespace kvstore::detail

namespace Catch {
template <>
struct StringMaker<NamespaceUsage> {
  static std::string convert(NamespaceUsage u) {
    return "{keys " + std::to_string(u.keys) + ", groups " + std::to_string(u.groups) + "}";
  }
};
}  // namespace Catch

TEMPLATE_TEST_CASE("namespace counts count rows and the groups holding them", "[quota_counts]",
                   TableCounts, MemoryCounts) {
  Fixture f;
  auto counts = make_counts<TestType>(f.db);
  auto scope = f.db.write(f.log, counts);
  CHECK(counts.usage("ns") == NamespaceUsage{0, 0});

  counts.count_rows("ns:a", 2);
  counts.count_rows("ns:b", 1);
  counts.count_rows("other:a", 5);
  counts.count_rows("plain", 7);  // not in a namespace: not counted
  CHECK(counts.usage("ns") == NamespaceUsage{3, 2});
  CHECK(counts.usage("other") == NamespaceUsage{5, 1});
  CHECK(counts.usage("") == NamespaceUsage{0, 0});

  counts.count_rows("ns:a", -2);  // emptied: the group no longer counts
  CHECK(counts.usage("ns") == NamespaceUsage{1, 1});
  counts.count_rows("ns:a", 1);
  CHECK(counts.usage("ns") == NamespaceUsage{2, 2});
  scope.commit();
  CHECK(counts.usage("ns") == NamespaceUsage{2, 2});
}

TEMPLATE_TEST_CASE("namespace counts count the row an insert added, not one it did not",
                   "[quota_counts]", TableCounts, MemoryCounts) {
  Fixture f;
  auto counts = make_counts<TestType>(f.db);
  auto scope = f.db.write(f.log, counts);

  CHECK(counts.count_insert("ns:g", [] { return true; }));
  CHECK(counts.usage("ns") == NamespaceUsage{1, 1});
  CHECK_FALSE(counts.count_insert("ns:g", [] { return false; }));
  CHECK_FALSE(counts.count_insert("ns:h", [] { return false; }));
  CHECK(counts.usage("ns") == NamespaceUsage{1, 1});
  scope.commit();
}

TEMPLATE_TEST_CASE("namespace counts revert what a write that rolls back counted", "[quota_counts]",
                   TableCounts, MemoryCounts) {
  Fixture f;
  auto counts = make_counts<TestType>(f.db);
  f.count_committed(counts, "ns:a", 2);

  SECTION("a top-level write") {
    {
      auto scope = f.db.write(f.log, counts);
      counts.count_rows("ns:a", -2);  // erases the group's count
      counts.count_rows("ns:b", 3);
      counts.count_rows("new:c", 1);
    }
    CHECK(counts.usage("ns") == NamespaceUsage{2, 1});
    CHECK(counts.usage("new") == NamespaceUsage{0, 0});
  }
  SECTION("a savepoint inside a write that commits") {
    {
      auto outer = f.db.write(f.log, counts);
      counts.count_rows("ns:b", 1);
      {
        auto inner = f.db.write(f.log, counts);
        counts.count_rows("ns:a", -2);
        counts.count_rows("ns:c", 4);
      }
      outer.commit();
    }
    CHECK(counts.usage("ns") == NamespaceUsage{3, 2});
  }
  SECTION("an insert that fails") {
    {
      auto scope = f.db.write(f.log, counts);
      CHECK_THROWS_AS(counts.count_insert("ns:b", []() -> bool { throw std::runtime_error("x"); }),
                      std::runtime_error);
    }
    CHECK(counts.usage("ns") == NamespaceUsage{2, 1});
  }
}

TEMPLATE_TEST_CASE("namespace counts keep what a committed write counted", "[quota_counts]",
                   TableCounts, MemoryCounts) {
  Fixture f;
  auto counts = make_counts<TestType>(f.db);
  f.count_committed(counts, "ns:a", 1);
  {
    auto scope = f.db.write(f.log, counts);
    counts.count_rows("ns:a", 1);
  }
  CHECK(counts.usage("ns") == NamespaceUsage{1, 1});
  CHECK(counts.mark() == 0);  // nothing left to revert
}

TEMPLATE_TEST_CASE("namespace counts report the groups and namespaces they miscount",
                   "[quota_counts]", TableCounts, MemoryCounts) {
  Fixture f;
  auto counts = make_counts<TestType>(f.db);
  f.count_committed(counts, "ns:a", 1);
  f.db.insert_row("ns:a", "k", "v");
  std::vector<std::string> problems;
  counts.add_problems(f.db.connection, problems);
  CHECK(problems.empty());

  f.db.insert_row("ns:b", "k", "v");  // around the counts
  counts.add_problems(f.db.connection, problems);
  CHECK(problems == std::vector<std::string>{
                        "quota counts: group 'ns:b' holds 1 keys, counted 0",
                        "quota counts: namespace 'ns' holds 2 keys, counted 1 (groups: holds 2, "
                        "counted 1)"});
}

TEST_CASE("namespace counts tell what counting adds to a put's atomicity", "[quota_counts]") {
  kvtest::BackendDatabase db;
  using kvstore::detail::Atomicity;
  // The tables are updated by statements after the row's: a savepoint must hold them together.
  CHECK(TableCounts(db.rows.counts).put_atomicity() == Atomicity::needs_savepoint);
  CHECK(MemoryCounts().put_atomicity() == Atomicity::single_statement);
}
