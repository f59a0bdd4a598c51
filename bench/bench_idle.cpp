// Idle wake-ups (issue 20): how often an open store that nothing happens to wakes the CPU.
//
//   kvstore/idle_wakeups/file_watcher
//       A Store on a file with default Options and one Watcher, left alone for an idle window of
//       KVSTORE_BENCH_IDLE_SECONDS (default 3; the target is read over 10). Counts the
//       voluntary context switches (each a thread blocking again after it woke up) of every
//       thread of the process but the measuring one, summed over /proc/self/task/*/status, before
//       and after the window. Counters: wakeups_per_s (target: at most 1), wakeups, threads (the
//       other threads alive at the end of the window). Linux only: elsewhere the benchmark
//       reports an error. One iteration; the time shown is the window's.
#include <benchmark/benchmark.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "kvstore/store.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

double idle_seconds() {
  const char* text = std::getenv("KVSTORE_BENCH_IDLE_SECONDS");
  const double seconds = text ? std::strtod(text, nullptr) : 0;
  return seconds > 0 ? seconds : 3;
}

// The voluntary context switches of one thread, from its /proc status file; 0 if it is gone.
long long voluntary_switches(const std::filesystem::path& task) {
  std::ifstream status(task / "status");
  const std::string field = "voluntary_ctxt_switches:";
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(field.size()));
  }
  return 0;
}

struct Tally {
  long long switches = 0;
  int threads = 0;
};

// The voluntary context switches of every thread of this process but the calling one.
Tally other_threads() {
  const std::filesystem::path tasks = "/proc/self/task";
  if (!std::filesystem::is_directory(tasks)) {
    throw std::runtime_error("idle wake-ups: no /proc/self/task (Linux only)");
  }
  const auto self = std::to_string(::syscall(SYS_gettid));
  Tally tally;
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    if (task.path().filename() == self) continue;
    tally.switches += voluntary_switches(task.path());
    ++tally.threads;
  }
  return tally;
}

void idle_wakeups(benchmark::State& state) {
  const auto window = std::chrono::duration<double>(idle_seconds());
  TempDir dir;
  kvstore::Store store(dir.file("idle.db"));  // default Options, as an application opens it
  auto watcher = store.watch("settings", "*");
  Tally before, after;
  for (auto _ : state) {
    before = other_threads();
    std::this_thread::sleep_for(window);  // the idle window, not a synchronisation
    after = other_threads();
  }
  const double wakeups = static_cast<double>(after.switches - before.switches);
  state.counters["wakeups"] = wakeups;
  state.counters["wakeups_per_s"] = wakeups / window.count();
  state.counters["threads"] = after.threads;
}

const bool registered = [] {
  register_one("kvstore", "idle_wakeups/file_watcher", or_skip<idle_wakeups>,
               [](auto* b) { b->Iterations(1)->Unit(benchmark::kMillisecond); });
  return true;
}();

}  // namespace
}  // namespace kvbench
