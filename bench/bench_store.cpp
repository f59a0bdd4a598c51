// Store's basic operations beside the raw sqlite3 baseline (baseline.hpp).
//
// Each operation is one Op type below, measured by the same template for both implementations:
// `kvstore/<op>` runs it on kvstore::Store, `raw/<op>` on raw::PlainStore (or, with 2 threads,
// on raw::SerializedStore: one connection shared under a mutex, as Store shares its own).
// Every Store is opened with purge_interval = 0ms and external_poll_interval = 0ms (see
// support.hpp): no background thread wakes up during a measurement, and the baseline has none.
//
// Iteration counts follow wall-clock time (register_one sets UseRealTime): the file-backed runs
// spend their time waiting for the disk, and with 2 threads the time per iteration is wall time
// over the iterations of both threads.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <string_view>

#include "baseline.hpp"
#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

// The working set of the single-key operations: keys()[0..kKeys), all present before timing
// starts, so a timed set replaces an existing row and a timed get finds one.
constexpr std::size_t kKeys = 1000;

const std::string& working_key(std::size_t i) { return keys()[i % kKeys]; }

// An Op has prepare(store, state), run untimed before the loop, and step(store, state, i),
// the timed body of iteration i.

struct Set {
  template <class S>
  static void prepare(S& store, benchmark::State&) {
    fill(store, kKeys);
  }
  template <class S>
  static void step(S& store, benchmark::State&, std::size_t i) {
    store.set(kGroup, working_key(i), value_of(i));
  }
};

struct Get {
  template <class S>
  static void prepare(S& store, benchmark::State&) {
    fill(store, kKeys);
  }
  template <class S>
  static void step(S& store, benchmark::State&, std::size_t i) {
    benchmark::DoNotOptimize(store.get(kGroup, working_key(i)));
  }
};

struct SetWithTtl {
  template <class S>
  static void prepare(S& store, benchmark::State&) {
    fill(store, kKeys);
  }
  template <class S>
  static void step(S& store, benchmark::State&, std::size_t i) {
    store.set_with_ttl(kGroup, working_key(i), value_of(i), 1h);
  }
};

// Every timed erase removes a live key. Choice: re-set untimed, in bulk. After kKeys erases
// the working set is empty; the timer pauses while it is set again in one transaction. Pausing
// once per kKeys iterations keeps the timer's own cost out of the figure, which pausing around
// every re-set (or timing erase+set pairs) would not.
struct Erase {
  template <class S>
  static void prepare(S& store, benchmark::State&) {
    fill(store, kKeys);
  }
  template <class S>
  static void step(S& store, benchmark::State& state, std::size_t i) {
    if (i > 0 && i % kKeys == 0) {
      state.PauseTiming();
      fill(store, kKeys);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(store.erase(kGroup, working_key(i)));
  }
};

// count and get_all over a group of state.range(0) keys.
struct Count {
  template <class S>
  static void prepare(S& store, benchmark::State& state) {
    fill(store, static_cast<std::size_t>(state.range(0)));
  }
  template <class S>
  static void step(S& store, benchmark::State&, std::size_t) {
    benchmark::DoNotOptimize(store.count(kGroup));
  }
};

struct GetAll {
  template <class S>
  static void prepare(S& store, benchmark::State& state) {
    fill(store, static_cast<std::size_t>(state.range(0)));
  }
  template <class S>
  static void step(S& store, benchmark::State&, std::size_t) {
    benchmark::DoNotOptimize(store.get_all(kGroup));
  }
};

// One transaction replacing the kKeys keys of the working set.
struct Transaction1000 {
  template <class S>
  static void prepare(S& store, benchmark::State&) {
    fill(store, kKeys);
  }
  template <class S>
  static void step(S& store, benchmark::State&, std::size_t i) {
    store.transaction([&](auto& tx) {
      const auto value = value_of(i);
      for (std::size_t k = 0; k < kKeys; ++k) tx.set(kGroup, keys()[k], value);
    });
  }
};

// With 2 threads: thread 0 sets while thread 1 gets.
struct SetGet {
  template <class S>
  static void prepare(S& store, benchmark::State&) {
    fill(store, kKeys);
  }
  template <class S>
  static void step(S& store, benchmark::State& state, std::size_t i) {
    if (state.thread_index() == 0) {
      Set::step(store, state, i);
    } else {
      Get::step(store, state, i);
    }
  }
};

template <class S, class Op, Location L>
void measure(benchmark::State& state) {
  Db<S> db(L);
  Op::prepare(*db, state);
  std::size_t i = 0;
  for (auto _ : state) Op::step(*db, state, i++);
}

// The store shared by the threads of one measure_shared run.
template <class S>
std::unique_ptr<Db<S>> shared_db;

// Thread 0 opens and prepares the shared store before the loop and closes it after; the
// benchmark library holds every thread at a barrier when the loop starts and when it ends.
// Each thread starts at its own place in the working set.
template <class S, class Op>
void measure_shared(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared_db<S> = std::make_unique<Db<S>>();
    Op::prepare(**shared_db<S>, state);
  }
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * kKeys / 2;
  for (auto _ : state) Op::step(**shared_db<S>, state, i++);
  if (state.thread_index() == 0) shared_db<S>.reset();
}

template <class Op, Location L = Location::memory>
void pair(std::string_view op, const Configure& configure = {}) {
  register_pair(op, measure<kvstore::Store, Op, L>, measure<raw::PlainStore, Op, L>, configure);
}

template <class Op>
void two_thread_pair(std::string_view op) {
  register_pair(op, measure_shared<kvstore::Store, Op>, measure_shared<raw::SerializedStore, Op>,
                [](benchmark::internal::Benchmark* b) { b->Threads(2); });
}

const bool registered = [] {
  pair<Set>("set/memory");
  pair<Get>("get/memory");
  pair<SetWithTtl>("set_with_ttl/memory");
  pair<Erase>("erase/memory");
  pair<Count>("count/memory", [](auto* b) { b->Arg(10'000); });
  // One registration per size (not one with 4 Args) so that each raw run follows its kvstore run.
  for (const int size : {10, 100, 1'000, 10'000}) {
    pair<GetAll>("get_all/memory", [size](auto* b) { b->Arg(size); });
  }
  pair<Set, Location::file_normal>("set/file_normal");
  pair<Set, Location::file_full>("set/file_full");
  pair<Transaction1000>("transaction_1000/memory");
  two_thread_pair<Set>("set/memory");
  two_thread_pair<Get>("get/memory");
  two_thread_pair<SetGet>("set_get/memory");

  // The targets of issue #2.
  set_ratio_target("set/memory", 1.5);
  set_ratio_target("get/memory", 1.5);
  set_ratio_target("transaction_1000/memory", 1.3);
  return true;
}();

}  // namespace
}  // namespace kvbench
