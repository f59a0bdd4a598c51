// LastModifiedStore shutdown (lastmodstore's shutdown suite): before start, after start,
// idempotent, refuses new work, waits for in-flight operations, stops cleanup, stop_token, and
// no thread left behind. Deadlocks would hang: a Watchdog turns them into failures.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "last_modified_support.hpp"

using namespace std::chrono_literals;
using kvstore::Event;
using kvstore::EventType;
using lmtest::config_with;
using lmtest::Fixture;
using lmtest::Running;

TEST_CASE("LastModifiedStore shutdown: before start is a no-op", "[lastmod]") {
  Fixture f;
  f.layer.shutdown();
  f.layer.shutdown();
  CHECK_FALSE(f.layer.is_running());
  f.layer.start();  // still startable
  CHECK(f.layer.is_running());
}

TEST_CASE("LastModifiedStore shutdown: after start stops and joins every thread",
          "[lastmod][posix][proc]") {
  Fixture f(config_with(0, 4, 1s));
  const auto before = lmtest::thread_count();
  f.layer.start();
  f.layer.set("g", "k", "v");
  CHECK(lmtest::thread_count() == before + 5);
  f.layer.shutdown();
  CHECK_FALSE(f.layer.is_running());
  CHECK(lmtest::thread_count() == before);  // right away: shutdown joined them
  CHECK(f.store.get("g", "k") == "v");
}

TEST_CASE("LastModifiedStore shutdown: is idempotent", "[lastmod]") {
  Running f(config_with(0, 2, 1s));
  f.layer.shutdown();
  f.layer.shutdown();
  CHECK_FALSE(f.layer.is_running());
  CHECK_THROWS_AS(f.layer.get("g", "k"), kvstore::NotRunning);
}

TEST_CASE("LastModifiedStore shutdown: concurrent shutdowns all return", "[lastmod]") {
  lmtest::Watchdog watchdog("concurrent shutdowns");
  Running f(config_with(0, 2, 1ms));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { f.layer.shutdown(); });
  for (auto& thread : threads) thread.join();
  CHECK_FALSE(f.layer.is_running());
}

TEST_CASE("LastModifiedStore shutdown: waits for in-flight operations, refusing new ones",
          "[lastmod]") {
  lmtest::Watchdog watchdog("shutdown waiting for an in-flight set");
  Running f;
  // A Store callback that holds the layer's set("g", "slow") in flight until the gate opens.
  lmtest::Gate entered, release;
  std::atomic<bool> callback_finished{false};
  const auto subscription = f.store.on_change([&](const Event& event) {
    if (event.key != "slow") return;
    entered.open();
    release.wait();
    callback_finished = true;
  });
  std::thread writer([&] { f.layer.set("g", "slow", "v"); });
  entered.wait();
  CHECK(f.layer.stats().in_flight == 1);

  std::atomic<bool> finished_before_return{false};
  std::thread stopper([&] {
    f.layer.shutdown();
    finished_before_return = callback_finished.load();
  });
  // Shutdown has begun: new operations are refused while the set is still in flight.
  REQUIRE(kvtest::eventually([&] { return !f.layer.is_running(); }));
  CHECK_THROWS_AS(f.layer.set("g", "other", "v"), kvstore::NotRunning);
  CHECK_THROWS_AS(f.layer.get("g", "slow"), kvstore::NotRunning);
  CHECK(f.layer.stats().in_flight == 1);

  release.open();
  stopper.join();
  writer.join();
  CHECK(finished_before_return);  // shutdown returned only after the set had finished
  CHECK(f.store.get("g", "slow") == "v");
  CHECK_FALSE(f.store.get("g", "other"));
  CHECK(f.layer.stats().in_flight == 0);
}

TEST_CASE("LastModifiedStore shutdown: stops the cleanup", "[lastmod]") {
  Fixture f(config_with(0, 2, 1ms));
  const auto before = lmtest::thread_count();
  f.layer.start();
  REQUIRE(kvtest::eventually([&] { return f.layer.stats().cleanup_runs >= 2; }));
  f.layer.shutdown();
  const auto runs = f.layer.stats().cleanup_runs;
  // No ticker, no worker is left to run another cleanup.
  CHECK(lmtest::thread_count() == before);
  f.store.set_with_ttl("g", "k", "v", 1ms);
  f.store.purge_expired();
  CHECK(f.layer.stats().cleanup_runs == runs);
}

TEST_CASE("LastModifiedStore shutdown: the destructor shuts down, no thread left",
          "[lastmod][posix][proc]") {
  kvtest::TempDir dir;
  kvstore::Store store(dir.file("db.sqlite"), lmtest::quiet_options());
  const auto before = lmtest::thread_count();
  {
    kvstore::LastModifiedStore layer(store, config_with(0, 3, 1ms));
    layer.start();
    layer.set("g", "k", "v");
    CHECK(lmtest::thread_count() == before + 4);
  }
  CHECK(lmtest::thread_count() == before);
  CHECK(store.get("g", "k") == "v");
  // The layer unsubscribed: writes to the Store no longer reach it.
  store.set("g", "k", "v2");
}

// ---- stop_token ----

TEST_CASE("LastModifiedStore stop_token: a stop request shuts the layer down", "[lastmod]") {
  lmtest::Watchdog watchdog("stop request");
  Fixture f(config_with(0, 2, 1ms));
  const auto before = lmtest::thread_count();
  std::stop_source source;
  f.layer.start(source.get_token());
  f.layer.set("g", "k", "v");
  source.request_stop();
  CHECK_FALSE(f.layer.is_running());  // at once: the request itself refused new operations
  CHECK_THROWS_AS(f.layer.set("g", "k2", "v"), kvstore::NotRunning);
  // The ticker and the workers end on their own...
  CHECK(kvtest::eventually([&] { return lmtest::thread_count() == before; }));
  // ...and shutdown() joins them; the layer can start again.
  f.layer.shutdown();
  f.layer.start();
  CHECK(f.layer.get("g", "k")->value == "v");
}

TEST_CASE("LastModifiedStore stop_token: already stopped at start", "[lastmod]") {
  lmtest::Watchdog watchdog("stop requested before start");
  Fixture f(config_with(0, 2, 1ms));
  const auto before = lmtest::thread_count();
  std::stop_source source;
  source.request_stop();
  f.layer.start(source.get_token());  // the stop callback fires inside start(): no deadlock
  CHECK_FALSE(f.layer.is_running());
  CHECK(kvtest::eventually([&] { return lmtest::thread_count() == before; }));
  f.layer.shutdown();
}

TEST_CASE("LastModifiedStore stop_token: a stop request fired on a worker thread", "[lastmod]") {
  lmtest::Watchdog watchdog("stop request from a worker");
  Fixture f(config_with(0, 2, 1ms));
  const auto before = lmtest::thread_count();
  std::stop_source source;
  std::atomic<bool> requested_on_worker{false};
  const auto main_thread = std::this_thread::get_id();
  // The cleanup job's purge publishes the expiry on the worker running the job; the stop
  // request then runs the layer's stop callback on that worker.
  const auto subscription = f.store.on_change([&](const Event& event) {
    if (event.type != EventType::expire || event.key != "k") return;
    requested_on_worker = std::this_thread::get_id() != main_thread;
    source.request_stop();
  });
  f.layer.start(source.get_token());
  f.layer.set_with_ttl("g", "k", "v", 1ms);
  REQUIRE(kvtest::eventually([&] { return !f.layer.is_running(); }));
  CHECK(requested_on_worker);
  CHECK(kvtest::eventually([&] { return lmtest::thread_count() == before; }));
  f.layer.shutdown();
}

TEST_CASE("LastModifiedStore shutdown: called from inside the layer's own write", "[lastmod]") {
  lmtest::Watchdog watchdog("shutdown from a callback of the layer's write");
  Running f;
  const auto subscription = f.store.on_change([&](const Event& event) {
    if (event.key == "trigger") f.layer.shutdown();  // runs inside layer.set(): must not wait
  });
  f.layer.set("g", "trigger", "v");  // completes normally
  CHECK_FALSE(f.layer.is_running());
  CHECK(f.store.get("g", "trigger") == "v");
  f.layer.shutdown();  // joins
}

TEST_CASE("LastModifiedStore shutdown: racing with operations on other threads", "[lastmod]") {
  lmtest::Watchdog watchdog("shutdown racing with operations");
  Running f(config_with(0, 2, 1ms));
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        try {
          f.layer.set("g", std::to_string(t) + "-" + std::to_string(i % 10), "v");
          (void)f.layer.get("g", std::to_string(t) + "-0");
        } catch (const kvstore::NotRunning&) {
          ++refused;
          return;
        }
      }
    });
  }
  REQUIRE(kvtest::eventually([&] { return f.layer.stats().sets >= 30; }));
  f.layer.shutdown();
  for (auto& thread : threads) thread.join();
  CHECK(refused == 3);
  CHECK(f.layer.stats().in_flight == 0);
}
