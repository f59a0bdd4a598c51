// Soak: 4 threads of mixed get/set/TTL/erase/transactions, 2 watchers and 1 callback on one
// file-backed Store for KVSTORE_SOAK_SECONDS seconds (default 60). Hidden from the default run
// ("[.soak]"): `kvstore_tests "[soak]"` runs it (tools/test.sh does, tools/long-run.sh longer).
// Each writer owns one group and keeps a model of it; the callback's counts must match the
// writers' committed mutations; resident memory must stay flat after warm-up.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <kvstore/kvstore.hpp>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "event_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWriters = 4;
constexpr int kKeysPerWriter = 200;
constexpr int kTtlKeysPerWriter = 50;
constexpr std::int64_t kMaxRssGrowth = 64LL << 20;  // bytes, after warm-up

std::chrono::seconds soak_duration() {
  const char* text = std::getenv("KVSTORE_SOAK_SECONDS");
  return std::chrono::seconds(text ? std::max(1L, std::strtol(text, nullptr, 10)) : 60L);
}

// VmRSS of this process in bytes (0 if /proc is unavailable).
std::int64_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string field;
  while (status >> field) {
    if (field == "VmRSS:") {
      std::int64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

// What one writer did; read by the main thread after join.
struct WriterReport {
  std::map<std::string, std::string> model;  // the writer's group, as it must be in the store
  std::uint64_t ops = 0, sets = 0, erases = 0, commits = 0, rollbacks = 0;
  std::string failure;  // the first inconsistency or exception, empty if none
};

struct MemoryReport {
  std::atomic<std::int64_t> warm{0}, peak{0};
};

class Writer {
 public:
  Writer(kvstore::Store& store, int id, Clock::time_point warm_at, Clock::time_point end,
         MemoryReport& memory)
      : store_(store),
        group_("soak-" + std::to_string(id)),
        ttl_group_("soak-ttl-" + std::to_string(id)),
        random_(static_cast<unsigned>(id) * 7919u + 1u),
        warm_at_(warm_at),
        end_(end),
        memory_(id == 0 ? &memory : nullptr) {}

  WriterReport run() {
    try {
      while (report_.failure.empty() && Clock::now() < end_) {
        step();
        ++report_.ops;
        if (memory_ && report_.ops % 256 == 0) sample_memory();
      }
      expect(store_.get_all(group_) == report_.model, "final get_all differs from the model");
    } catch (const std::exception& error) {
      report_.failure = std::string("exception: ") + error.what();
    }
    return std::move(report_);
  }

 private:
  void expect(bool condition, const char* what) {
    if (!condition && report_.failure.empty()) report_.failure = group_ + ": " + what;
  }
  int pick(int below) { return std::uniform_int_distribution<int>(0, below - 1)(random_); }
  std::string key() { return "k" + std::to_string(pick(kKeysPerWriter)); }
  std::string value() {
    std::string bytes(static_cast<std::size_t>(pick(64)), '\0');
    for (auto& byte : bytes) byte = static_cast<char>(pick(256));
    return bytes;
  }

  void step() {
    const int roll = pick(100);
    if (roll < 35) {
      const auto k = key(), v = value();
      store_.set(group_, k, v);
      report_.model[k] = v;
      ++report_.sets;
    } else if (roll < 60) {
      const auto k = key();
      const auto found = report_.model.find(k);
      const auto got = store_.get(group_, k);
      expect(found == report_.model.end() ? !got : got == found->second,
             "get differs from the model");
    } else if (roll < 70) {
      const auto k = key();
      const bool existed = report_.model.erase(k) != 0;
      expect(store_.erase(group_, k) == existed, "erase result differs from the model");
      report_.erases += existed ? 1 : 0;
    } else if (roll < 80) {
      store_.set_with_ttl(ttl_group_, "t" + std::to_string(pick(kTtlKeysPerWriter)), value(),
                          std::chrono::milliseconds(1 + pick(50)));
      ++report_.sets;
    } else if (roll < 90) {
      transaction();
    } else if (roll < 95) {
      expect(store_.count(group_) == report_.model.size(), "count differs from the model");
    } else {
      expect(store_.get_all(group_) == report_.model, "get_all differs from the model");
    }
  }

  // A few sets and erases; one in four is rolled back by throwing out of fn.
  void transaction() {
    struct Rollback {};
    auto staged = report_.model;
    std::uint64_t sets = 0, erases = 0;
    const bool roll_back = pick(4) == 0;
    try {
      store_.transaction([&](kvstore::Transaction& tx) {
        for (int i = 0, calls = 2 + pick(4); i < calls; ++i) {
          const auto k = key();
          if (pick(3) == 0) {
            const bool existed = staged.erase(k) != 0;
            expect(tx.erase(group_, k) == existed, "tx.erase differs from the model");
            erases += existed ? 1 : 0;
          } else {
            const auto v = value();
            tx.set(group_, k, v);
            staged[k] = v;
            ++sets;
          }
        }
        expect(tx.count(group_) == staged.size(), "tx.count differs from the model");
        if (roll_back) throw Rollback{};
      });
    } catch (const Rollback&) {
      ++report_.rollbacks;
      return;
    }
    report_.model = std::move(staged);
    report_.sets += sets;
    report_.erases += erases;
    ++report_.commits;
  }

  void sample_memory() {
    const auto rss = resident_bytes();
    if (Clock::now() < warm_at_) return;
    if (memory_->warm.load() == 0) memory_->warm = rss;
    if (rss > memory_->peak.load()) memory_->peak = rss;
  }

  kvstore::Store& store_;
  const std::string group_, ttl_group_;
  std::mt19937 random_;
  const Clock::time_point warm_at_, end_;
  MemoryReport* memory_;  // writer 0 samples resident memory
  WriterReport report_;
};

// Drains a watcher until it is closed; checks that events arrive in commit order.
struct WatcherReport {
  std::uint64_t events = 0, dropped = 0;
  bool in_order = true;
};

WatcherReport drain(kvstore::Watcher& watcher) {
  WatcherReport report;
  std::uint64_t last = 0;
  for (;;) {
    const auto event = watcher.next(200ms);
    if (!event) {
      if (watcher.closed()) break;
      continue;
    }
    report.in_order = report.in_order && event->revision > last;
    last = event->revision;
    ++report.events;
  }
  report.dropped = watcher.dropped();
  return report;
}

}  // namespace

TEST_CASE("soak: 4 writers, 2 watchers and a callback for KVSTORE_SOAK_SECONDS", "[.soak]") {
  kvtest::TempDir dir;
  kvstore::Options options;
  options.purge_interval = 100ms;  // the purge thread expires TTL keys throughout
  kvstore::Store store(dir.file("soak.db"), options);

  std::atomic<std::uint64_t> callback_sets{0}, callback_erases{0}, callback_expires{0};
  auto subscription = store.on_change([&](const kvstore::Event& event) {
    if (event.type == kvstore::EventType::set) ++callback_sets;
    if (event.type == kvstore::EventType::erase) ++callback_erases;
    if (event.type == kvstore::EventType::expire) ++callback_expires;
  });
  std::vector<kvstore::Watcher> watchers;
  watchers.push_back(store.watch("*", "*", std::nullopt, 1024));
  watchers.push_back(store.watch("soak-0", "*", std::nullopt, 64));
  std::vector<WatcherReport> watched(watchers.size());
  std::vector<std::thread> watcher_threads;
  for (std::size_t i = 0; i < watchers.size(); ++i) {
    watcher_threads.emplace_back([&, i] { watched[i] = drain(watchers[i]); });
  }

  const auto duration = soak_duration();
  const kvtest::Watchdog watchdog("soak", duration + 120s);  // every thread must end
  const auto start = Clock::now();
  const auto start_rss = resident_bytes();
  MemoryReport memory;
  std::vector<WriterReport> reports(kWriters);
  std::vector<std::thread> writers;
  for (int id = 0; id < kWriters; ++id) {
    writers.emplace_back([&, id] {
      reports[id] = Writer(store, id, start + duration / 6, start + duration, memory).run();
    });
  }
  for (auto& thread : writers) thread.join();
  const auto end_rss = resident_bytes();
  for (auto& watcher : watchers) watcher.unwatch();
  for (auto& thread : watcher_threads) thread.join();
  subscription.unsubscribe();

  std::uint64_t ops = 0, sets = 0, erases = 0, commits = 0, rollbacks = 0, keys = 0;
  for (const auto& report : reports) {
    INFO(report.failure);
    CHECK(report.failure.empty());
    ops += report.ops;
    sets += report.sets;
    erases += report.erases;
    commits += report.commits;
    rollbacks += report.rollbacks;
    keys += report.model.size();
  }
  // Every committed set and erase reached the callback exactly once; rolled-back ones never.
  CHECK(callback_sets.load() == sets);
  CHECK(callback_erases.load() == erases);
  for (int id = 0; id < kWriters; ++id) {
    CHECK(store.count("soak-" + std::to_string(id)) == reports[id].model.size());
  }
  // Every TTL key expires; then the store holds exactly the writers' models.
  CHECK(kvtest::eventually([&] { return store.count_all("soak-ttl-") == 0; }, 10s));
  CHECK(store.count_all() == keys);
  for (const auto& report : watched) {
    CHECK(report.in_order);
    CHECK(report.events + report.dropped > 0);
  }

  const auto warm = memory.warm.load(), peak = std::max(memory.peak.load(), end_rss);
  std::printf(
      "soak: %lld s, %llu ops (%llu sets, %llu erases, %llu transactions committed, %llu rolled "
      "back), callback saw %llu sets %llu erases %llu expiries; watchers got %llu/%llu events "
      "(%llu/%llu dropped); RSS start %.1f MiB, after warm-up %.1f MiB, peak after %.1f MiB, "
      "end %.1f MiB\n",
      static_cast<long long>(duration.count()), static_cast<unsigned long long>(ops),
      static_cast<unsigned long long>(sets), static_cast<unsigned long long>(erases),
      static_cast<unsigned long long>(commits), static_cast<unsigned long long>(rollbacks),
      static_cast<unsigned long long>(callback_sets.load()),
      static_cast<unsigned long long>(callback_erases.load()),
      static_cast<unsigned long long>(callback_expires.load()),
      static_cast<unsigned long long>(watched[0].events),
      static_cast<unsigned long long>(watched[1].events),
      static_cast<unsigned long long>(watched[0].dropped),
      static_cast<unsigned long long>(watched[1].dropped), start_rss / 1048576.0, warm / 1048576.0,
      peak / 1048576.0, end_rss / 1048576.0);
  REQUIRE(warm > 0);
  CHECK(peak - warm < kMaxRssGrowth);
}
