// Seeding a Store with fixed entries before a test makes its own calls: the api/ and core/ suites
// start many cases from a handful of keys, given here as one table per case.
#pragma once

#include <initializer_list>
#include <kvstore/kvstore.hpp>
#include <string>

namespace kvtest {

struct Entry {
  std::string group;
  std::string key;
  std::string value;
};

// Sets the entries in the order given: a later entry for the same group and key wins, and a case
// about ordering can insert out of order.
inline void set_all(kvstore::Store& store, std::initializer_list<Entry> entries) {
  for (const auto& entry : entries) store.set(entry.group, entry.key, entry.value);
}

}  // namespace kvtest
