// The kvstore CLI's read commands open the store read-only: they never create a missing file
// (exit 3, naming the path) and never write an existing one. Commands that only change an
// existing store (del, purge, checkpoint, vacuum) do not create one either; set and import
// create it, with the missing directories above it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support.hpp"

namespace {

bool is_empty_dir(const std::filesystem::path& dir) {
  return std::filesystem::directory_iterator(dir) == std::filesystem::directory_iterator();
}

std::string file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("commands other than set and import never create a missing store", "[cli]") {
  const std::vector<std::vector<std::string>> commands = {
      {"get", "g", "k"},        {"groups"}, {"keys", "g"},      {"count"},
      {"ttl", "g", "k"},        {"export"}, {"stats"},          {"check"},
      {"render", "g", "{{k}}"}, {"watch"},  {"del", "g", "k"},  {"purge"},
      {"checkpoint"},           {"vacuum"}, {"--json", "count"}};
  const std::string name = GENERATE(as<std::string>{}, "missing.db", "no/such/dir/missing.db");
  for (const auto& args : commands) {
    INFO("kvstore " << args[0] << " on " << name);
    kvtest::TempDir dir;
    const std::string path = dir.file(name);
    auto full = args;
    full.insert(full.begin(), {"--db", path});
    const auto result = clitest::run(full);
    CHECK(result.exit_code == 3);
    const std::string missing_directory =
        name == "missing.db" ? ""
                             : " (the directory " + dir.file("no/such/dir") + " does not exist)";
    CHECK(result.err == "kvstore: " + (args[0] == "--json" ? args[1] : args[0]) + ": " + path +
                            ": no such store file" + missing_directory + "\n");
    CHECK(result.out.empty());
    CHECK(is_empty_dir(dir.path()));
  }
}

TEST_CASE("set and import create a new store file and the missing directories above it", "[cli]") {
  kvtest::TempDir dir;
  const std::string path = dir.file("no/such/dir/app.db");
  const std::string command = GENERATE("set", "import");
  clitest::RunOptions options;
  options.input = R"({"entries":[{"group":"g","key":"k","value":"v","expires_at":null}]})";
  const auto result = command == "set" ? clitest::run({"--db", path, "set", "g", "k", "v"})
                                       : clitest::run({"--db", path, "import", "-"}, options);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(std::filesystem::is_directory(dir.file("no/such/dir")));
  CHECK(clitest::run({"--db", path, "get", "g", "k"}).out == "v\n");
}

TEST_CASE("read commands leave an existing store file untouched", "[cli]") {
  clitest::StoreFile store;
  REQUIRE(store.cli({"set", "g", "k", "v"}).exit_code == 0);
  REQUIRE(store.cli({"set", "g", "short", "x", "--ttl", "1ms"}).exit_code == 0);
  REQUIRE(store.cli({"checkpoint"}).exit_code == 0);
  // The expired key stays in the file: a read-only open hides it but must not delete it.
  REQUIRE(kvtest::eventually([&] { return store.cli({"get", "g", "short"}).exit_code == 1; }));
  const std::string before = file_bytes(store.path());
  const auto revision = store.cli({"--json", "stats"}).out;

  for (const auto& args : std::vector<std::vector<std::string>>{{"get", "g", "k"},
                                                                {"get", "g", "short"},
                                                                {"keys", "g", "-v"},
                                                                {"groups"},
                                                                {"count", "g"},
                                                                {"ttl", "g", "short"},
                                                                {"export"},
                                                                {"check"},
                                                                {"render", "g", "{{k}}"}}) {
    INFO("kvstore " << args[0]);
    (void)store.cli(args);
  }
  CHECK(file_bytes(store.path()) == before);
  CHECK(store.cli({"--json", "stats"}).out == revision);
  CHECK(nlohmann::json::parse(store.cli({"--json", "purge"}).out)["purged"] == 1);
}
