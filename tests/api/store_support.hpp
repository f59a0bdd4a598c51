// Store set-ups the api/ and core/ suites share: seeding a Store with fixed entries before a case
// makes its own calls (one table per case), and two Stores on one file.
#pragma once

#include <initializer_list>
#include <kvstore/kvstore.hpp>
#include <string>

#include "support.hpp"

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

// Two Stores on one file in a fresh directory: two connections, which share only the file.
struct TwoStoresOnOneFile {
  TempDir dir;
  std::string path = dir.file("store.db");
  kvstore::Store first{path};
  kvstore::Store second{path};
};

}  // namespace kvtest
