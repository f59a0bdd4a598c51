#include "final_state.hpp"

#include "keyspace.hpp"

namespace history {

FinalState read_final_state(const std::string& path) {
  FinalState state;
  try {
    kvstore::Options options;
    options.read_only = true;  // leaves the file as the round left it, for --check
    options.purge_interval = std::chrono::milliseconds(0);
    options.external_poll_interval = std::chrono::milliseconds(0);
    kvstore::Store store(path, options);
    state.problems = store.check();
    try {
      state.log = store.changes_since(0);
    } catch (const kvstore::Compacted& e) {
      state.log = store.changes_since(e.oldest_available_revision() - 1);
    }
    for (const auto& group : kCheckedGroups) {
      for (auto& [key, value] : store.get_all(group)) state.rows[{group, key}] = std::move(value);
    }
    state.groups = store.groups();
    state.tenant_keys = store.count_all(kTenant + ":");
  } catch (const std::exception& e) {
    state.error = e.what();
  }
  return state;
}

}  // namespace history
