// Checks the change-feed suites share: what the change log kept, and a Store's deliveries of other
// connections' changes through a "*" watcher and an on_change callback at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "event_support.hpp"
#include "support.hpp"

namespace kvtest {

// Checks that the change log holds the changes `first` to `last` (changes_since(first - 1) returns
// them, first and last where they belong): what a purge pass must have kept.
inline void check_logged(kvstore::Store& store, std::uint64_t first, std::uint64_t last) {
  const auto changes = store.changes_since(first - 1);
  REQUIRE(changes.size() == last - first + 1);
  CHECK(changes.front().revision == first);
  CHECK(changes.back().revision == last);
}

// A Store on a fresh file, polling for other connections' commits, that records what it delivers:
// through a "*" watcher large enough never to drop, and to an on_change callback (with the threads
// that ran it). A watchdog turns a delivery that never comes into a failure instead of a hang.
class FeedReceiver {
 public:
  explicit FeedReceiver(std::string what)
      : dog(std::move(what)),
        watcher_(store.watch("*", "*", std::nullopt, 1000)),
        subscription_(store.on_change([this](const Event& e) {
          std::lock_guard lock(mutex_);
          callback_events_.push_back(e);
          callback_threads_.insert(std::this_thread::get_id());
        })) {}

  // Checks that the watcher and the callback each delivered exactly `expected`, in order and
  // marked external. The writers leave k1 untouched after writing "v1": its event carries it.
  void check(const std::vector<Change>& expected) {
    for (const Change& change : expected) {
      const auto event = watcher_.next(kWait);
      REQUIRE(event.has_value());
      INFO("expected revision " << std::get<0>(change) << ", got " << describe(*event));
      CHECK(change_of(*event) == change);
      CHECK(event->external);
      if (event->key == "k1") CHECK(event->value == "v1");
    }
    REQUIRE(eventually([&] {
      std::lock_guard lock(mutex_);
      return callback_events_.size() == expected.size();
    }));
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(change_of(callback_events_[i]) == expected[i]);
      CHECK(callback_events_[i].external);
    }
  }

  // Whether the callback ever ran on the thread `id`.
  bool called_on(std::thread::id id) {
    std::lock_guard lock(mutex_);
    return callback_threads_.count(id) > 0;
  }

  Watchdog dog;  // first: it also watches the set-up
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store store{path, feed_options()};

 private:
  std::mutex mutex_;
  std::vector<Event> callback_events_;
  std::set<std::thread::id> callback_threads_;
  kvstore::Watcher watcher_;
  kvstore::Subscription subscription_;  // last: unsubscribed before what the callback writes to
};

}  // namespace kvtest
