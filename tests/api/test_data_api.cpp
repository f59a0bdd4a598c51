// The data methods are declared once (DataApi) and every way of reading and writing keys has all
// of them: Store, Transaction, ScopedStore and ScopedTransaction. One routine written against a
// DataApi& runs through each, on each backend, and sees the same results; inside a transaction
// the methods see the transaction's writes and roll back with it.
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "backends.hpp"

using namespace std::chrono_literals;

namespace {

static_assert(std::is_base_of_v<kvstore::DataApi, kvstore::Store>);
static_assert(std::is_base_of_v<kvstore::DataApi, kvstore::ScopedStore>);
static_assert(std::is_same_v<kvstore::Transaction, kvstore::DataApi>);
static_assert(std::is_same_v<kvstore::ScopedTransaction, kvstore::DataApi>);
static_assert(std::is_abstract_v<kvstore::DataApi>);
// A DataApi is never copied or moved on its own (it would slice).
static_assert(!std::is_copy_constructible_v<kvstore::DataApi>);
static_assert(!std::is_move_constructible_v<kvstore::DataApi>);

// Everything a data method can tell, after the same writes, as one comparable record.
struct Outcome {
  std::vector<std::string> log;
  bool operator==(const Outcome&) const = default;
};

Outcome exercise(kvstore::DataApi& data) {
  Outcome out;
  auto note = [&](std::string line) { out.log.push_back(std::move(line)); };
  data.set("cfg", "theme", "dark");
  data.set("cfg", "list", "a,b,,c");
  data.set("cfg", "words", "  one two\tthree ");
  data.set_json("cfg", "json", nlohmann::json{{"size", 12}});
  data.set_with_ttl("session", "token", "t1", 1h);
  data.set("other", "x", "1");
  note("get " + data.get("cfg", "theme").value_or("(none)"));
  note("get_json " + data.get_json("cfg", "json").value().dump());
  note("get_split " + std::to_string(data.get_split("cfg", "list", ",").size()));
  note("get_fields " + std::to_string(data.get_fields("cfg", "words").size()));
  note("render " + data.render("cfg", kvstore::Template{"{{theme}}/{{missing}}"}));
  note("keys " + std::to_string(data.keys("cfg").size()));
  note("get_all " + std::to_string(data.get_all("cfg").size()));
  std::string walked;
  data.for_each("cfg", [&](std::string_view key, std::string_view) {
    walked.append(key).append(" ");
    return key != "list";  // stops after the second key
  });
  note("for_each " + walked);
  note("count " + std::to_string(data.count("cfg")));
  note("count_all " + std::to_string(data.count_all()));
  std::string names;
  for (const auto& group : data.groups()) names += group + " ";
  note("groups " + names);
  const auto ttl = data.ttl("session", "token");
  note("ttl " + std::string(ttl && ttl->remaining && *ttl->remaining <= 1h ? "set" : "wrong"));
  note("persist " + std::to_string(data.persist("session", "token")));
  note("ttl after persist " +
       std::string(data.ttl("session", "token")->remaining ? "set" : "none"));
  note("expire " + std::to_string(data.expire("session", "token", 2h)));
  note("expire absent " + std::to_string(data.expire("session", "absent", 2h)));
  note("erase " + std::to_string(data.erase("cfg", "words")));
  note("delete_group " + std::to_string(data.delete_group("other")));
  note("delete_prefix " + std::to_string(data.delete_prefix("sess")));
  note("count_all at end " + std::to_string(data.count_all()));
  return out;
}

const Outcome& expected() {
  static const Outcome outcome{{
      "get dark",
      R"(get_json {"size":12})",
      "get_split 4",
      "get_fields 3",
      "render dark/",
      "keys 4",
      "get_all 4",
      "for_each json list ",
      "count 4",
      "count_all 6",
      "groups cfg other session ",
      "ttl set",
      "persist 1",
      "ttl after persist none",
      "expire 1",
      "expire absent 0",
      "erase 1",
      "delete_group 1",
      "delete_prefix 1",
      "count_all at end 3",
  }};
  return outcome;
}

}  // namespace

TEST_CASE(
    "every data method works the same through Store, Transaction, ScopedStore and "
    "ScopedTransaction",
    "[api][data_api]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());

  SECTION("Store") { CHECK(exercise(store) == expected()); }
  SECTION("Transaction") {
    Outcome inside;
    store.transaction([&](kvstore::Transaction& tx) { inside = exercise(tx); });
    CHECK(inside == expected());
    CHECK(store.count_all() == 3);
  }
  SECTION("ScopedStore") {
    kvstore::ScopedStore scoped(store, "tenant");
    CHECK(exercise(scoped) == expected());
    CHECK(store.count_all("tenant:") == 3);
    CHECK(store.count_all() == 3);  // nothing outside the namespace
  }
  SECTION("ScopedTransaction") {
    kvstore::ScopedStore scoped(store, "tenant");
    Outcome inside;
    scoped.transaction([&](kvstore::ScopedTransaction& tx) { inside = exercise(tx); });
    CHECK(inside == expected());
    CHECK(store.count_all("tenant:") == 3);
  }
}

TEST_CASE("inside a transaction the data methods see its writes, and roll back with it",
          "[api][data_api][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "kept", "1");
  struct Abort {};
  CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction& tx) {
    tx.set_json("g", "j", nlohmann::json::array({1, 2}));
    tx.set("h", "k", "v");
    CHECK(tx.get_json("g", "j") == nlohmann::json::array({1, 2}));
    CHECK(tx.groups() == std::vector<std::string>{"g", "h"});
    CHECK(tx.count_all() == 3);
    std::vector<std::string> walked;
    tx.for_each("g", [&](std::string_view key, std::string_view) {
      walked.emplace_back(key);
      return true;
    });
    CHECK(walked == std::vector<std::string>{"j", "kept"});
    CHECK(tx.render("h", kvstore::Template{"{{k}}"}) == "v");
    throw Abort{};
  }),
                  Abort);
  CHECK(store.groups() == std::vector<std::string>{"g"});
  CHECK_FALSE(store.get_json("g", "j").has_value());
  CHECK(store.get_all("g") == std::map<std::string, std::string>{{"kept", "1"}});
}

TEST_CASE("a scoped transaction checks quotas on set_json and rolls back whole",
          "[api][data_api][scoped][transaction]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvstore::ScopedStore scoped(store, "t", {.max_keys = 1});
  CHECK_THROWS_AS(scoped.transaction([](kvstore::ScopedTransaction& tx) {
    tx.set_json("g", "a", 1);
    tx.set_json("g", "b", 2);  // a second key: over the quota
  }),
                  kvstore::QuotaExceeded);
  CHECK(store.count_all() == 0);
}
