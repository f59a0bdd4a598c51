// LastModifiedStore workers (lastmodstore's phase 7): the worker pool on its own, and the
// layer's periodic jobs (cleanup, validation, checkpoint) with and without a cleanup interval.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "last_modified_support.hpp"
#include "util/worker_pool.hpp"

using namespace std::chrono_literals;
using kvstore::detail::WorkerPool;
using lmtest::config_with;
using lmtest::Fixture;
using lmtest::Running;

// ---- the pool ----

TEST_CASE("WorkerPool: runs every job on its workers, in FIFO order per worker",
          "[lastmod][posix][proc]") {
  const auto before = lmtest::thread_count();
  std::atomic<int> done{0};
  std::mutex mutex;
  std::set<std::thread::id> ran_on;
  {
    WorkerPool pool(3);
    CHECK(pool.size() == 3);
    CHECK(lmtest::thread_count() == before + 3);
    for (int i = 0; i < 100; ++i) {
      REQUIRE(pool.submit([&] {
        {
          std::lock_guard lock(mutex);
          ran_on.insert(std::this_thread::get_id());
        }
        ++done;
      }));
    }
    REQUIRE(kvtest::eventually([&] { return done == 100; }));
    CHECK(pool.jobs_run() == 100);
    CHECK(pool.jobs_failed() == 0);
  }
  CHECK(ran_on.count(std::this_thread::get_id()) == 0);
  CHECK(lmtest::thread_count() == before);  // the destructor joined every worker
}

TEST_CASE("WorkerPool: a throwing job is counted and its worker goes on", "[lastmod]") {
  WorkerPool pool(1);  // one worker: every job below runs on it
  std::atomic<int> done{0};
  pool.submit([] { throw std::runtime_error("job failed"); });
  pool.submit([] { throw 42; });  // not even a std::exception
  pool.submit([&] { ++done; });
  REQUIRE(kvtest::eventually([&] { return done == 1; }));
  CHECK(pool.jobs_failed() == 2);
  CHECK(pool.jobs_run() == 3);
}

TEST_CASE("WorkerPool: shutdown drains the queue, then refuses jobs", "[lastmod]") {
  WorkerPool pool(2);
  lmtest::Gate gate;
  std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) {
    pool.submit([&] {
      gate.wait();
      ++done;
    });
  }
  std::thread opener([&] { gate.open(); });
  pool.shutdown();  // waits for the 10 queued jobs
  opener.join();
  CHECK(done == 10);
  CHECK_FALSE(pool.submit([] {}));
  pool.shutdown();  // idempotent
  CHECK(pool.jobs_run() == 10);
}

TEST_CASE("WorkerPool: request_stop never blocks, also from inside a job", "[lastmod]") {
  const auto before = lmtest::thread_count();
  WorkerPool pool(2);
  std::atomic<bool> requested{false};
  pool.submit([&] {
    pool.request_stop();
    requested = true;
  });
  REQUIRE(kvtest::eventually([&] { return requested.load(); }));
  CHECK_FALSE(pool.submit([] {}));
  // The workers end on their own once the queue is empty.
  CHECK(kvtest::eventually([&] { return lmtest::thread_count() == before; }));
  pool.shutdown();
}

TEST_CASE("WorkerPool: shared counters outlive the pool", "[lastmod]") {
  auto counters = std::make_shared<WorkerPool::Counters>();
  for (int round = 0; round < 2; ++round) {
    WorkerPool pool(1, counters);
    pool.submit([] {});
    pool.submit([] { throw std::runtime_error("x"); });
  }
  CHECK(counters->run == 4);
  CHECK(counters->failed == 2);
}

// ---- the layer's workers and jobs ----

TEST_CASE("LastModifiedStore workers: without cleanup, only the workers run",
          "[lastmod][posix][proc]") {
  Fixture f(config_with(0, 3));
  const auto before = lmtest::thread_count();
  f.layer.start();
  CHECK(lmtest::thread_count() == before + 3);  // no ticker
  f.layer.set_with_ttl("g", "k", "v", 1ms);
  f.layer.set("g", "kept", "v");
  (void)f.layer.get("g", "kept");
  const auto stats = f.layer.stats();
  CHECK(stats.cleanup_runs == 0);
  CHECK(stats.jobs_run == 0);
  f.layer.shutdown();
  CHECK(lmtest::thread_count() == before);
}

TEST_CASE("LastModifiedStore workers: with cleanup, the ticker submits the jobs",
          "[lastmod][posix][proc]") {
  Fixture f(config_with(0, 2, 2ms));
  const auto before = lmtest::thread_count();
  f.layer.start();
  CHECK(lmtest::thread_count() == before + 3);  // 2 workers + the ticker
  // Every tick submits cleanup, validation and checkpoint.
  REQUIRE(kvtest::eventually([&] {
    const auto stats = f.layer.stats();
    return stats.cleanup_runs >= 3 && stats.jobs_run >= 9;
  }));
  CHECK(f.layer.stats().jobs_failed == 0);
  f.layer.shutdown();
  CHECK(lmtest::thread_count() == before);
}

TEST_CASE("LastModifiedStore workers: cleanup purges expired items from memory and the Store",
          "[lastmod]") {
  Running f(config_with(0, 2, 2ms));
  std::atomic<int> purged{0};
  const auto subscription = f.store.on_change([&](const kvstore::Event& event) {
    if (event.type == kvstore::EventType::expire) ++purged;
  });
  for (int i = 0; i < 5; ++i) f.layer.set_with_ttl("g", "k" + std::to_string(i), "v", 1ms);
  f.layer.set("g", "kept", "v");
  // Nobody reads the keys: only the cleanup job can delete them.
  REQUIRE(kvtest::eventually([&] { return purged == 5; }));
  CHECK(kvtest::eventually([&] { return f.layer.stats().expirations == 5; }));
  CHECK(f.layer.size() == 1);
  CHECK(f.store.count("g") == 1);
}

TEST_CASE("LastModifiedStore workers: a failing job is counted and the workers go on",
          "[lastmod]") {
  kvtest::TempDir dir;
  const std::string path = dir.file("db.sqlite");
  { kvstore::Store writer(path, lmtest::quiet_options()); }  // create the file
  kvstore::Options options = lmtest::quiet_options();
  options.read_only = true;  // cleanup's purge_expired() throws on a read-only Store
  kvstore::Store store(path, options);
  kvstore::LastModifiedStore layer(store, config_with(0, 1, 2ms));
  layer.start();
  REQUIRE(kvtest::eventually([&] { return layer.stats().jobs_failed >= 3; }));
  // The single worker survived every failure: jobs still run, and succeed where they can.
  const auto run = layer.stats().jobs_run;
  REQUIRE(kvtest::eventually([&] { return layer.stats().jobs_run > run + 3; }));
  CHECK(layer.stats().cleanup_runs == 0);
  CHECK(layer.stats().jobs_failed < layer.stats().jobs_run);
  CHECK(layer.is_running());
}
