// ScopedStore's quota-checked set of a new key (issue 3) beside plain Store::set of a new key.
//
//   kvstore/scoped_set_new/<n>  ScopedStore::set of a key absent from namespace "tenant", whose
//                               group already holds n keys (max_keys = 1,000,000: every set is
//                               checked, none refused)
//   kvstore/set_new/<n>         Store::set of a key absent from a plain group of n keys
//
// for n = 100, 10,000 and 100,000, on ":memory:" (no disk wait hides the CPU cost). The targets
// are comparisons (ratio_reporter.hpp), not kvstore/raw rows:
//   scoped_set_new/100000 over scoped_set_new/100   <= 1.2  (the check does not scan)
//   scoped_set_new/<n> over set_new/<n>             <= 1.3  (for each n)
// plus, without a target, what the bigger B-tree alone costs: set_new/100000 over set_new/100,
// and the same for raw/set_new/<n>, the raw sqlite3 upsert (baseline.hpp) of the same new keys.
// A ":memory:" store keeps the quota counts in memory (no other connection can exist); a file
// store keeps them in table rows that every connection shares, so the same pair at 10,000 keys
// on a file (Durability::normal) is reported too, without a target:
//   kvstore/scoped_set_new_file/10000, kvstore/set_new_file/10000
//
// Each timed set inserts a key right after an existing one (key_name(j) + "+", j scattered over
// the n keys), so new keys land all over the B-tree rather than at its end. Every kRound sets the
// timer pauses while the round's keys are erased again in one transaction: the group keeps
// between n and n + kRound keys, and every timed set adds a key.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kvstore/scoped_store.hpp"
#include "kvstore/store.hpp"
#include "ratio_reporter.hpp"
#include "support.hpp"

namespace kvbench {
namespace {

constexpr std::size_t kRound = 50;
constexpr double kWarmUpSeconds = 0.2;
constexpr std::size_t kSizes[] = {100, 10'000, 100'000};

// The kRound new keys of the round starting at iteration `first`, none of them stored: each is
// an existing key with "+" appended, and kRound <= n consecutive i give distinct i * 7919 mod n
// (7919 is a prime that divides none of kSizes).
std::vector<std::string> round_keys(std::size_t first, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = first; i < first + kRound; ++i) out.push_back(key_name(i * 7919 % n) + "+");
  return out;
}

// T: a Store, a ScopedStore (whose transaction() is scoped and quota-checked too) or the raw
// baseline.
template <class T>
void set_new_keys(T& target, benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  target.transaction([&](auto& tx) {
    for (std::size_t i = 0; i < n; ++i) tx.set(kGroup, key_name(i), kValue);
  });
  std::vector<std::string> added = round_keys(0, n);
  std::size_t i = 0;
  for (auto _ : state) {
    if (i > 0 && i % kRound == 0) {
      state.PauseTiming();
      target.transaction([&](auto& tx) {
        for (const auto& key : added) tx.erase(kGroup, key);
      });
      added = round_keys(i, n);
      state.ResumeTiming();
    }
    target.set(kGroup, added[i % kRound], kValue);
    ++i;
  }
}

template <Location where>
void plain_set_new(benchmark::State& state) {
  Db<kvstore::Store> db(where);
  set_new_keys(*db, state);
}

template <Location where>
void raw_set_new(benchmark::State& state) {
  Db<raw::PlainStore> db(where);
  set_new_keys(*db, state);
}

template <Location where>
void scoped_set_new(benchmark::State& state) {
  Db<kvstore::Store> db(where);
  kvstore::ScopedStore scope(*db, "tenant", {.max_keys = 1'000'000});
  set_new_keys(scope, state);
}

const bool registered = [] {
  const auto name = [](const char* op, std::size_t n) {
    return "kvstore/" + std::string(op) + "/" + std::to_string(n);
  };
  // Scoped and plain back to back at each size, so that each pair sees the same machine load.
  for (const std::size_t n : kSizes) {
    // The warm-up keeps the first pair from paying for the process's cold caches and heap (the
    // 100-key scoped run measured 5.0-6.7 us without it, depending on what ran before).
    const Configure size = [n](auto* b) {
      b->Arg(static_cast<std::int64_t>(n))->MinWarmUpTime(kWarmUpSeconds);
    };
    register_one("kvstore", "scoped_set_new", scoped_set_new<Location::memory>, size);
    register_one("kvstore", "set_new", plain_set_new<Location::memory>, size);
    register_one("raw", "set_new", raw_set_new<Location::memory>, size);
    add_comparison(name("scoped_set_new", n), name("set_new", n), 1.3);
  }
  // On a file the counts are table rows (a :memory: store counts in memory): reported, no target.
  const Configure file_size = [](auto* b) { b->Arg(10'000)->MinWarmUpTime(kWarmUpSeconds); };
  register_one("kvstore", "scoped_set_new_file", scoped_set_new<Location::file_normal>, file_size);
  register_one("kvstore", "set_new_file", plain_set_new<Location::file_normal>, file_size);
  add_comparison(name("scoped_set_new_file", 10'000), name("set_new_file", 10'000));
  add_comparison(name("scoped_set_new", 100'000), name("scoped_set_new", 100), 1.2);
  add_comparison(name("set_new", 100'000), name("set_new", 100));
  add_comparison("raw/set_new/100000", "raw/set_new/100");
  return true;
}();

}  // namespace
}  // namespace kvbench
