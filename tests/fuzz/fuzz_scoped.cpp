// libFuzzer target: ScopedStore isolation. Random operation sequences on two namespaces whose
// names are prefixes of one another ("a" and "a-b"), with groups and keys drawn from the bytes
// that could leak across a prefix (':', '%', '_', '*', '-', '\0'), inside and outside
// transactions, checked after every call against a model of each namespace. Namespace "a" has a
// key quota, so QuotaExceeded (and the rollback it causes in a transaction) is modelled too.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using kvfuzz::check;
using Groups = std::map<std::string, std::map<std::string, std::string>>;

constexpr std::size_t kQuota = 6;  // max_keys of namespace "a"

struct Model {
  Groups groups;
  std::size_t max_keys = 0;  // 0 = unlimited

  std::size_t keys() const {
    std::size_t total = 0;
    for (const auto& [name, keys] : groups) total += keys.size();
    return total;
  }
  bool has(const std::string& group, const std::string& key) const {
    const auto found = groups.find(group);
    return found != groups.end() && found->second.count(key) != 0;
  }
  bool quota_refuses(const std::string& group, const std::string& key) const {
    return max_keys != 0 && !has(group, key) && keys() + 1 > max_keys;
  }
  std::size_t erase_groups_with_prefix(const std::string& prefix) {
    std::size_t removed = 0;
    for (auto it = groups.begin(); it != groups.end();) {
      if (it->first.starts_with(prefix)) {
        removed += it->second.size();
        it = groups.erase(it);
      } else {
        ++it;
      }
    }
    return removed;
  }
};

std::string draw_name(FuzzedDataProvider& input) {
  static constexpr std::array<char, 8> kBytes{'x', 'y', ':', '%', '_', '*', '-', '\0'};
  std::string name;
  const int length = input.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < length; ++i) name += input.PickValueInArray(kBytes);
  return name;
}

// One data call shared by ScopedStore and ScopedTransaction, checked against the model.
template <class Scope>
void data_step(Scope& scope, Model& model, FuzzedDataProvider& input) {
  const std::string group = draw_name(input), key = draw_name(input);
  switch (input.ConsumeIntegralInRange(0, 6)) {
    case 0:
    case 1: {
      const std::string value = input.ConsumeRandomLengthString(8);
      const bool refused = model.quota_refuses(group, key);
      try {
        if (input.ConsumeBool()) {
          scope.set(group, key, value);
        } else {
          scope.set_with_ttl(group, key, value, std::chrono::hours(1));
        }
        check(!refused, "a write past the key quota was accepted");
        model.groups[group][key] = value;
      } catch (const kvstore::QuotaExceeded&) {
        check(refused, "a write within the key quota was refused");
        throw;
      }
      break;
    }
    case 2: {
      const bool existed = model.has(group, key);
      check(scope.erase(group, key) == existed, "erase result differs from the model");
      if (existed) {
        auto& keys = model.groups[group];
        keys.erase(key);
        if (keys.empty()) model.groups.erase(group);
      }
      break;
    }
    case 3: {
      const auto found = model.groups.find(group);
      const std::size_t expected = found == model.groups.end() ? 0 : found->second.size();
      if (found != model.groups.end()) model.groups.erase(found);
      check(scope.delete_group(group) == expected, "delete_group count differs from the model");
      break;
    }
    case 4:
      check(scope.delete_prefix(group) == model.erase_groups_with_prefix(group),
            "delete_prefix count differs from the model");
      break;
    case 5: {
      const auto got = scope.get(group, key);
      check(got.has_value() == model.has(group, key), "get presence differs from the model");
      if (got) check(*got == model.groups[group][key], "get value differs from the model");
      break;
    }
    default: {
      const auto found = model.groups.find(group);
      const auto expected =
          found == model.groups.end() ? std::map<std::string, std::string>{} : found->second;
      check(scope.get_all(group) == expected, "get_all differs from the model");
      check(scope.count(group) == expected.size(), "count differs from the model");
      break;
    }
  }
}

struct Rollback {};

void store_step(kvstore::ScopedStore& scope, Model& model, FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange(0, 3)) {
    case 0: {  // a transaction of a few calls, committed or rolled back
      Model staged = model;
      const int calls = input.ConsumeIntegralInRange(1, 4);
      const bool roll_back = input.ConsumeBool();
      try {
        scope.transaction([&](kvstore::ScopedTransaction& tx) {
          for (int i = 0; i < calls; ++i) data_step(tx, staged, input);
          if (roll_back) throw Rollback{};
        });
        model = staged;
      } catch (const Rollback&) {
      } catch (const kvstore::QuotaExceeded&) {
      }
      break;
    }
    case 1: {
      const std::string prefix = draw_name(input);
      std::vector<std::string> expected;
      std::size_t keys = 0;
      for (const auto& [name, group_keys] : model.groups) {
        if (!name.starts_with(prefix)) continue;
        expected.push_back(name);
        keys += group_keys.size();
      }
      check(scope.groups(prefix) == expected, "groups differ from the model");
      check(scope.count_all(prefix) == keys, "count_all differs from the model");
      break;
    }
    default:
      try {
        data_step(scope, model, input);
      } catch (const kvstore::QuotaExceeded&) {
      }
      break;
  }
}

void check_whole(kvstore::ScopedStore& scope, const Model& model) {
  std::vector<std::string> names;
  for (const auto& [name, keys] : model.groups) {
    names.push_back(name);
    check(scope.get_all(name) == keys, "a group differs from the model at the end");
  }
  check(scope.groups() == names, "the namespace's groups differ from the model at the end");
  check(scope.count_all() == model.keys(), "the namespace's key count differs at the end");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const kvfuzz::EmptyAfterInput empty_after;
  auto& store = kvfuzz::shared_store();
  std::array<kvstore::ScopedStore, 2> scopes{kvstore::ScopedStore(store, "a", {.max_keys = kQuota}),
                                             kvstore::ScopedStore(store, "a-b")};
  std::array<Model, 2> models;
  models[0].max_keys = kQuota;
  for (int steps = 0; steps < 64 && input.remaining_bytes() > 0; ++steps) {
    const std::size_t which = input.ConsumeIntegralInRange(0, 1);
    store_step(scopes[which], models[which], input);
  }
  for (std::size_t i = 0; i < scopes.size(); ++i) check_whole(scopes[i], models[i]);
  for (const auto& group : store.groups()) {
    check(group.starts_with("a:") || group.starts_with("a-b:"), "a group outside both namespaces");
  }
  check(store.count_all() == models[0].keys() + models[1].keys(), "the store holds extra keys");
  return 0;
}
