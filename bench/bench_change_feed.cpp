// The change feed (issue 5): what the change log costs a write, and how long a commit takes to
// reach another process.
//
//   kvstore/change_log_set/memory, raw/change_log_set/memory
//   kvstore/change_log_set/file_full, raw/change_log_set/file_full
//       Store::set (which appends to the change log in the same transaction) beside one raw
//       upsert (baseline.hpp), each timed set replacing one of kRewrittenKeys existing keys
//       (support.hpp). Targets (ratio table): <= 1.5 on ":memory:", <= 1.2 on a file with
//       Durability::full.
//
//   kvstore/change_feed_latency/notify, kvstore/change_feed_latency/poll_100ms
//       Commit in process A to delivery in process B, B's Store woken by the file's notifications
//       (the default: inotify on Linux) or, with external_notifications = false, polling at the
//       default external_poll_interval (100 ms). The benchmark forks a child (B) that opens the
//       same file and watches the group; the parent (A) then commits KVSTORE_BENCH_FEED_WRITES
//       (default 50) sets to distinct keys, one every ~20 ms (the sleep shapes the load, it
//       synchronizes nothing), each value holding the steady clock (system-wide on Linux) read
//       right before the set. B records, per event, the steady clock at delivery minus the
//       value, and sends back through a pipe how many it received and their median, p99
//       (nearest rank: with 50 samples the p99 is the largest) and max, shown as the counters
//       received, median_ms, p99_ms and max_ms. The child does not exec: it only opens its own
//       Store after fork. If it does not answer in time it is killed and the benchmark reports
//       an error. Targets (issue 20): notify median <= 2 ms, p99 <= 10 ms.
//
//   kvstore/change_feed_idle_wakeups/notify, kvstore/change_feed_idle_wakeups/poll_100ms
//       An open file Store with one watcher and nothing happening, looking the same two ways:
//       the voluntary context switches of this process's threads other than the measuring one
//       (/proc/self/task/*/status; the Store's background thread is the only other) over
//       KVSTORE_BENCH_IDLE_SECONDS (default 10), shown as wakeups_per_s. Target (issue 20):
//       notify <= 1 per second.
#include <benchmark/benchmark.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "baseline.hpp"
#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

// ---- the change log's cost ----

template <class S, Location L>
void change_log_set(benchmark::State& state) {
  Db<S> db(L);
  fill(*db, kRewrittenKeys);
  std::size_t i = 0;
  for (auto _ : state) rewrite(*db, i++);
}

template <Location L>
void change_log_pair(std::string_view op) {
  register_pair(op, change_log_set<kvstore::Store, L>, change_log_set<raw::PlainStore, L>);
}

// ---- cross-process latency ----

constexpr std::string_view kLatencyGroup = "latency";
constexpr auto kWriteSpacing = 20ms;

std::size_t feed_writes() {
  const char* text = std::getenv("KVSTORE_BENCH_FEED_WRITES");
  const long n = text ? std::strtol(text, nullptr, 10) : 0;
  return n > 0 ? static_cast<std::size_t>(n) : 50;
}

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What the child sends back: trivially copyable, written to the pipe whole.
struct Delivery {
  std::uint32_t received = 0;
  double median_ms = 0, p99_ms = 0, max_ms = 0;
  std::array<char, 200> error{};  // empty on success
};

// The value at rank ceil(q * n) of the sorted samples (nearest-rank percentile).
double percentile(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

void write_all(int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("change feed latency: pipe write failed");
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Reads exactly `size` bytes, waiting at most until `deadline`; false on timeout or EOF.
bool read_all(int fd, void* data, std::size_t size,
              std::chrono::steady_clock::time_point deadline) {
  auto* bytes = static_cast<char*>(data);
  while (size > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd readable{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&readable, 1, static_cast<int>(left.count())) <= 0) return false;
    const ssize_t n = read(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// How the watching Store looks for other processes' commits: default Options, woken by the file's
// notifications or polling every external_poll_interval (100 ms).
kvstore::Options looking(bool notifications) {
  kvstore::Options options;
  options.external_notifications = notifications;
  return options;
}

// Process B: watches, signals `ready_fd` once watching, then measures `writes` deliveries.
Delivery watch_deliveries(const std::string& path, bool notifications, std::size_t writes,
                          int ready_fd, std::chrono::steady_clock::time_point deadline) {
  kvstore::Store store(path, looking(notifications));
  auto watcher = store.watch(kLatencyGroup, "*", std::nullopt, writes);
  write_all(ready_fd, "r", 1);
  std::vector<double> latencies_ms;
  while (latencies_ms.size() < writes && std::chrono::steady_clock::now() < deadline) {
    const auto event = watcher.next(100ms);
    if (!event || !event->value) continue;  // no value: written again before it was read
    const auto received = steady_ns();
    latencies_ms.push_back(static_cast<double>(received - std::stoll(*event->value)) / 1e6);
  }
  Delivery delivery;
  delivery.received = static_cast<std::uint32_t>(latencies_ms.size());
  if (latencies_ms.empty()) return delivery;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  delivery.median_ms = percentile(latencies_ms, 0.5);
  delivery.p99_ms = percentile(latencies_ms, 0.99);
  delivery.max_ms = latencies_ms.back();
  return delivery;
}

[[noreturn]] void run_child(const std::string& path, bool notifications, std::size_t writes,
                            int ready_fd, int result_fd,
                            std::chrono::steady_clock::time_point deadline) {
  Delivery delivery;
  try {
    delivery = watch_deliveries(path, notifications, writes, ready_fd, deadline);
  } catch (const std::exception& e) {
    std::strncpy(delivery.error.data(), e.what(), delivery.error.size() - 1);
  }
  try {
    write_all(result_fd, &delivery, sizeof delivery);
  } catch (...) {
    _exit(1);
  }
  _exit(0);  // no static destructors, no atexit handlers of the parent's state
}

// A pipe whose ends close on destruction.
struct Pipe {
  Pipe() {
    if (pipe(fds.data()) != 0) throw std::runtime_error("change feed latency: pipe failed");
  }
  ~Pipe() {
    for (const int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  void close_end(int end) {
    close(fds[end]);
    fds[end] = -1;
  }
  std::array<int, 2> fds{-1, -1};
};

// The forked child: killed and reaped unless it exited by itself.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool exited_cleanly() {
    int status = 0;
    const bool reaped = waitpid(pid_, &status, 0) == pid_;
    pid_ = -1;
    return reaped && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

 private:
  pid_t pid_;
};

template <bool Notifications>
void measure_feed_latency(benchmark::State& state) {
  const std::size_t writes = feed_writes();
  Delivery delivery;
  for (auto _ : state) {
    TempDir dir;
    const std::string path = dir.file("feed.db");
    // The schema exists before either side opens the file for the measurement.
    Opener<kvstore::Store>::open(path, kvstore::Durability::normal).reset();
    const auto deadline =
        std::chrono::steady_clock::now() + static_cast<int>(writes) * kWriteSpacing + 10s;
    Pipe ready, result;
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("change feed latency: fork failed");
    if (pid == 0) run_child(path, Notifications, writes, ready.fds[1], result.fds[1], deadline);
    Child child(pid);
    ready.close_end(1);
    result.close_end(1);

    auto writer = Opener<kvstore::Store>::open(path, kvstore::Durability::normal);
    char byte;
    if (!read_all(ready.fds[0], &byte, 1, deadline)) {
      // A child that failed to start says why on the result pipe before it exits.
      const bool told = read_all(result.fds[0], &delivery, sizeof delivery,
                                 std::chrono::steady_clock::now() + 1s);
      throw std::runtime_error("change feed latency: the watching process did not start: " +
                               std::string(told ? delivery.error.data() : "no answer"));
    }
    for (std::size_t k = 0; k < writes; ++k) {
      writer->set(kLatencyGroup, key_name(k), std::to_string(steady_ns()));
      std::this_thread::sleep_for(kWriteSpacing);
    }
    if (!read_all(result.fds[0], &delivery, sizeof delivery, deadline) || !child.exited_cleanly()) {
      throw std::runtime_error("change feed latency: no answer from the watching process");
    }
    if (delivery.error[0] != '\0') {
      throw std::runtime_error("change feed latency: watching process: " +
                               std::string(delivery.error.data()));
    }
  }
  state.counters["writes"] = static_cast<double>(writes);
  state.counters["received"] = delivery.received;
  state.counters["median_ms"] = delivery.median_ms;
  state.counters["p99_ms"] = delivery.p99_ms;
  state.counters["max_ms"] = delivery.max_ms;
}

// ---- idle wake-ups ----

std::chrono::seconds idle_seconds() {
  const char* text = std::getenv("KVSTORE_BENCH_IDLE_SECONDS");
  const long n = text ? std::strtol(text, nullptr, 10) : 0;
  return std::chrono::seconds(n > 0 ? n : 10);
}

// The voluntary context switches of every thread of this process but the calling one.
std::uint64_t other_threads_switches() {
  const auto self = std::to_string(static_cast<long>(syscall(SYS_gettid)));
  std::uint64_t total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    if (task.path().filename() == self) continue;
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      constexpr std::string_view kField = "voluntary_ctxt_switches:";
      if (line.rfind(kField, 0) == 0) total += std::stoull(line.substr(kField.size()));
    }
  }
  return total;
}

template <bool Notifications>
void measure_idle_wakeups(benchmark::State& state) {
  const auto seconds = idle_seconds();
  double per_second = 0;
  for (auto _ : state) {
    TempDir dir;
    auto options = looking(Notifications);
    options.purge_interval = 0ms;  // the change feed is the background thread's only task
    kvstore::Store store(dir.file("idle.db"), options);
    auto watcher = store.watch("*");
    std::this_thread::sleep_for(200ms);  // past the thread's start and its first look
    const auto before = other_threads_switches();
    std::this_thread::sleep_for(seconds);
    const auto after = other_threads_switches();
    per_second = static_cast<double>(after - before) / static_cast<double>(seconds.count());
  }
  state.counters["seconds"] = static_cast<double>(seconds.count());
  state.counters["wakeups_per_s"] = per_second;
}

const bool registered = [] {
  change_log_pair<Location::memory>("change_log_set/memory");
  change_log_pair<Location::file_full>("change_log_set/file_full");
  set_ratio_target("change_log_set/memory", 1.5);
  set_ratio_target("change_log_set/file_full", 1.2);
  // One iteration is one whole exchange (~writes * 20 ms), or one idle period.
  const auto once = [](auto* b) { b->Iterations(1)->Unit(benchmark::kMillisecond); };
  register_one("kvstore", "change_feed_latency/notify", or_skip<measure_feed_latency<true>>, once);
  register_one("kvstore", "change_feed_latency/poll_100ms", or_skip<measure_feed_latency<false>>,
               once);
  register_one("kvstore", "change_feed_idle_wakeups/notify", or_skip<measure_idle_wakeups<true>>,
               once);
  register_one("kvstore", "change_feed_idle_wakeups/poll_100ms",
               or_skip<measure_idle_wakeups<false>>, once);
  return true;
}();

}  // namespace
}  // namespace kvbench
