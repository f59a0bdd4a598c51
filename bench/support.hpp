// Helpers shared by the bench_*.cpp files: where a benchmark's database lives, how each kind of
// store is opened, test data, and registration of kvstore/raw pairs.
//
// Naming: every measured operation <op> is registered once per implementation, as
// `kvstore/<op>`, `raw/<op>` (the raw sqlite3 baseline, baseline.hpp) and, where one exists,
// `memlayer/<op>`. The ratio table (ratio_reporter.hpp) pairs them by that name.
#pragma once

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "baseline.hpp"
#include "kvstore/store.hpp"

namespace kvbench {

using namespace std::chrono_literals;

// Where a benchmark's database lives.
enum class Location { memory, file_normal, file_full };

// A fresh directory under the system temp dir (TMPDIR), removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kvstore-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("kvstore bench: mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// How each implementation is opened: by default S(path, durability), as the raw baselines are.
template <class S>
struct Opener {
  static std::unique_ptr<S> open(const std::string& path, kvstore::Durability durability) {
    return std::make_unique<S>(path, durability);
  }
};

// kvstore's background thread is off: no purge (purge_interval = 0) and, for files, no polling
// for other connections' commits (external_poll_interval = 0). It would only add a thread waking
// up during the measurement, and the baseline has none.
template <>
struct Opener<kvstore::Store> {
  static std::unique_ptr<kvstore::Store> open(const std::string& path,
                                              kvstore::Durability durability) {
    kvstore::Options options;
    options.purge_interval = 0ms;
    options.external_poll_interval = 0ms;
    options.durability = durability;
    return std::make_unique<kvstore::Store>(path, std::move(options));
  }
};

// A store of type S at `location`; a file-backed one lives in its own temp dir, removed (with
// the -wal and -shm files) after the store is closed.
template <class S>
class Db {
 public:
  explicit Db(Location location = Location::memory) {
    if (location == Location::memory) {
      store_ = Opener<S>::open(":memory:", kvstore::Durability::normal);
    } else {
      dir_.emplace();
      store_ = Opener<S>::open(dir_->file("bench.db"), location == Location::file_full
                                                           ? kvstore::Durability::full
                                                           : kvstore::Durability::normal);
    }
  }
  S& operator*() const { return *store_; }
  S* operator->() const { return store_.get(); }

 private:
  std::optional<TempDir> dir_;  // declared first: removed after the store is closed
  std::unique_ptr<S> store_;
};

inline constexpr std::string_view kGroup = "bench";
// A small value, typical of configuration and session data.
inline constexpr std::string_view kValue = "value-0123456789abcdef0123456789";

// kValue with its last 16 characters replaced by i in hex, so that consecutive sets of a key
// really change its row: SQLite does not even dirty a page when an UPDATE rewrites identical
// bytes, which would let a raw upsert of an unchanged value skip the write (and the fsync).
// The view stays valid until the calling thread's next call.
inline std::string_view value_of(std::size_t i) {
  thread_local std::string value(kValue);
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t d = 0; d < 16; ++d, i >>= 4) value[value.size() - 1 - d] = kHex[i & 15];
  return value;
}

// "key:" + i zero-padded to 6 digits: keys sort in the order of i up to 999,999.
inline std::string key_name(std::size_t i) {
  const std::string digits = std::to_string(i);
  return "key:" + std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits;
}

// keys()[i] == key_name(i); 10,000 distinct keys, built once.
inline const std::vector<std::string>& keys() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < 10000; ++i) out.push_back(key_name(i));
    return out;
  }();
  return all;
}

// Sets the first n keys() of `group` in one transaction (untimed setup).
template <class S>
void fill(S& store, std::size_t n, std::string_view group = kGroup) {
  store.transaction([&](auto& tx) {
    for (std::size_t i = 0; i < n; ++i) tx.set(group, keys()[i], kValue);
  });
}

// The keys a benchmark that replaces existing keys cycles through: keys()[0..kRewrittenKeys),
// filled before timing.
inline constexpr std::size_t kRewrittenKeys = 1000;

// Iteration i of such a benchmark: replaces one existing key with a new value.
template <class S>
void rewrite(S& store, std::size_t i) {
  store.set(kGroup, keys()[i % kRewrittenKeys], value_of(i));
}

using Configure = std::function<void(benchmark::internal::Benchmark*)>;
using BenchFn = void (*)(benchmark::State&);

// Runs Fn; an exception ends that benchmark with an error (SkipWithError) instead of the whole
// run: for benchmarks whose setup depends on the system (files, processes, pipes).
template <BenchFn Fn>
void or_skip(benchmark::State& state) {
  try {
    Fn(state);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// Registers `<prefix>/<op>`; `configure` adds Args, Threads, ... to it. Every benchmark uses
// real time to choose its iteration count (UseRealTime, which appends /real_time to the name):
// the ratio table compares real times, and a run that waits (fsync, a lock) would otherwise
// spin until it has burnt min_time of CPU.
inline benchmark::internal::Benchmark* register_one(std::string_view prefix, std::string_view op,
                                                    BenchFn fn, const Configure& configure = {}) {
  auto* b = benchmark::RegisterBenchmark((std::string(prefix) + "/" + std::string(op)).c_str(), fn)
                ->UseRealTime();
  if (configure) configure(b);
  return b;
}

// Registers `kvstore/<op>` and, right after it, `raw/<op>` with the same configuration, so the
// two run back to back and see the same machine conditions.
inline void register_pair(std::string_view op, BenchFn kvstore_fn, BenchFn raw_fn,
                          const Configure& configure = {}) {
  register_one("kvstore", op, kvstore_fn, configure);
  register_one("raw", op, raw_fn, configure);
}

}  // namespace kvbench
