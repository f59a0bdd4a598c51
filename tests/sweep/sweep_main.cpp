// The failure sweep: the workload of workload.cpp run again and again, each time with one fault
// at call N of one kind (for every N, or a sample of them), or with the power cut at a sync point
// or at a random call, and every run checked against the model (run.cpp). Like SQLite's I/O-error
// and crash tests and LevelDB's fault_injection_test.
//
//   kvstore_sweep [--points N] [--cuts N] [--tears N] [--seed S] [--jobs J] [--only TEXT]
//
// --points: at most N fault points per kind and setting (0: every one; default 0).
// --cuts: at most N sync points per durability for power cuts, plus N random cut points (0:
//         every sync point and 500 random ones).
// --tears: torn losses per cut at a sync point, each with its own seed (default 4), besides
//          the one that drops every unsynced write.
// --jobs: processes sharing the work (default 1, in this process).
// --only: only the settings whose description contains TEXT (e.g. "disk full").
// --keep: keep the files of each run that broke a promise.
// --counts: print how many calls of each kind the workload makes, and stop.
// Prints "fault points: N, power cuts: M, violations: V" and exits 1 when V > 0.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "fault_file_system.hpp"
#include "fault_vfs.hpp"
#include "run.hpp"
#include "scratch_directory.hpp"
#include "sqlite_malloc_faults.hpp"

namespace {

namespace fs = std::filesystem;
using namespace kvfault;
using sweep::Backend;
using sweep::Plan;

struct Kind {
  const char* name;
  CallSet calls;
  int code;
  bool allocation;  // also swept on ":memory:"; durability does not matter
};

const std::vector<Kind> kKinds = {
    {"write I/O error", vfs_write, SQLITE_IOERR_WRITE, false},
    {"disk full", vfs_write | vfs_truncate, SQLITE_FULL, false},
    {"sync I/O error", vfs_sync, SQLITE_IOERR_FSYNC, false},
    {"read I/O error", vfs_read, SQLITE_IOERR_READ, false},
    {"truncate I/O error", vfs_truncate, SQLITE_IOERR_TRUNCATE, false},
    {"file size I/O error", vfs_file_size, SQLITE_IOERR_FSTAT, false},
    {"lock I/O error", vfs_lock | vfs_check_reserved_lock, SQLITE_IOERR_LOCK, false},
    {"lock busy", vfs_lock, SQLITE_BUSY, false},
    {"shared memory I/O error", vfs_shm_map, SQLITE_IOERR_SHMMAP, false},
    {"open, delete or access error", vfs_open | vfs_delete | vfs_access, SQLITE_IOERR, false},
    {"value file I/O error", kFsCalls, SQLITE_IOERR, false},
    {"value file disk full", fs_write | fs_create | fs_make_directory, SQLITE_FULL, false},
    {"SQLite out of memory", sqlite_malloc, SQLITE_NOMEM, true},
    {"C++ out of memory", cxx_new, SQLITE_NOMEM, true},
};

struct Options {
  std::uint64_t points = 0, cuts = 0, tears = 4, seed = 1;
  int jobs = 1;
  std::string only;
  bool verbose = false;
  bool counts = false;  // only print how many calls of each kind the workload makes
  bool keep = false;    // keep the files of a run that broke a promise (and the sweep's root)
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--points") {
      options.points = std::stoull(value());
    } else if (arg == "--cuts") {
      options.cuts = std::stoull(value());
    } else if (arg == "--tears") {
      options.tears = std::stoull(value());
    } else if (arg == "--seed") {
      options.seed = std::stoull(value());
    } else if (arg == "--jobs") {
      options.jobs = std::max(1, std::stoi(value()));
    } else if (arg == "--only") {
      options.only = value();
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg == "--counts") {
      options.counts = true;
    } else {
      throw std::invalid_argument("unknown argument " + arg);
    }
  }
  return options;
}

// The points 1..total+1 (the last one is past the workload: the fault never fires), or at most
// `limit` of them spread evenly from a random offset, the last always included.
std::vector<std::uint64_t> points(std::uint64_t total, std::uint64_t limit,
                                  std::mt19937_64& random) {
  std::vector<std::uint64_t> out;
  const auto count = total + 1;
  if (limit == 0 || count <= limit) {
    for (std::uint64_t n = 1; n <= count; ++n) out.push_back(n);
    return out;
  }
  const double stride = static_cast<double>(count) / static_cast<double>(limit);
  const double offset = std::uniform_real_distribution<double>(0, stride)(random);
  for (std::uint64_t i = 0; i + 1 < limit; ++i) {
    out.push_back(1 + static_cast<std::uint64_t>(offset + stride * static_cast<double>(i)));
  }
  out.push_back(count);
  return out;
}

struct Totals {
  std::uint64_t points = 0, cuts = 0, violations = 0;
};

// Runs the plans whose index falls to this job.
class Sweeper {
 public:
  Sweeper(const Options& options, int job, const fs::path& root)
      : options_(options), job_(job), root_(root), random_(options.seed) {}

  void print_counts() {
    for (const auto durability : {kvstore::Durability::normal, kvstore::Durability::full}) {
      const auto baseline =
          run_one({Backend::file, durability, {}, {}}, nullptr, "baseline").baseline;
      std::printf("%s:", durability == kvstore::Durability::full ? "full" : "normal");
      for (const Kind& kind : kKinds) {
        std::printf(" %s %llu,", kind.name,
                    static_cast<unsigned long long>(baseline.count(kind.calls)));
      }
      std::printf(" sync points %llu, I/O calls %llu\n",
                  static_cast<unsigned long long>(baseline.count(kSyncCalls)),
                  static_cast<unsigned long long>(baseline.count(kIoCalls)));
    }
  }

  Totals sweep() {
    for (const auto backend : {Backend::file, Backend::memory}) {
      for (const auto durability : {kvstore::Durability::normal, kvstore::Durability::full}) {
        if (backend == Backend::memory && durability == kvstore::Durability::full) continue;
        sweep_setting(backend, durability);
      }
    }
    return totals_;
  }

 private:
  void sweep_setting(Backend backend, kvstore::Durability durability) {
    Plan plan{backend, durability, std::nullopt, std::nullopt};
    const auto baseline = run_one(plan, nullptr, "baseline").baseline;
    for (const Kind& kind : kKinds) {
      if (backend == Backend::memory && !kind.allocation) continue;
      if (kind.allocation && durability == kvstore::Durability::full) continue;
      for (const bool persistent : {false, true}) {
        const auto total = baseline.count(kind.calls);
        for (const auto nth : points(total, options_.points, random_)) {
          plan.fault = Fault{kind.calls, nth, kind.code, persistent};
          if (selected(plan, kind.name)) {
            const auto result = run_one(plan, nullptr, kind.name);
            ++totals_.points;
            if (nth <= total && !result.fired) {
              report(plan, kind.name, {"the fault did not fire: the workload is not repeatable"});
            }
          }
        }
      }
    }
    plan.fault.reset();
    if (backend == Backend::memory) return;
    sweep_cuts(plan, baseline);
  }

  void sweep_cuts(Plan plan, const sweep::Baseline& baseline) {
    const auto syncs = baseline.count(kSyncCalls);
    const auto random_cuts = options_.cuts == 0 ? 500 : options_.cuts;
    for (const auto nth : points(syncs, options_.cuts, random_)) {
      plan.cut = sweep::Cut{kSyncCalls, nth, LossMode::drop, 0};
      cut(plan, baseline);
      for (std::uint64_t tear = 0; tear < options_.tears; ++tear) {
        plan.cut = sweep::Cut{kSyncCalls, nth, LossMode::tear, random_()};
        cut(plan, baseline);
      }
    }
    const auto io = baseline.count(kIoCalls);
    for (std::uint64_t i = 0; i < random_cuts; ++i) {
      plan.cut = sweep::Cut{kIoCalls, 1 + random_() % io, LossMode::tear, random_()};
      cut(plan, baseline);
    }
  }

  void cut(const Plan& plan, const sweep::Baseline& baseline) {
    if (!selected(plan, "power cut")) return;
    run_one(plan, &baseline, "power cut");
    ++totals_.cuts;
  }

  // Whether this job runs the plan (each job takes every jobs-th plan) and --only allows it.
  bool selected(const Plan& plan, const char* kind) {
    const bool mine = plan_index_++ % static_cast<std::uint64_t>(options_.jobs) ==
                      static_cast<std::uint64_t>(job_);
    if (!mine) return false;
    return options_.only.empty() ||
           (std::string(kind) + ", " + plan.describe()).find(options_.only) != std::string::npos;
  }

  sweep::Result run_one(const Plan& plan, const sweep::Baseline* baseline, const char* kind) {
    const auto directory =
        root_ / ("job-" + std::to_string(job_) + "-run-" + std::to_string(runs_++));
    fs::create_directories(directory);
    auto result = sweep::run(plan, directory.string(), baseline);
    if (!result.violations.empty() && options_.keep) {
      std::fprintf(stderr, "kept %s\n", directory.c_str());
    } else {
      fs::remove_all(directory);
    }
    if (!result.violations.empty()) {
      report(plan, kind, result.violations);
    } else if (options_.verbose) {
      std::printf("ok: %s, %s\n", kind, plan.describe().c_str());
    }
    return result;
  }

  void report(const Plan& plan, const char* kind, const std::vector<std::string>& violations) {
    totals_.violations += violations.size();
    std::fprintf(stderr, "VIOLATION with %s, %s:\n", kind, plan.describe().c_str());
    for (const auto& violation : violations) std::fprintf(stderr, "  %s\n", violation.c_str());
  }

  const Options& options_;
  const int job_;
  const fs::path root_;
  std::mt19937_64 random_;
  std::uint64_t plan_index_ = 0;
  std::uint64_t runs_ = 0;
  Totals totals_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse(argc, argv);
    install_sqlite_malloc();
    install_vfs();
    install_file_system();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvstore_sweep: %s\n", e.what());
    return 2;
  }
  Control::get().set_real_sync(false);  // durability is simulated by the journals
  const auto started = std::chrono::steady_clock::now();
  const auto root = kvtest::make_scratch_directory("KVSTORE_SWEEP_DIR", "kvstore-sweep");

  if (options.counts) {
    Sweeper(options, 0, root).print_counts();
    fs::remove_all(root);
    return 0;
  }
  if (options.jobs == 1) {  // in this process, for a debugger
    const auto totals = Sweeper(options, 0, root).sweep();
    if (!options.keep) fs::remove_all(root);
    std::printf("fault points: %llu, power cuts: %llu, violations: %llu (seed %llu)\n",
                static_cast<unsigned long long>(totals.points),
                static_cast<unsigned long long>(totals.cuts),
                static_cast<unsigned long long>(totals.violations),
                static_cast<unsigned long long>(options.seed));
    return totals.violations > 0 ? 1 : 0;
  }
  // Every job runs in a process of its own: the seam is process-wide.
  std::vector<std::pair<pid_t, int>> jobs;
  for (int job = 0; job < options.jobs; ++job) {
    int fds[2];
    if (pipe(fds) != 0) return 2;
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      const auto totals = Sweeper(options, job, root).sweep();
      const std::string line = std::to_string(totals.points) + " " + std::to_string(totals.cuts) +
                               " " + std::to_string(totals.violations) + "\n";
      (void)!write(fds[1], line.data(), line.size());
      _exit(0);
    }
    close(fds[1]);
    jobs.emplace_back(pid, fds[0]);
  }
  Totals totals;
  bool lost_job = false;
  for (const auto& [pid, fd] : jobs) {
    char buffer[128] = {};
    const auto n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
    unsigned long long points = 0, cuts = 0, violations = 0;
    if (n <= 0 || std::sscanf(buffer, "%llu %llu %llu", &points, &cuts, &violations) != 3 ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "kvstore_sweep: job %d died (wait status %d)\n", pid, status);
      lost_job = true;
      continue;
    }
    totals.points += points;
    totals.cuts += cuts;
    totals.violations += violations;
  }
  if (!options.keep) fs::remove_all(root);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  std::printf("fault points: %llu, power cuts: %llu, violations: %llu (%lld s, seed %llu)\n",
              static_cast<unsigned long long>(totals.points),
              static_cast<unsigned long long>(totals.cuts),
              static_cast<unsigned long long>(totals.violations), static_cast<long long>(seconds),
              static_cast<unsigned long long>(options.seed));
  return totals.violations > 0 || lost_job ? 1 : 0;
}
