// `kvstore --namespace NS` works through a ScopedStore: each namespace sees only its own groups.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::StoreFile;
using nlohmann::json;

TEST_CASE("cli: --namespace isolates tenants from each other and from the plain store", "[cli]") {
  StoreFile store;
  auto in = [&](const std::string& ns, std::vector<std::string> args) {
    args.insert(args.begin(), {"--namespace", ns});
    return store.cli(args);
  };
  REQUIRE(store.cli({"set", "config", "theme", "plain"}).exit_code == 0);
  REQUIRE(in("t1", {"set", "config", "theme", "one"}).exit_code == 0);
  REQUIRE(in("t2", {"set", "config", "theme", "two"}).exit_code == 0);
  REQUIRE(in("t1", {"set", "extra", "k", "v"}).exit_code == 0);

  CHECK(store.cli({"get", "config", "theme"}).out == "plain\n");
  CHECK(in("t1", {"get", "config", "theme"}).out == "one\n");
  CHECK(in("t2", {"get", "config", "theme"}).out == "two\n");
  CHECK(in("t2", {"get", "extra", "k"}).exit_code == 1);

  CHECK(in("t1", {"groups"}).out == "config\t1\nextra\t1\n");
  CHECK(in("t2", {"groups"}).out == "config\t1\n");
  CHECK(store.cli({"groups"}).out == "config\t1\nt1:config\t1\nt1:extra\t1\nt2:config\t1\n");
  CHECK(in("t1", {"count"}).out == "2\n");
  CHECK(store.cli({"count"}).out == "4\n");

  CHECK(in("t1", {"del", "config", "theme"}).exit_code == 0);
  CHECK(in("t2", {"get", "config", "theme"}).out == "two\n");
  CHECK(store.cli({"get", "config", "theme"}).out == "plain\n");

  // Export from one namespace and import into another: groups travel without the prefix.
  const auto exported = json::parse(in("t2", {"export"}).out);
  REQUIRE(exported["entries"].size() == 1);
  CHECK(exported["entries"][0]["group"] == "config");
  clitest::RunOptions input;
  input.input = exported.dump();
  CHECK(store.cli({"--namespace", "t3", "import", "-"}, input).exit_code == 0);
  CHECK(in("t3", {"get", "config", "theme"}).out == "two\n");
  CHECK(store.cli({"get", "t3:config", "theme"}).out == "two\n");

  const auto bad = in("not/valid", {"get", "config", "theme"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("namespace") != std::string::npos);
}
