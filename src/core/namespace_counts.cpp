#include "core/namespace_counts.hpp"

#include <SQLiteCpp/Statement.h>

#include "util/room_for.hpp"

namespace kvstore::detail {
namespace {

// The rows each namespaced group holds now. On BLOBs instr counts bytes (on TEXT it counts
// characters and stops at a NUL), so the namespace is split off byte-wise, as namespace_of does.
constexpr const char* kGroupKeys = R"(
  SELECT grp, count(*) AS keys FROM kv WHERE instr(CAST(grp AS BLOB), X'3A') > 0 GROUP BY grp)";

// Recounts compared with the tables. A row counting zero is as good as no row (emptied
// namespaces keep theirs). Columns: name, holds keys, holds groups, counted keys, counted groups.
const std::string kMiscountedGroups = std::string("WITH actual AS (") + kGroupKeys + R"()
  SELECT coalesce(a.grp, c.grp), coalesce(a.keys, 0), 0, coalesce(c.keys, 0), 0
  FROM actual a FULL JOIN ns_group_counts c ON a.grp = c.grp
  WHERE coalesce(a.keys, 0) != coalesce(c.keys, 0))";
const std::string kMiscountedNamespaces = std::string("WITH grp_keys AS (") + kGroupKeys + R"(),
  actual AS (SELECT CAST(substr(CAST(grp AS BLOB), 1, instr(CAST(grp AS BLOB), X'3A') - 1)
                         AS TEXT) AS ns, sum(keys) AS keys, count(*) AS groups
             FROM grp_keys GROUP BY 1)
  SELECT coalesce(a.ns, c.ns), coalesce(a.keys, 0), coalesce(a.groups, 0), coalesce(c.keys, 0),
         coalesce(c.groups, 0)
  FROM actual a FULL JOIN ns_counts c ON a.ns = c.ns
  WHERE coalesce(a.keys, 0) != coalesce(c.keys, 0) OR coalesce(a.groups, 0) != coalesce(c.groups, 0))";

struct Miscount {
  std::string name;
  std::int64_t holds_keys, holds_groups, counted_keys, counted_groups;
};

std::string describe(const char* what, const Miscount& m) {
  std::string problem = std::string("quota counts: ") + what + " '" + m.name + "' holds " +
                        std::to_string(m.holds_keys) + " keys, counted " +
                        std::to_string(m.counted_keys);
  if (std::string_view(what) == "namespace") {
    problem += " (groups: holds " + std::to_string(m.holds_groups) + ", counted " +
               std::to_string(m.counted_groups) + ")";
  }
  return problem;
}

// Appends a Miscount for each name whose `actual` and `counted` values differ (absent = zero).
template <class Map, class MakeMiscount>
void add_differences(const Map& actual, const Map& counted, MakeMiscount&& miscount,
                     std::vector<Miscount>& out) {
  using Value = typename Map::mapped_type;
  std::map<std::string, std::pair<Value, Value>> both;
  for (const auto& [name, value] : actual) both[name].first = value;
  for (const auto& [name, value] : counted) both[name].second = value;
  for (const auto& [name, values] : both) {
    auto m = miscount(name, values.first, values.second);
    if (m.holds_keys != m.counted_keys || m.holds_groups != m.counted_groups) out.push_back(m);
  }
}

}  // namespace

NamespaceCounts::NamespaceCounts(Statements& statements, bool in_memory)
    : statements_(statements), in_memory_(in_memory) {}

NamespaceCounts::Usage NamespaceCounts::usage(std::string_view ns) {
  if (in_memory_) {
    const auto totals = totals_.find(ns);
    if (totals == totals_.end()) return {};
    return {static_cast<std::size_t>(totals->second.keys),
            static_cast<std::size_t>(totals->second.groups)};
  }
  StatementUse use(statements_.namespace_counts);
  if (!use.text(1, ns).step()) return {};
  return {static_cast<std::size_t>(use.column_int(0)), static_cast<std::size_t>(use.column_int(1))};
}

void NamespaceCounts::count_rows(std::string_view group, std::int64_t rows) {
  const auto ns = namespace_of(group);
  if (ns.empty() || rows == 0) return;
  if (in_memory_) {
    count_in_memory(group, ns, rows);
  } else {
    count_in_tables(group, ns, rows);
  }
}

void NamespaceCounts::count_in_tables(std::string_view group, std::string_view ns,
                                      std::int64_t rows) {
  std::int64_t groups_added = 0;
  if (StatementUse(statements_.add_group_count).text(1, group).integer(2, rows).run() == 0) {
    if (rows > 0) {
      StatementUse(statements_.insert_group_count).text(1, group).integer(2, rows).run();
      groups_added = 1;
    }
  } else if (rows < 0 &&
             StatementUse(statements_.delete_empty_group_count).text(1, group).run() > 0) {
    groups_added = -1;
  }
  if (StatementUse(statements_.add_namespace_count)
          .text(1, ns)
          .integer(2, rows)
          .integer(3, groups_added)
          .run() == 0) {
    StatementUse(statements_.insert_namespace_count)
        .text(1, ns)
        .integer(2, rows)
        .integer(3, groups_added)
        .run();
  }
}

// The same transitions as count_in_tables, on the maps.
void NamespaceCounts::count_in_memory(std::string_view group, std::string_view ns,
                                      std::int64_t rows) {
  auto group_keys = group_keys_.find(group);
  auto totals = totals_.find(ns);
  Undo undo{std::string(group), std::nullopt, std::nullopt, {}};
  if (group_keys != group_keys_.end()) undo.group_keys = group_keys->second;
  if (totals != totals_.end()) undo.totals = totals->second;
  // Everything that allocates comes before the first change, so a failure changes nothing.
  make_room(journal_, 1);
  const bool new_group = group_keys == group_keys_.end() && rows > 0;
  if (new_group) group_keys = group_keys_.emplace(std::string(group), 0).first;
  if (totals == totals_.end()) {
    try {
      totals = totals_.emplace(std::string(ns), Totals{0, 0}).first;
    } catch (...) {
      if (new_group) group_keys_.erase(group_keys);
      throw;
    }
  }
  journal_.push_back(std::move(undo));

  std::int64_t groups_added = 0;
  if (group_keys != group_keys_.end()) {
    groups_added = group_keys->second == 0 && rows > 0 ? 1 : 0;
    group_keys->second += rows;
    if (rows < 0 && group_keys->second <= 0) {
      journal_.back().erased = group_keys_.extract(group_keys);
      groups_added = -1;
    }
  }
  totals->second.keys += rows;
  totals->second.groups += groups_added;
}

void NamespaceCounts::rollback_to(std::size_t mark) noexcept {
  // Restores each value where its entry still exists; an entry that the change erased comes back
  // from its node (undone in reverse order, only the change that erased it finds it missing).
  const auto restore = [](auto& map, std::string_view name, const auto& previous, auto& erased) {
    const auto found = map.find(name);
    if (!previous) {
      if (found != map.end()) map.erase(found);
    } else if (found != map.end()) {
      found->second = *previous;
    } else if (erased) {
      erased.mapped() = *previous;
      map.insert(std::move(erased));
    }
  };
  for (; journal_.size() > mark; journal_.pop_back()) {
    Undo& undo = journal_.back();
    restore(group_keys_, undo.group, undo.group_keys, undo.erased);
    TotalsMap::node_type never_erased;
    restore(totals_, namespace_of(undo.group), undo.totals, never_erased);
  }
}

void NamespaceCounts::add_problems(SQLite::Database& db, std::vector<std::string>& problems) const {
  std::vector<Miscount> groups, namespaces;
  if (in_memory_) {
    std::map<std::string, std::int64_t, std::less<>> actual_groups;
    std::map<std::string, Totals, std::less<>> actual_totals;
    SQLite::Statement query(db, kGroupKeys);
    while (query.executeStep()) {
      const std::string group = query.getColumn(0).getString();
      const std::int64_t keys = query.getColumn(1).getInt64();
      actual_groups[group] = keys;
      Totals& totals = actual_totals[std::string(namespace_of(group))];
      totals.keys += keys;
      totals.groups += 1;
    }
    add_differences(
        actual_groups, group_keys_,
        [](const std::string& name, std::int64_t holds, std::int64_t counted) {
          return Miscount{name, holds, 0, counted, 0};
        },
        groups);
    add_differences(
        actual_totals, totals_,
        [](const std::string& name, Totals holds, Totals counted) {
          return Miscount{name, holds.keys, holds.groups, counted.keys, counted.groups};
        },
        namespaces);
  } else {
    for (auto [query_text, out] :
         {std::pair{&kMiscountedGroups, &groups}, std::pair{&kMiscountedNamespaces, &namespaces}}) {
      SQLite::Statement query(db, *query_text);
      while (query.executeStep()) {
        out->push_back({query.getColumn(0).getString(), query.getColumn(1).getInt64(),
                        query.getColumn(2).getInt64(), query.getColumn(3).getInt64(),
                        query.getColumn(4).getInt64()});
      }
    }
  }
  for (const auto& m : groups) problems.push_back(describe("group", m));
  for (const auto& m : namespaces) problems.push_back(describe("namespace", m));
}

}  // namespace kvstore::detail
