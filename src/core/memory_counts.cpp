#include "core/memory_counts.hpp"

#include <utility>

#include "util/room_for.hpp"

namespace kvstore::detail {
namespace {

// Appends a Miscount for each name whose `actual` and `counted` values differ (absent = zero).
template <class Map, class MakeMiscount, class Miscount>
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

NamespaceCounts::Usage MemoryCounts::usage(std::string_view ns) {
  const auto totals = totals_.find(ns);
  if (totals == totals_.end()) return {};
  return {static_cast<std::size_t>(totals->second.keys),
          static_cast<std::size_t>(totals->second.groups)};
}

// The same transitions as TableCounts::count, on the maps.
void MemoryCounts::count(std::string_view group, std::string_view ns, std::int64_t rows) {
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

// The new row is counted before the insert, which may allocate, so that a single-statement write
// has nothing left to fail once its statement ran; the count is taken back (which allocates
// nothing) if the row existed.
std::size_t MemoryCounts::before_insert(std::string_view group) {
  const auto ticket = mark();
  count_rows(group, 1);
  return ticket;
}

void MemoryCounts::after_insert(std::string_view, std::size_t ticket, bool added) {
  if (!added) rollback_to(ticket);
}

void MemoryCounts::rollback_to(std::size_t mark) noexcept {
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

void MemoryCounts::find_miscounts(Connection& connection, std::vector<Miscount>& groups,
                                  std::vector<Miscount>& namespaces) const {
  GroupKeys actual_groups;
  TotalsMap actual_totals;
  recount_namespaced_groups(connection, [&](std::string_view group, std::int64_t keys) {
    actual_groups[std::string(group)] = keys;
    Totals& totals = actual_totals[std::string(namespace_of(group))];
    totals.keys += keys;
    totals.groups += 1;
  });
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
}

}  // namespace kvstore::detail
