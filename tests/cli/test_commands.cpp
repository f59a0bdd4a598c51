// The kvstore CLI, run as a process: version, help, usage errors, and the key/value commands
// (set, get, del, ttl, expire, persist, groups, keys, count, render, purge) with their exit codes
// and outputs.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::Result;
using clitest::StoreFile;
using nlohmann::json;

namespace {

const std::vector<std::string> kCommands = {
    "get",   "groups", "keys",       "count",  "ttl",     "render",   "set",
    "del",   "expire", "persist",    "purge",  "export",  "import",   "watch",
    "stats", "check",  "checkpoint", "vacuum", "migrate", "rm-group", "rm-prefix"};

// One line on stderr, starting with "kvstore: ".
bool one_error_line(const Result& result) {
  return result.err.starts_with("kvstore: ") && result.err.ends_with('\n') &&
         std::count(result.err.begin(), result.err.end(), '\n') == 1;
}

}  // namespace

TEST_CASE("kvstore --version prints the version", "[cli]") {
  const auto result = clitest::run({"--version"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.starts_with("kvstore 0."));
}

TEST_CASE("every command's --help ends with an example", "[cli]") {
  const auto top = clitest::run({"--help"});
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("Example:\n  kvstore") != std::string::npos);
  CHECK(top.out.find("./kvstore.db") != std::string::npos);
  for (const auto& command : kCommands) {
    INFO(command);
    const auto result = clitest::run({command, "--help"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("Example:\n  kvstore " + command) != std::string::npos);
    // The global options too, which CLI11 lists only in the tool's own --help.
    for (const char* global :
         {"--db PATH", "--namespace NS", "-o,--output FORMAT", "--json", "--wide", "-q,--quiet"}) {
      CHECK(result.out.find(global) != std::string::npos);
    }
  }
}

TEST_CASE("usage errors exit 2 with one line on stderr", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "g", "k", "v"}).exit_code == 0);
  const std::vector<std::vector<std::string>> cases = {
      {"--db", store.path()},                            // no command
      {"frobnicate"},                                    // unknown command
      {"get", "g"},                                      // missing key
      {"get", "g", "k", "--no-such-option"},             // unknown option
      {"set", "g", "k"},                                 // no value nor --file
      {"set", "g", "k", "v", "--file", "x"},             // both
      {"set", "g", "k", "v", "--ttl", "10"},             // a duration needs a unit
      {"set", "g", "k", "v", "--ttl", "10parsec"},       // unknown unit
      {"set", "g", "k", "v", "--ttl", "0s"},             // not positive
      {"set", "--type", "json", "g", "k", "{\"a\": }"},  // not JSON
      {"set", "--type", "yaml", "g", "k", "v"},          // no such type
      {"--namespace", "not a namespace", "get", "g", "k"},
      {"render", "g", "{{#unclosed}}"},       // template syntax error
      {"render", "g", "@/no/such/template"},  // unreadable template file
      {"import", "/no/such/export.json"},
      {"export", "--group", "g", "--prefix", "p"},  // mutually exclusive
      {"count", "a", "b"},                          // too many arguments
  };
  for (const auto& args : cases) {
    std::string shown;
    for (const auto& arg : args) shown += arg + " ";
    INFO("kvstore " << shown);
    const auto result = store.cli(args);
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(one_error_line(result));
    CHECK(result.out.empty());
  }
  CHECK(store.cli({"get", "g", "k"}).out == "v\n");  // nothing was changed
}

TEST_CASE("set, get and del: values, not found and exit codes", "[cli]") {
  StoreFile store;
  auto set = store.cli({"set", "config", "theme", "dark mode"});
  CHECK(set.exit_code == 0);
  CHECK(set.out == "stored config/theme\n");
  CHECK(std::filesystem::exists(store.path()));

  auto get = store.cli({"get", "config", "theme"});
  CHECK(get.exit_code == 0);
  CHECK(get.out == "dark mode\n");
  CHECK(get.err.empty());

  const auto missing = store.cli({"get", "config", "font"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "kvstore: get: config/font: not found\n");
  CHECK(missing.out.empty());

  CHECK(store.cli({"set", "config", "theme", "light"}).exit_code == 0);
  CHECK(store.cli({"get", "config", "theme"}).out == "light\n");

  const auto del = store.cli({"del", "config", "theme"});
  CHECK(del.exit_code == 0);
  CHECK(del.out == "deleted config/theme\n");
  CHECK(store.cli({"get", "config", "theme"}).exit_code == 1);
  const auto again = store.cli({"del", "config", "theme"});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "kvstore: del: config/theme: not found\n");

  // Global options may come after the subcommand; --quiet silences confirmations.
  const auto quiet = store.cli({"set", "config", "empty", "", "--quiet"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(store.cli({"get", "config", "empty"}).out == "\n");
}

TEST_CASE("set --ttl and ttl report the time left", "[cli]") {
  StoreFile store;
  CHECK(store.cli({"set", "session", "token", "abc", "--ttl", "10m"}).out ==
        "stored session/token (expires in 10m)\n");
  CHECK(store.cli({"set", "session", "user", "ada"}).exit_code == 0);

  const auto ttl = store.cli({"--json", "ttl", "session", "token"});
  REQUIRE(ttl.exit_code == 0);
  const auto doc = json::parse(ttl.out);
  CHECK(doc["group"] == "session");
  CHECK(doc["key"] == "token");
  CHECK(doc["ttl_ms"].get<long long>() > 0);
  CHECK(doc["ttl_ms"].get<long long>() <= 600000);
  CHECK(doc["expires_at"].get<std::string>().ends_with("Z"));

  const auto plain = store.cli({"ttl", "session", "token"});
  CHECK(plain.exit_code == 0);
  CHECK((plain.out.starts_with("9m") || plain.out == "10m\n"));

  CHECK(store.cli({"ttl", "session", "user"}).out == "none\n");
  CHECK(json::parse(store.cli({"--json", "ttl", "session", "user"}).out)["ttl_ms"].is_null());
  CHECK(store.cli({"ttl", "session", "nobody"}).exit_code == 1);

  // A fractional duration with a unit.
  CHECK(store.cli({"set", "session", "short", "x", "--ttl", "1.5h"}).out ==
        "stored session/short (expires in 1h30m)\n");
}

TEST_CASE("expire and persist change a key's TTL and keep its value", "[cli]") {
  StoreFile store;
  CHECK(store.cli({"set", "session", "token", "abc"}).exit_code == 0);
  CHECK(store.cli({"expire", "session", "token", "10m"}).out == "session/token expires in 10m\n");
  const auto doc = json::parse(store.cli({"--json", "ttl", "session", "token"}).out);
  CHECK(doc["ttl_ms"].get<long long>() > 0);
  CHECK(doc["ttl_ms"].get<long long>() <= 600000);
  CHECK(json::parse(store.cli({"--json", "expire", "session", "token", "1h"}).out)["ttl_ms"] ==
        3600000);

  CHECK(store.cli({"persist", "session", "token"}).out == "session/token no longer expires\n");
  CHECK(store.cli({"ttl", "session", "token"}).out == "none\n");
  CHECK(store.cli({"get", "session", "token"}).out == "abc\n");

  CHECK(store.cli({"expire", "session", "nobody", "1m"}).exit_code == 1);
  CHECK(store.cli({"persist", "session", "nobody"}).exit_code == 1);
  CHECK(store.cli({"expire", "session", "token", "0s"}).exit_code == 2);
  CHECK(store.cli({"expire", "session", "token"}).exit_code == 2);
}

TEST_CASE("set --type json accepts only a JSON value and stores it as given", "[cli]") {
  StoreFile store;
  CHECK(store.cli({"set", "--type", "json", "config", "limits", "{\"max\": 10}"}).exit_code == 0);
  CHECK(store.cli({"get", "config", "limits"}).out == "{\"max\": 10}\n");

  const auto bad =
      store.cli({"set", "config", "limits", "{\"max\": 10,\n\"min\" 1}", "--type", "json"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("value:2:7: invalid JSON") != std::string::npos);
  CHECK(store.cli({"get", "config", "limits"}).out == "{\"max\": 10}\n");
}

TEST_CASE("set followed by --json means machine output, as anywhere else", "[cli]") {
  StoreFile store;
  const auto result = store.cli({"set", "config", "limits", "{\"max\": 10}", "--json"});
  REQUIRE(result.exit_code == 0);
  CHECK(json::parse(result.out)["key"] == "limits");
  // Not validation: a value that is not JSON is stored all the same.
  CHECK(store.cli({"set", "g", "k", "not json", "--json"}).exit_code == 0);
}

TEST_CASE("set --ttl reads durations as Go and systemd write them", "[cli][duration]") {
  StoreFile store;
  const auto set = store.cli({"--json", "set", "g", "k", "v", "--ttl", "1h30m"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(json::parse(set.out)["ttl_ms"] == 90 * 60 * 1000);
  const auto bad = store.cli({"set", "g", "k", "v", "--ttl", "1h3x"});
  CHECK(bad.exit_code == 2);
  CHECK(kvtest::contains(bad.err, "invalid duration '1h3x': expected e.g. 90s, 10m, 1h30m"));
  const auto zero = store.cli({"set", "g", "k", "v", "--ttl", "0s"});
  CHECK(zero.exit_code == 2);
  CHECK(kvtest::contains(zero.err, "omit --ttl for no expiry"));
  const auto help = store.cli({"set", "--help"});
  CHECK(kvtest::contains(help.out, "--ttl DURATION"));
  CHECK_FALSE(kvtest::contains(help.out, "FLOAT"));
}

TEST_CASE("set --file stores bytes exactly; JSON marks them base64", "[cli]") {
  StoreFile store;
  const std::string bytes(
      "\xff\x00\x01"
      "abc",
      6);
  clitest::RunOptions stdin_bytes;
  stdin_bytes.input = bytes;
  CHECK(store.cli({"set", "bin", "blob", "--file", "-"}, stdin_bytes).exit_code == 0);
  CHECK(store.cli({"get", "bin", "blob"}).out == bytes + "\n");

  const auto doc = json::parse(store.cli({"--json", "get", "bin", "blob"}).out);
  CHECK(doc["encoding"] == "base64");
  CHECK(doc["value"] == "/wABYWJj");
  CHECK(doc["expires_at"].is_null());

  std::ofstream(store.dir().file("text.txt")) << "from a file\n";
  CHECK(store.cli({"set", "bin", "text", "-f", store.dir().file("text.txt")}).exit_code == 0);
  const auto text = json::parse(store.cli({"--json", "get", "bin", "text"}).out);
  CHECK(text["value"] == "from a file\n");
  CHECK_FALSE(text.contains("encoding"));
}

TEST_CASE("groups, keys and count list what the store holds", "[cli]") {
  StoreFile store;
  for (const auto& [group, key] : std::vector<std::pair<std::string, std::string>>{
           {"app.config", "a"}, {"app.config", "b"}, {"app.users", "ada"}, {"other", "x"}}) {
    REQUIRE(store.cli({"set", group, key, group + "-" + key}).exit_code == 0);
  }
  CHECK(store.cli({"groups"}).out == "app.config\t2\napp.users\t1\nother\t1\n");
  CHECK(store.cli({"groups", "app."}).out == "app.config\t2\napp.users\t1\n");
  CHECK(store.cli({"groups", "zzz"}).out.empty());

  CHECK(store.cli({"keys", "app.config"}).out == "a\nb\n");
  CHECK(store.cli({"keys", "app.config", "--values"}).out ==
        "a\tapp.config-a\tnone\nb\tapp.config-b\tnone\n");
  const auto no_group = store.cli({"keys", "nothing"});
  CHECK(no_group.exit_code == 1);
  CHECK(no_group.err == "kvstore: keys: nothing: group not found\n");

  CHECK(store.cli({"count"}).out == "4\n");
  CHECK(store.cli({"count", "app.config"}).out == "2\n");
  CHECK(store.cli({"count", "nothing"}).out == "0\n");
}

TEST_CASE("cli: --json output of the read and write commands parses back", "[cli]") {
  StoreFile store;
  const auto set = json::parse(store.cli({"--json", "set", "g", "k", "v", "--ttl", "1h"}).out);
  CHECK(set["group"] == "g");
  CHECK(set["key"] == "k");
  CHECK(set["ttl_ms"] == 3600000);
  REQUIRE(store.cli({"set", "g", "plain", "p"}).exit_code == 0);

  const auto get = json::parse(store.cli({"--json", "get", "g", "plain"}).out);
  CHECK(get == json{{"group", "g"}, {"key", "plain"}, {"value", "p"}, {"expires_at", nullptr}});

  const auto groups = json::parse(store.cli({"groups", "--json"}).out);
  CHECK(groups == json::array({{{"group", "g"}, {"keys", 2}}}));

  const auto keys = json::parse(store.cli({"--json", "keys", "g"}).out);
  CHECK(keys == json::array({{{"key", "k"}}, {{"key", "plain"}}}));
  const auto values = json::parse(store.cli({"--json", "keys", "g", "-v"}).out);
  REQUIRE(values.size() == 2);
  CHECK(values[0]["value"] == "v");
  CHECK(values[0]["expires_at"].is_string());
  CHECK(values[1]["value"] == "p");
  CHECK(values[1]["expires_at"].is_null());

  CHECK(json::parse(store.cli({"--json", "count"}).out) == json{{"count", 2}});
  CHECK(json::parse(store.cli({"--json", "count", "g"}).out) == json{{"count", 2}, {"group", "g"}});

  const auto del = json::parse(store.cli({"--json", "del", "g", "k"}).out);
  CHECK(del == json{{"group", "g"}, {"key", "k"}, {"deleted", true}});
  CHECK(json::parse(store.cli({"--json", "render", "g", "[{{plain}}]"}).out) ==
        json{{"output", "[p]"}});
}

TEST_CASE("render fills a template from a group, inline or from a file", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "user", "name", "Ada"}).exit_code == 0);
  REQUIRE(store.cli({"set", "user", "lang", "C++ & <templates>"}).exit_code == 0);
  CHECK(store.cli({"render", "user", "{{name}} writes {{lang}}{{missing}}"}).out ==
        "Ada writes C++ & <templates>\n");

  std::ofstream(store.dir().file("greeting.mustache")) << "Hello {{name}}\n";
  CHECK(store.cli({"render", "user", "@" + store.dir().file("greeting.mustache")}).out ==
        "Hello Ada\n");

  const auto missing = store.cli({"render", "nobody", "{{name}}"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "kvstore: render: nobody: group not found\n");
}

TEST_CASE("purge deletes expired keys", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "s", "gone", "x", "--ttl", "1ms"}).exit_code == 0);
  REQUIRE(store.cli({"set", "s", "kept", "y"}).exit_code == 0);
  REQUIRE(kvtest::eventually([&] { return store.cli({"get", "s", "gone"}).exit_code == 1; }));
  CHECK(json::parse(store.cli({"--json", "purge"}).out) == json{{"purged", 1}});
  CHECK(store.cli({"purge"}).out == "purged 0 expired keys\n");
  CHECK(store.cli({"get", "s", "kept"}).out == "y\n");
}

TEST_CASE("the database is --db, else $KVSTORE_DB, else ./kvstore.db", "[cli]") {
  kvtest::TempDir dir;
  clitest::RunOptions in_dir;
  in_dir.cwd = dir.path().string();
  CHECK(clitest::run({"set", "g", "k", "default"}, in_dir).exit_code == 0);
  CHECK(std::filesystem::exists(dir.file("kvstore.db")));

  clitest::RunOptions with_env = in_dir;
  with_env.env = {"KVSTORE_DB=" + dir.file("env.db")};
  CHECK(clitest::run({"set", "g", "k", "env"}, with_env).exit_code == 0);
  CHECK(clitest::run({"get", "g", "k"}, with_env).out == "env\n");
  CHECK(clitest::run({"get", "g", "k"}, in_dir).out == "default\n");
  CHECK(clitest::run({"--db", dir.file("kvstore.db"), "get", "g", "k"}, with_env).out ==
        "default\n");
}
