// Concurrent durable writes (issue 19): `set` from 1, 2, 4 and 8 threads on a file, under
// Durability::full and normal, beside
// - `raw/`: the raw sqlite3 baseline with one connection per thread on the same file (WAL, the
//   same synchronous setting, busy_timeout 5 s): the best a raw user gets without batching;
// - `leveldb/`: LevelDB (bench-only dependency; its rows are absent when the build found no
//   LevelDB) with WriteOptions::sync = true under full, false under normal.
// kvstore's threads share one Store, whose writers share commits (group commit). Each thread
// replaces keys of a 100,000-key space (its own walk through it), values of 64 bytes.
//
// Time per iteration is the run's wall time over the iterations of all threads, so the ratio of
// two rows is the inverse ratio of their throughputs. Google Benchmark's real time of a threaded
// run is the mean of each thread's own time, which is less than the run's wall time when the
// threads do not progress evenly: raw SQLite writers that find the database locked sleep in
// their busy handler while one connection makes progress, and the threads that finish first
// made the mean shorter than the time the writes took. So every thread ends its timed region
// only once all threads of the run have done their last write (FinishTogether): each thread's
// time, and their mean, is then the run's wall time.
//
// Targets (the comparison table): 4 threads under full at least 3x raw's throughput and 1.5x
// LevelDB's; 8 threads faster than 4; 4 threads under normal at least 1.5x raw's.
#include <benchmark/benchmark.h>

#include <atomic>
#include <barrier>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#ifdef KVSTORE_BENCH_LEVELDB
#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#endif

#include "baseline.hpp"
#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

constexpr std::size_t kKeySpace = 100'000;
constexpr int kThreadCounts[] = {1, 2, 4, 8};

// Key i of the key space.
std::string key_at(std::size_t i) { return key_name(i % kKeySpace); }
// A 64-byte value no earlier write of this process wrote: the runs of one benchmark (Google
// Benchmark's iteration estimates, the repetitions, the other thread counts) walk the same keys,
// and a raw upsert of the bytes a key already holds dirties no page, so it would commit without
// writing or syncing anything (see value_of in support.hpp). The view stays valid until the
// calling thread's next call.
std::string_view next_value64() {
  static std::atomic<std::uint64_t> written{0};
  auto n = written.fetch_add(1, std::memory_order_relaxed);
  thread_local std::string value(64, 'v');
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t d = 0; d < 16; ++d, n >>= 4) value[value.size() - 1 - d] = kHex[n & 15];
  return value;
}

const char* mode_name(kvstore::Durability durability) {
  return durability == kvstore::Durability::full ? "full" : "normal";
}

// The directory of every file of this bench, removed at exit.
const TempDir& directory() {
  static const TempDir dir;
  return dir;
}

// One shared instance of T per durability, opened on first use (by any thread) and kept for the
// process: runs with different thread counts write the same file.
template <class T>
T& shared(kvstore::Durability durability) {
  static T normal(directory().file(std::string(T::kName) + "-normal"), kvstore::Durability::normal);
  static T full(directory().file(std::string(T::kName) + "-full"), kvstore::Durability::full);
  return durability == kvstore::Durability::full ? full : normal;
}

struct SharedStore {
  static constexpr const char* kName = "kvstore.db";
  SharedStore(const std::string& path, kvstore::Durability durability)
      : store(Opener<kvstore::Store>::open(path, durability)) {}
  std::unique_ptr<kvstore::Store> store;
};

// The file of the raw runs, created (with its table, in WAL mode) before any thread opens its
// own connection to it.
struct RawFile {
  static constexpr const char* kName = "raw.db";
  RawFile(const std::string& path, kvstore::Durability durability)
      : path(path), creator(path, durability) {}
  std::string path;
  raw::PlainStore creator;
};

// Called by every thread of a run after each of its writes, in the timed region: after its last
// write, waits until the run's other threads have done their last one (see the top of the file).
// A thread that leaves its loop early (a write threw) arrives on leaving, so that the others do
// not wait for it.
class FinishTogether {
 public:
  explicit FinishTogether(const benchmark::State& state) : state_(state) {}
  ~FinishTogether() {
    if (done_ < state_.max_iterations) static_cast<void>(barrier_of(state_.threads()).arrive());
  }
  FinishTogether(const FinishTogether&) = delete;
  FinishTogether& operator=(const FinishTogether&) = delete;

  void after_write() {
    if (++done_ == state_.max_iterations) barrier_of(state_.threads()).arrive_and_wait();
  }

 private:
  // One barrier per thread count, as runs with the same count never overlap.
  static std::barrier<>& barrier_of(int threads) {
    static std::barrier<> one(1), two(2), four(4), eight(8);
    switch (threads) {
      case 1:
        return one;
      case 2:
        return two;
      case 4:
        return four;
      default:
        return eight;
    }
  }
  const benchmark::State& state_;
  benchmark::IterationCount done_ = 0;
};

// The timed loop of every thread of every row: set(key, value) once per iteration, on keys from
// where thread t starts in the key space (apart from the others), each with a new value.
template <class Set>
void write_keys(benchmark::State& state, Set&& set) {
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * (kKeySpace / 8) * 7;
  FinishTogether finish(state);
  for (auto _ : state) {
    set(key_at(i++), next_value64());
    finish.after_write();
  }
}

template <kvstore::Durability D>
void kvstore_set(benchmark::State& state) {
  kvstore::Store& store = *shared<SharedStore>(D).store;
  write_keys(state, [&](const std::string& key, std::string_view value) {
    store.set(kGroup, key, value);
  });
}

template <kvstore::Durability D>
void raw_set(benchmark::State& state) {
  raw::PlainStore connection(shared<RawFile>(D).path, D);  // this thread's own
  write_keys(state, [&](const std::string& key, std::string_view value) {
    connection.set(kGroup, key, value);
  });
}

#ifdef KVSTORE_BENCH_LEVELDB
struct LevelDb {
  static constexpr const char* kName = "leveldb";
  LevelDb(const std::string& path, kvstore::Durability durability) {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* opened = nullptr;
    const auto status = leveldb::DB::Open(options, path, &opened);
    if (!status.ok()) throw std::runtime_error("leveldb: " + status.ToString());
    db.reset(opened);
    write.sync = durability == kvstore::Durability::full;
  }
  std::unique_ptr<leveldb::DB> db;
  leveldb::WriteOptions write;
};

template <kvstore::Durability D>
void leveldb_set(benchmark::State& state) {
  LevelDb& level = shared<LevelDb>(D);
  write_keys(state, [&](const std::string& key, std::string_view value) {
    // The group as a key prefix, as a key-value store on LevelDB would keep it.
    const auto status = level.db->Put(level.write, std::string(kGroup) + "/" + key,
                                      leveldb::Slice(value.data(), value.size()));
    if (!status.ok()) throw std::runtime_error("leveldb: " + status.ToString());  // or_skip
  });
}
#endif

template <kvstore::Durability D>
void register_mode() {
  const std::string op = std::string("concurrent_set/") + mode_name(D);
  for (const int threads : kThreadCounts) {
    const Configure configure = [threads](benchmark::internal::Benchmark* b) {
      b->Threads(threads)->MinTime(1.0);
    };
    register_one("kvstore", op, or_skip<kvstore_set<D>>, configure);
    register_one("raw", op, or_skip<raw_set<D>>, configure);
#ifdef KVSTORE_BENCH_LEVELDB
    register_one("leveldb", op, or_skip<leveldb_set<D>>, configure);
#endif
  }
}

const bool registered = [] {
  register_mode<kvstore::Durability::full>();
  register_mode<kvstore::Durability::normal>();
  // Time ratios: 1/3 is 3x the throughput.
  set_ratio_target("concurrent_set/full/threads:4", 1.0 / 3);
  set_ratio_target("concurrent_set/normal/threads:4", 1.0 / 1.5);
  add_comparison("kvstore/concurrent_set/full/threads:4", "leveldb/concurrent_set/full/threads:4",
                 1.0 / 1.5);
  add_comparison("kvstore/concurrent_set/full/threads:8", "kvstore/concurrent_set/full/threads:4",
                 1.0);
  add_comparison("kvstore/concurrent_set/normal/threads:4",
                 "leveldb/concurrent_set/normal/threads:4");
  return true;
}();

}  // namespace
}  // namespace kvbench
