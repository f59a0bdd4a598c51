#include "round.hpp"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "checks.hpp"
#include "keyspace.hpp"
#include "process_support.hpp"
#include "quota_sampler.hpp"
#include "worker.hpp"

namespace history {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long after the deadline a worker may take to finish its last calls, shut down and write
// its history before it counts as hung (a call may wait up to 5 s for a lock, a checkpoint
// for every reader).
constexpr auto kGrace = 60s;

// Creates the file (WAL mode, migrated) before any worker opens it, so that the workers do not
// all race to create it. The Store is closed before the fork: a child must not inherit threads.
void create_store(const std::string& path) {
  kvstore::Options options;
  options.purge_interval = 0ms;
  options.external_poll_interval = 0ms;
  const kvstore::Store store(path, options);
}

// Waits until the child exits or the deadline passes; true if it exited with status 0. A child
// still running is left to the Child's destructor, which kills and reaps it.
bool exited_cleanly(kvtest::Child& child, Clock::time_point deadline) {
  for (;;) {
    siginfo_t info{};
    // WNOWAIT: only look, so that the Child reaps its own pid.
    if (waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == child.pid()) {
      const int status = child.wait();
      return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);  // polling against the deadline, not synchronisation
  }
}

void write_lines(const std::string& path, const std::vector<Line>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& line : lines) out << format(line) << '\n';
  if (!out) throw std::runtime_error("cannot write " + path);
}

// Loads and checks the histories in `directory`; prints what it found under `title`.
RoundResult check_round(const std::string& directory, int processes, const std::string& title,
                        std::size_t cap) {
  RoundResult result;
  History history;
  try {
    history = load_history(directory, processes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: cannot read the histories: %s\n", title.c_str(), e.what());
    result.violations = 1;
    return result;
  }
  const auto final = read_final_state(directory + "/store.db");
  const auto violations = check_history(history, final);
  std::map<std::string, std::uint64_t> outcomes;
  for (const auto& call : history.calls) {
    if (call.op == "background" || call.op == "unexplained") continue;
    ++result.operations;
    ++outcomes[call.outcome];
  }
  std::string tally;
  for (const auto& [outcome, count] : outcomes) {
    tally += (tally.empty() ? "" : ", ") + outcome + " " + std::to_string(count);
  }
  std::fprintf(stderr, "%s: %llu calls (%s), %zu logged changes, %zu violations\n", title.c_str(),
               static_cast<unsigned long long>(result.operations), tally.c_str(), final.log.size(),
               violations.count());
  if (violations.count() > 0) {
    for (const auto& [process, info] : history.processes) {
      std::fprintf(stderr, "  p%d: %s\n", process, info.options.c_str());
    }
    std::fprintf(stderr, "  quota of acme: %llu keys; files in %s\n",
                 static_cast<unsigned long long>(history.max_keys), directory.c_str());
    violations.print(stderr, cap);
  }
  result.violations = violations.count();
  return result;
}

}  // namespace

RoundResult run_round(const RoundPlan& plan, std::size_t cap) {
  create_store(plan.store_path());
  const auto deadline = Clock::now() + plan.length;
  std::vector<std::unique_ptr<kvtest::Child>> children;
  for (int p = 0; p < static_cast<int>(plan.processes.size()); ++p) {
    children.push_back(std::make_unique<kvtest::Child>([&plan, p, deadline] {
      try {
        run_worker(plan, p, deadline);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "worker p%d: %s\n", p, e.what());
        throw;
      }
    }));
  }
  // Threads only once every child is forked.
  QuotaSampler sampler(plan.store_path(), plan.max_keys);
  int died = 0;
  for (std::size_t p = 0; p < children.size(); ++p) {
    if (!exited_cleanly(*children[p], deadline + kGrace)) {
      std::fprintf(stderr, "round %d: worker p%zu died or hung\n", plan.round, p);
      ++died;
    }
  }
  children.clear();
  sampler.stop();
  write_lines(plan.parent_path(), sampler.lines());
  const auto title = "round " + std::to_string(plan.round) + " (seed " + std::to_string(plan.seed) +
                     ", quota " + std::to_string(plan.max_keys) + ")";
  auto result = check_round(plan.directory, static_cast<int>(plan.processes.size()), title, cap);
  result.died = died;
  return result;
}

RoundResult check_directory(const std::string& directory, std::size_t cap) {
  return check_round(directory, count_process_histories(directory), directory, cap);
}

}  // namespace history
