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

// No background purge; looks for other connections' commits on the file's notifications, and
// every `poll` where they are unavailable.
inline kvstore::Options feed_options(std::chrono::milliseconds poll = 10ms) {
  auto options = no_purge();
  options.external_poll_interval = poll;
  return options;
}

// feed_options() without the file's notifications: the feed looks only every `poll`, so a long
// one means it does not look before the test's own write does.
inline kvstore::Options polling_only(std::chrono::milliseconds poll) {
  auto options = feed_options(poll);
  options.external_notifications = false;
  return options;
}

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
