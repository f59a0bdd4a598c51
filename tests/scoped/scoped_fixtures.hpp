// Set-ups the ScopedStore tests share, for TEST_CASE_METHOD. Each opens its Store once per
// backend (the case runs on a file and on ":memory:", see kvtest::each_backend) with no
// background purge, so only the calls under test expire or purge anything.
#pragma once

#include <initializer_list>
#include <kvstore/kvstore.hpp>
#include <string>

#include "backends.hpp"
#include "support.hpp"

namespace kvtest {

struct StoreOnEachBackend {
  const BackendLocation backend = each_backend();
  kvstore::Store store{backend.path(), no_purge()};
};

struct Tenant : StoreOnEachBackend {
  kvstore::ScopedStore scoped{store, "tenant"};
};

// A tenant, and a second one that must neither see nor be seen by it.
struct TenantAndOther : Tenant {
  kvstore::ScopedStore other{store, "other"};
};

// Two tenants whose names share no prefix.
struct AlphaAndBeta : StoreOnEachBackend {
  kvstore::ScopedStore alpha{store, "alpha"};
  kvstore::ScopedStore beta{store, "beta"};
};

// Two tenants where one name is a prefix of the other ("a" and "a-b"): the pair a prefix match
// on the full group name ("a" + anything) would mix up.
struct PrefixTenants : StoreOnEachBackend {
  kvstore::ScopedStore a{store, "a"};
  kvstore::ScopedStore ab{store, "a-b"};
};

// Writes `key` = `value` into each of `groups` through `target` (a Store, ScopedStore or either's
// transaction view).
template <class Target>
void set_in_groups(Target& target, std::initializer_list<std::string> groups,
                   const std::string& key, const std::string& value) {
  for (const auto& group : groups) target.set(group, key, value);
}

// One row to write: the group, key and value.
struct Row {
  std::string group;
  std::string key;
  std::string value;
};

// Writes each of `rows`, in order, through `target`.
template <class Target>
void set_rows(Target& target, std::initializer_list<Row> rows) {
  for (const auto& row : rows) target.set(row.group, row.key, row.value);
}

}  // namespace kvtest
