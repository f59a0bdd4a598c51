// The history checker (issue 17): several processes, each with several threads, run random
// operations from the whole API on one store file and record every call (interval, result,
// revisions) and every event they receive; then the parent checks the histories against the
// guarantees of the headers (checks.hpp lists the rules). Like Jepsen's and Porcupine's
// linearizability checks, but every value is unique, so each read names the write it saw.
//
//   kvstore_history [--processes P] [--threads T] [--seconds S] [--rounds R] [--seed N]
//                   [--keep] [--cap N]
//   kvstore_history --check DIR
//
// Each round draws new options for each process and uses a new file. Prints one line,
// "operations: N, processes: P, violations: V", with the details of each violation (at most
// --cap in full) on stderr, and exits 1 when V > 0 or a worker died. The files of a round with
// violations are kept (and named), to be checked again with --check.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "round.hpp"
#include "scratch_directory.hpp"

namespace {

namespace fs = std::filesystem;

struct Options {
  int processes = 4, threads = 3, rounds = 4;
  std::chrono::seconds length{15};
  std::uint64_t seed = 0;
  bool seeded = false;
  bool keep = false;     // keep every round's files
  std::size_t cap = 20;  // violations printed in full per round
  std::string check;     // --check DIR: only check the histories there
};

Options parse(int argc, char** argv) {
  Options options;
  const auto positive = [](const std::string& text) { return std::max(1, std::stoi(text)); };
  // The arguments that take a value, and what each sets.
  const std::map<std::string, std::function<void(const std::string&)>> setters = {
      {"--processes", [&](const std::string& v) { options.processes = positive(v); }},
      {"--threads", [&](const std::string& v) { options.threads = positive(v); }},
      {"--seconds",
       [&](const std::string& v) { options.length = std::chrono::seconds(positive(v)); }},
      {"--rounds", [&](const std::string& v) { options.rounds = positive(v); }},
      {"--seed",
       [&](const std::string& v) {
         options.seed = std::stoull(v);
         options.seeded = true;
       }},
      {"--cap", [&](const std::string& v) { options.cap = std::stoull(v); }},
      {"--check", [&](const std::string& v) { options.check = v; }},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--keep") {
      options.keep = true;
      continue;
    }
    const auto setter = setters.find(arg);
    if (setter == setters.end()) throw std::invalid_argument("unknown argument " + arg);
    if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
    setter->second(argv[++i]);
  }
  return options;
}

void print_summary(std::uint64_t operations, int processes, std::uint64_t violations) {
  std::printf("operations: %llu, processes: %d, violations: %llu\n",
              static_cast<unsigned long long>(operations), processes,
              static_cast<unsigned long long>(violations));
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvstore_history: %s\n", e.what());
    return 2;
  }
  if (!options.check.empty()) {
    const auto result = history::check_directory(options.check, options.cap);
    print_summary(result.operations, 0, result.violations);
    return result.violations > 0 ? 1 : 0;
  }
  if (!options.seeded) {
    options.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                              std::chrono::seconds(1));
  }
  std::fprintf(stderr, "kvstore_history: seed %llu\n",
               static_cast<unsigned long long>(options.seed));
  const auto started = std::chrono::steady_clock::now();
  const auto root = kvtest::make_scratch_directory("KVSTORE_HISTORY_DIR", "kvstore-history");
  std::uint64_t operations = 0, violations = 0;
  int died = 0;
  for (int round = 0; round < options.rounds; ++round) {
    const auto directory = root / ("round-" + std::to_string(round));
    fs::create_directories(directory);
    const auto plan = history::draw_round(options.seed, round, options.processes, options.threads,
                                          options.length, directory.string());
    const auto result = history::run_round(plan, options.cap);
    operations += result.operations;
    violations += result.violations;
    died += result.died;
    if (result.violations == 0 && result.died == 0 && !options.keep) fs::remove_all(directory);
  }
  if (fs::is_empty(root)) fs::remove(root);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  print_summary(operations, options.processes, violations);
  std::fprintf(stderr, "kvstore_history: %d rounds in %lld s (seed %llu)%s\n", options.rounds,
               static_cast<long long>(seconds), static_cast<unsigned long long>(options.seed),
               died > 0 ? ", a worker died" : "");
  return violations > 0 || died > 0 ? 1 : 0;
}
