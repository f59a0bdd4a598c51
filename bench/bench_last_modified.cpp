// The in-memory layer (kvstore::LastModifiedStore) beside the Store it fronts.
//
// Each op is registered three times (support.hpp): `kvstore/<op>` on a Store, `raw/<op>` on the
// raw sqlite3 baseline, and `memlayer/<op>` on a LastModifiedStore in front of a Store, so the
// ratio table shows the layer in its memlayer column. The targets compare memlayer with
// kvstore (the table's ratio column stays kvstore/raw):
//   get_100k/memory/threads:1      memlayer at least 5x faster than kvstore (a hit vs Store::get)
//   get_100k/memory/threads:2      memlayer time per get at most 1/1.6 of its threads:1 time
//                                  (2 reader threads give at least 1.6x the throughput of one)
//   set_100k/memory, set_100k/file_normal
//                                  memlayer within 1.2x of kvstore (write-through costs a commit)
//   get_miss/memory/threads:1      memlayer at most 0.3x kvstore (a remembered absence vs a
//                                  Store miss)
//
// The stores hold the same 100,000 keys, loaded once per process and kept across runs (filling
// and warming them takes longer than a measurement). The layer is warmed before timing: every
// key read once, so each timed get is a hit. Keys are visited in a scattered order
// (i * 7919 mod 100,000), each thread from its own starting point. Time is wall-clock
// (UseRealTime); with 2 threads, per-iteration time is wall time over both threads' iterations.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "baseline.hpp"
#include "kvstore/last_modified_store.hpp"
#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

constexpr std::size_t kKeys = 100'000;

const std::string& key_at(std::size_t i) {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    out.reserve(kKeys);
    for (std::size_t k = 0; k < kKeys; ++k) {
      const std::string digits = std::to_string(k);
      out.push_back("key:" + std::string(6 - digits.size(), '0') + digits);
    }
    return out;
  }();
  return all[(i * 7919) % kKeys];
}

template <class S>
void fill_100k(S& store) {
  store.transaction([&](auto& tx) {
    for (std::size_t i = 0; i < kKeys; ++i) tx.set(kGroup, key_at(i), kValue);
  });
}

// A store of type S at L holding the 100,000 keys; one per process, built on first use.
template <class S, Location L>
class Loaded {
 public:
  static Loaded& instance() {
    static Loaded loaded;
    return loaded;
  }
  auto get(std::string_view group, std::string_view key) { return db_->get(group, key); }
  void set(std::string_view group, std::string_view key, std::string_view value) {
    db_->set(group, key, value);
  }

 private:
  Loaded() : db_(L) { fill_100k(*db_); }
  Db<S> db_;
};

// The layer in front of a Store at L holding the 100,000 keys, started and warmed.
template <Location L>
class Layer {
 public:
  static Layer& instance() {
    static Layer layer;
    return layer;
  }
  auto get(std::string_view group, std::string_view key) { return layer_->get(group, key); }
  void set(std::string_view group, std::string_view key, std::string_view value) {
    layer_->set(group, key, value);
  }

 private:
  Layer() : db_(L) {
    fill_100k(*db_);
    layer_ = std::make_unique<kvstore::LastModifiedStore>(*db_);
    layer_->start();
    // Warm the layer: each get() reads the key into memory.
    for (std::size_t i = 0; i < kKeys; ++i) (void)layer_->get(kGroup, key_at(i));
  }
  Db<kvstore::Store> db_;
  std::unique_ptr<kvstore::LastModifiedStore> layer_;  // stopped before db_ closes
};

// The timed ops, run on any Target (Loaded or Layer).
struct Get100k {
  template <class Target>
  static void run(benchmark::State& state) {
    Target& target = Target::instance();  // thread-safe first use, before the timed loop
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * kKeys / 2;
    for (auto _ : state) benchmark::DoNotOptimize(target.get(kGroup, key_at(i++)));
  }
};

// get of keys the stores do not hold (a miss), 1,000 of them in turn. The layer remembers an
// absence, so after its first pass over them it answers from memory.
struct GetMiss {
  template <class Target>
  static void run(benchmark::State& state) {
    Target& target = Target::instance();
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(target.get("absent", key_at(i++ % 1000)));
  }
};

struct Set100k {
  template <class Target>
  static void run(benchmark::State& state) {
    Target& target = Target::instance();
    std::size_t i = 0;
    for (auto _ : state) {
      target.set(kGroup, key_at(i), value_of(i));
      ++i;
    }
  }
};

// kvstore, raw and memlayer for one op (Raw: the baseline's type, serialized for 2 threads).
template <class Op, Location L, class Raw>
void register_three(std::string_view op, const Configure& configure) {
  register_pair(op, &Op::template run<Loaded<kvstore::Store, L>>, &Op::template run<Loaded<Raw, L>>,
                configure);
  register_one("memlayer", op, &Op::template run<Layer<L>>, configure);
}

const bool registered = [] {
  register_three<Get100k, Location::memory, raw::PlainStore>("get_100k/memory",
                                                             [](auto* b) { b->Threads(1); });
  register_three<Get100k, Location::memory, raw::SerializedStore>("get_100k/memory",
                                                                  [](auto* b) { b->Threads(2); });
  register_three<GetMiss, Location::memory, raw::PlainStore>("get_miss/memory",
                                                             [](auto* b) { b->Threads(1); });
  add_comparison("memlayer/get_miss/memory/threads:1", "kvstore/get_miss/memory/threads:1", 0.3);
  register_three<Set100k, Location::memory, raw::PlainStore>("set_100k/memory", {});
  register_three<Set100k, Location::file_normal, raw::PlainStore>("set_100k/file_normal", {});
  return true;
}();

}  // namespace
}  // namespace kvbench
