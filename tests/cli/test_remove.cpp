// rm-group and rm-prefix: a whole group, or every group with a prefix, at once; asking first
// unless --yes (a script without --yes is refused, never left waiting); telling how many keys went.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::StoreFile;
using kvtest::contains;
using nlohmann::json;

namespace {

void fill(const StoreFile& store) {
  for (const char* group : {"cache:a", "cache:b", "config"}) {
    for (const char* key : {"k1", "k2"})
      REQUIRE(store.cli({"set", group, key, "v"}).exit_code == 0);
  }
}

}  // namespace

TEST_CASE("cli rm-group deletes a group's keys and says how many", "[cli][remove]") {
  StoreFile store;
  fill(store);
  const auto unconfirmed = store.cli({"rm-group", "config"});
  CHECK(unconfirmed.exit_code == 2);
  CHECK(contains(unconfirmed.err, "delete 2 keys of group config"));
  CHECK(contains(unconfirmed.err, "--yes"));
  CHECK(store.cli({"count", "config"}).out == "2\n");

  const auto removed = store.cli({"rm-group", "config", "--yes"});
  CHECK(removed.exit_code == 0);
  CHECK(removed.out == "deleted 2 keys of group config\n");
  CHECK(store.cli({"count", "config"}).out == "0\n");
  CHECK(store.cli({"count"}).out == "4\n");

  const auto again = store.cli({"rm-group", "config", "--yes"});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "kvstore: rm-group: config: group not found\n");
}

TEST_CASE("cli rm-prefix deletes the groups with a prefix; an empty prefix is refused",
          "[cli][remove]") {
  StoreFile store;
  fill(store);
  const auto removed = store.cli({"--json", "rm-prefix", "cache:", "-y"});
  REQUIRE(removed.exit_code == 0);
  const auto doc = json::parse(removed.out);
  CHECK(doc["deleted"] == 4);
  CHECK(doc["prefix"] == "cache:");
  CHECK(store.cli({"groups"}).out == "config\t2\n");

  CHECK(store.cli({"rm-prefix", "cache:", "--yes"}).exit_code == 1);
  const auto empty = store.cli({"rm-prefix", "", "--yes"});
  CHECK(empty.exit_code == 2);
  CHECK(store.cli({"count"}).out == "2\n");
}

TEST_CASE("cli rm-group under --namespace stays inside it", "[cli][remove]") {
  StoreFile store;
  REQUIRE(store.cli({"--namespace", "t1", "set", "g", "k", "v"}).exit_code == 0);
  REQUIRE(store.cli({"--namespace", "t2", "set", "g", "k", "v"}).exit_code == 0);
  CHECK(store.cli({"--namespace", "t1", "rm-group", "g", "--yes"}).out ==
        "deleted 1 keys of group g\n");
  CHECK(store.cli({"--namespace", "t2", "get", "g", "k"}).out == "v\n");
}
