// -o/--output: table, tsv (escaped: one record per line), json, jsonl; tables cut long values
// unless --wide; groups prints counts in every format; an export imports back unchanged.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::StoreFile;
using kvtest::contains;
using nlohmann::json;

namespace {

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("cli output: tsv escapes tab, newline, carriage return and backslash", "[cli][output]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "g", "multi", "line1\nline2\tcol\r\\end"}).exit_code == 0);
  REQUIRE(store.cli({"set", "g", "plain", "v"}).exit_code == 0);
  const std::string expected = "multi\tline1\\nline2\\tcol\\r\\\\end\tnone\nplain\tv\tnone\n";
  CHECK(store.cli({"keys", "g", "-v"}).out == expected);  // tsv: the default off a terminal
  CHECK(store.cli({"-o", "tsv", "keys", "g", "-v"}).out == expected);
  CHECK(store.cli({"keys", "g", "-v", "--output", "tsv"}).out == expected);
  // get prints one value, not records: its bytes as they are.
  CHECK(store.cli({"get", "g", "multi"}).out == "line1\nline2\tcol\r\\end\n");
}

TEST_CASE("cli output: json and jsonl", "[cli][output]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "g", "a", "1"}).exit_code == 0);
  REQUIRE(store.cli({"set", "g", "b", "x\ny"}).exit_code == 0);
  const auto document = store.cli({"-o", "json", "keys", "g", "-v"});
  CHECK(lines(document.out) == 1);
  CHECK(json::parse(document.out).size() == 2);
  CHECK(store.cli({"--json", "keys", "g", "-v"}).out == document.out);

  const auto jsonl = store.cli({"-o", "jsonl", "keys", "g", "-v"});
  REQUIRE(lines(jsonl.out) == 2);
  CHECK(json::parse(jsonl.out.substr(0, jsonl.out.find('\n')))["key"] == "a");
  // A single result is one object either way.
  CHECK(json::parse(store.cli({"-o", "jsonl", "count"}).out)["count"] == 2);
}

TEST_CASE("cli output: groups prints counts in every format", "[cli][output]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "g", "a", "1"}).exit_code == 0);
  REQUIRE(store.cli({"set", "g", "b", "1"}).exit_code == 0);
  CHECK(store.cli({"groups"}).out == "g\t2\n");
  CHECK(store.cli({"-o", "table", "groups"}).out == "GROUP  KEYS\ng      2\n");
  CHECK(json::parse(store.cli({"-o", "json", "groups"}).out)[0]["keys"] == 2);
  CHECK(json::parse(store.cli({"-o", "jsonl", "groups"}).out)["keys"] == 2);
}

TEST_CASE("cli output: tables cut long values with an ellipsis unless --wide", "[cli][output]") {
  StoreFile store;
  const std::string long_value(3000, 'x');
  REQUIRE(store.cli({"set", "g", "k", long_value}).exit_code == 0);
  const auto table = store.cli({"-o", "table", "keys", "g", "-v"});
  CHECK(contains(table.out, std::string(59, 'x') + "…"));
  CHECK_FALSE(contains(table.out, std::string(61, 'x')));
  const auto wide = store.cli({"-o", "table", "keys", "g", "-v", "--wide"});
  CHECK(contains(wide.out, long_value));
}

TEST_CASE("cli output: an unknown format is a usage error", "[cli][output]") {
  StoreFile store;
  const auto result = store.cli({"-o", "yaml", "count"});
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "--output"));
}

TEST_CASE("cli output: an export with newlines and tabs imports back unchanged", "[cli][output]") {
  StoreFile store;
  const std::string value = "a\tb\nc\\d\re";
  REQUIRE(store.cli({"set", "g", "k\tey", value}).exit_code == 0);
  const auto exported = store.cli({"-o", "tsv", "export"});
  REQUIRE(exported.exit_code == 0);
  StoreFile copy;
  clitest::RunOptions input;
  input.input = exported.out;
  REQUIRE(copy.cli({"import", "-"}, input).exit_code == 0);
  CHECK(copy.cli({"get", "g", "k\tey"}).out == value + "\n");
}
