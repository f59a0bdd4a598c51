// Messages a person understands: a mistyped command or option is named with a suggestion, errors
// name the CLI's own commands and never a C++ class, an empty --db is refused, a missing
// directory or a directory given as --db is named as such, and no arguments show the help.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::StoreFile;
using kvtest::contains;

TEST_CASE("cli messages: an unknown command or option is named, with a suggestion",
          "[cli][messages]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "config", "theme", "dark"}).exit_code == 0);
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"gett", "config", "theme"},
       "kvstore: unknown command 'gett' (did you mean 'get'?) (see kvstore --help)\n"},
      {{"frobnicate"}, "kvstore: unknown command 'frobnicate' (see kvstore --help)\n"},
      {{"--bd", store.path(), "get", "config", "theme"},
       "kvstore: unknown option '--bd' (did you mean '--db'?) (see kvstore --help)\n"},
      {{"--db", store.path(), "get", "config", "theme", "--jsn"},
       "kvstore: get: unknown option '--jsn' (did you mean '--json'?) (see kvstore get --help)\n"},
      {{"--db", store.path(), "set", "g", "k", "v", "--tll", "1m"},
       "kvstore: set: unknown option '--tll' (did you mean '--ttl'?) (see kvstore set --help)\n"},
      {{"--db", store.path(), "rmgroup", "g"},
       "kvstore: unknown command 'rmgroup' (did you mean 'rm-group'?) (see kvstore --help)\n"},
      {{"--db", store.path()}, "kvstore: no command given (see kvstore --help)\n"},
  };
  for (const auto& c : cases) {
    INFO(c.args[0]);
    const auto result = clitest::run(c.args);
    CHECK(result.exit_code == 2);
    CHECK(result.err == c.err);
    CHECK(result.out.empty());
  }
}

TEST_CASE("cli messages: no arguments show the help", "[cli][messages]") {
  const auto result = clitest::run({});
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "Usage: kvstore"));
  CHECK(contains(result.out, "rm-group"));
  CHECK(result.err.empty());
}

TEST_CASE("cli messages: errors name the command typed, never a class", "[cli][messages]") {
  StoreFile store;
  const auto bad_namespace = store.cli({"--namespace", "acme corp", "get", "g", "k"});
  CHECK(bad_namespace.exit_code == 2);
  CHECK_FALSE(contains(bad_namespace.err, "ScopedStore"));
  CHECK(contains(bad_namespace.err, "'acme corp' is not a namespace"));

  // A library failure: its operation ("open") gives way to the command.
  kvtest::TempDir dir;
  const auto not_a_db = dir.file("text.db");
  { std::ofstream(not_a_db) << "this is not a database, just some text that is long enough\n"; }
  const auto result = clitest::run({"--db", not_a_db, "get", "g", "k"});
  CHECK(result.exit_code == 3);
  CHECK(result.err.starts_with("kvstore: get: " + not_a_db + ": "));
}

TEST_CASE("cli messages: --db empty, a missing directory, a directory", "[cli][messages]") {
  kvtest::TempDir dir;
  const auto empty =
      clitest::run({"--db", "", "set", "g", "k", "v"}, {"", {}, dir.path().string()});
  CHECK(empty.exit_code == 2);
  CHECK(contains(empty.err, "--db"));
  CHECK(contains(empty.err, "must not be empty"));
  CHECK_FALSE(std::filesystem::exists(dir.file("kvstore.db")));

  const auto missing_dir = dir.file("no/such/dir/app.db");
  const auto missing = clitest::run({"--db", missing_dir, "get", "g", "k"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "kvstore: get: " + missing_dir + ": no such store file (the directory " +
                           dir.file("no/such/dir") + " does not exist)\n");

  const std::vector<std::vector<std::string>> on_directory = {{"get", "g", "k"},
                                                              {"set", "g", "k", "v"}};
  for (auto args : on_directory) {
    INFO(args[0]);
    const auto command = args[0];
    args.insert(args.begin(), {"--db", dir.path().string()});
    const auto directory = clitest::run(args);
    CHECK(directory.exit_code == 3);
    CHECK(directory.err == "kvstore: " + command + ": " + dir.path().string() +
                               ": is a directory, not a store file\n");
  }
}
