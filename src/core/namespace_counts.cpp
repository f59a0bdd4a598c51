#include "core/namespace_counts.hpp"

namespace kvstore::detail {

void NamespaceCounts::count_rows(std::string_view group, std::int64_t rows) {
  const auto ns = namespace_of(group);
  if (ns.empty() || rows == 0) return;
  count(group, ns, rows);
}

void NamespaceCounts::add_problems(Connection& connection,
                                   std::vector<std::string>& problems) const {
  std::vector<Miscount> groups, namespaces;
  find_miscounts(connection, groups, namespaces);
  const auto describe = [](const char* what, const Miscount& m) {
    std::string problem = std::string("quota counts: ") + what + " '" + m.name + "' holds " +
                          std::to_string(m.holds_keys) + " keys, counted " +
                          std::to_string(m.counted_keys);
    if (std::string_view(what) == "namespace") {
      problem += " (groups: holds " + std::to_string(m.holds_groups) + ", counted " +
                 std::to_string(m.counted_groups) + ")";
    }
    return problem;
  };
  for (const auto& m : groups) problems.push_back(describe("group", m));
  for (const auto& m : namespaces) problems.push_back(describe("namespace", m));
}

}  // namespace kvstore::detail
