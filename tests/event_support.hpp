// Helpers shared by the events and change-feed tests.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "support.hpp"

namespace kvtest {

using namespace std::chrono_literals;
using kvstore::Event;
using kvstore::EventType;

// Long enough never to expire on a loaded machine; an event that is due arrives much sooner.
constexpr auto kWait = 5s;

inline kvstore::Options no_purge() {
  kvstore::Options options;
  options.purge_interval = 0ms;
  return options;
}

// No background purge; polls other connections every `poll`.
inline kvstore::Options feed_options(std::chrono::milliseconds poll = 10ms) {
  auto options = no_purge();
  options.external_poll_interval = poll;
  return options;
}

// Aborts the process (failing the test run) if not destroyed within `limit`.
class Watchdog {
 public:
  explicit Watchdog(std::string what, std::chrono::seconds limit = 60s)
      : thread_([this, what = std::move(what), limit] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, limit, [&] { return done_; })) {
            std::fprintf(stderr, "watchdog: '%s' did not finish within %llds (deadlock?)\n",
                         what.c_str(), static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

inline Event next_event(kvstore::Watcher& watcher) {
  auto event = watcher.next(kWait);
  REQUIRE(event.has_value());
  return *event;
}

// Every event queued right now.
inline std::vector<Event> drain(kvstore::Watcher& watcher) {
  std::vector<Event> events;
  while (auto event = watcher.try_next()) events.push_back(*event);
  return events;
}

// Returns once a key given `ttl` before this call has expired (the clock passed its deadline).
inline void wait_past(std::chrono::milliseconds ttl) {
  const auto deadline = kvstore::Clock::now() + ttl + 2ms;
  REQUIRE(kvtest::eventually([&] { return kvstore::Clock::now() >= deadline; }));
}

// What identifies a change, independent of who observed it.
using Change = std::tuple<std::uint64_t, EventType, std::string, std::string>;

inline Change change_of(const Event& e) { return {e.revision, e.type, e.group, e.key}; }

inline std::string describe(const Event& e) {
  return std::to_string(e.revision) + " " + std::string(kvstore::to_string(e.type)) + " " +
         e.group + "/" + e.key + (e.external ? " (external)" : "");
}

}  // namespace kvtest
