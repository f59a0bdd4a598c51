// `kvstore completion bash`: a script bash accepts, completing commands, options and formats.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "cli_runner.hpp"
#include "support.hpp"

namespace {

// What the script completes for `words` (the last one being completed), run in bash.
std::string complete(const kvtest::TempDir& dir, const std::string& words) {
  const auto driver = dir.file("driver.sh");
  {
    std::ofstream(driver) << "source '" << dir.file("kvstore.bash") << "'\n"
                          << "COMP_WORDS=(" << words << ")\n"
                          << "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                          << "_kvstore\n"
                          << "echo \"${COMPREPLY[*]}\"\n";
  }
  const std::unique_ptr<FILE, int (*)(FILE*)> bash(popen(("bash " + driver).c_str(), "r"), pclose);
  REQUIRE(bash);
  std::string out;
  char buffer[256];
  while (const auto n = fread(buffer, 1, sizeof buffer, bash.get())) out.append(buffer, n);
  return out;
}

}  // namespace

TEST_CASE("cli completion: bash completes commands, options and formats", "[cli][completion]") {
  const auto script = clitest::run({"completion", "bash"});
  REQUIRE(script.exit_code == 0);
  CHECK(kvtest::contains(script.out, "complete -o default -F _kvstore kvstore"));
  kvtest::TempDir dir;
  { std::ofstream(dir.file("kvstore.bash")) << script.out; }

  CHECK(complete(dir, "kvstore ge") == "get\n");
  CHECK(complete(dir, "kvstore rm-") == "rm-group rm-prefix\n");
  CHECK(complete(dir, "kvstore set g k v --tt") == "--ttl\n");
  CHECK(complete(dir, "kvstore get g k --wi") == "--wide\n");
  CHECK(complete(dir, "kvstore -o js") == "json jsonl\n");

  CHECK(clitest::run({"completion", "zsh"}).exit_code == 2);
}
