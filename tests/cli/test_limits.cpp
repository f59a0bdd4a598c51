// The CLI at the limits of its input: a --ttl that rounds below 1 ms is refused and one too large
// for milliseconds saturates (neither stores the value without a TTL), and an empty --namespace
// is refused instead of meaning the whole store.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::Result;
using clitest::StoreFile;
using nlohmann::json;

namespace {

using kvtest::contains;

bool one_error_line(const Result& result) {
  return result.err.starts_with("kvstore: ") && result.err.ends_with('\n') &&
         std::count(result.err.begin(), result.err.end(), '\n') == 1;
}

}  // namespace

TEST_CASE("cli: set --ttl that rounds below 1 ms is refused and stores nothing", "[cli][limits]") {
  StoreFile store;
  const std::string ttl = GENERATE("0.0001ms", "0.4ms", "0.000000001s", "0s", "0ms");
  INFO("--ttl " << ttl);
  const auto result = store.cli({"set", "g", "k", "v", "--ttl", ttl});
  INFO("stderr: " << result.err);
  CHECK(result.exit_code == 2);
  CHECK(one_error_line(result));
  CHECK(contains(result.err, "--ttl"));
  CHECK(contains(result.err, "1ms"));
  CHECK_FALSE(std::filesystem::exists(store.path()));  // refused before the store was opened
}

TEST_CASE("cli: set --ttl of 1 ms after rounding is accepted", "[cli][limits]") {
  StoreFile store;
  const auto result = store.cli({"--json", "set", "g", "k", "v", "--ttl", "0.5ms"});
  CHECK(result.exit_code == 0);
  CHECK(json::parse(result.out)["ttl_ms"] == 1);
}

TEST_CASE("cli: set --ttl too large for milliseconds saturates to the longest TTL",
          "[cli][limits]") {
  StoreFile store;
  const std::string ttl =
      GENERATE("1000000000000000d", "99999999999999999999999999999ms", "9300000000000000000ms");
  INFO("--ttl " << ttl);
  const auto set = store.cli({"--json", "set", "g", "k", "v", "--ttl", ttl});
  INFO("stderr: " << set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(json::parse(set.out)["ttl_ms"] == std::numeric_limits<std::int64_t>::max());

  const auto left = store.cli({"--json", "ttl", "g", "k"});
  REQUIRE(left.exit_code == 0);
  const auto doc = json::parse(left.out);
  CHECK(doc["ttl_ms"].is_number());  // a TTL, not null ("no TTL")
  CHECK(doc["ttl_ms"].get<long long>() > 0);
  CHECK(doc["expires_at"].is_string());
  CHECK(store.cli({"get", "g", "k"}).out == "v\n");
}

TEST_CASE("cli: an empty --namespace is refused", "[cli][limits]") {
  StoreFile store;
  const std::vector<std::vector<std::string>> cases = {
      {"--namespace", "", "set", "g", "k", "v"},
      {"set", "g", "k", "v", "--namespace", ""},
  };
  for (const auto& args : cases) {
    const auto result = store.cli(args);
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(one_error_line(result));
    CHECK(contains(result.err, "--namespace"));
    CHECK_FALSE(std::filesystem::exists(store.path()));
  }
  // CLI11 reads "--namespace=" as an option still waiting for its value: a usage error too.
  CHECK(store.cli({"--namespace=", "set", "g", "k", "v"}).exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(store.path()));

  REQUIRE(store.cli({"set", "g", "k", "v"}).exit_code == 0);
  const auto read = store.cli({"--namespace", "", "get", "g", "k"});
  CHECK(read.exit_code == 2);
  CHECK(read.out.empty());  // the whole store's g/k is not reached
}
