// What the api/ and core/ suites share: seeding a Store with fixed entries before a case makes its
// own calls (one table per case), two Stores on one file, and the message of a refused call.
#pragma once

#include <catch2/catch.hpp>
#include <initializer_list>
#include <kvstore/kvstore.hpp>
#include <string>
#include <utility>

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

// Sets `group`/`key` to the empty value in a group that held no key, and checks that it reads back
// present (not absent) and empty, and is counted.
inline void check_empty_value_kept(kvstore::Store& store, const std::string& group,
                                   const std::string& key) {
  store.set(group, key, "");
  const auto value = store.get(group, key);
  REQUIRE(value.has_value());
  CHECK(value->empty());
  CHECK(store.count(group) == 1);
}

// The message of the `E` that `call` throws, or "no exception" (which no expected message
// contains) if it returns; an exception of another type propagates and fails the case.
template <typename E = kvstore::InvalidArgument, typename Call>
std::string message_of(Call&& call) {
  try {
    std::forward<Call>(call)();
  } catch (const E& e) {
    return e.what();
  }
  return "no exception";
}

// Two Stores on one file in a fresh directory: two connections, which share only the file.
struct TwoStoresOnOneFile {
  TempDir dir;
  std::string path = dir.file("store.db");
  kvstore::Store first{path};
  kvstore::Store second{path};
};

}  // namespace kvtest
