// Set-ups the events tests share, for TEST_CASE_METHOD. Each opens its Store once per backend
// (the case runs on a file and on ":memory:", see kvtest::each_backend) with no background purge.
#pragma once

#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>

#include "backends.hpp"
#include "event_support.hpp"
#include "support.hpp"

namespace kvtest {

// A Store under a Watchdog named after the test case, for the tests whose failure would be a
// hang. The watchdog is made first and goes last, so it also covers closing the Store.
struct GuardedStore {
  Watchdog dog{Catch::getResultCapture().getCurrentTestName()};
  const BackendLocation backend = each_backend();
  kvstore::Store store{backend.path(), no_purge()};
};

// A Store that counts what it publishes: a watcher on every group and the on_change calls. For
// the checks that something publishes nothing.
struct CountedStore {
  const BackendLocation backend = each_backend();
  kvstore::Store store{backend.path(), no_purge()};
  kvstore::Watcher watcher = store.watch("*");
  int calls = 0;
  kvstore::Subscription subscription = store.on_change([this](const Event&) { ++calls; });

  // Writes a sentinel and checks that it is the next event: anything published by mistake
  // before it would come out of the queue first.
  void check_sentinel_is_next() {
    store.set("g", "sentinel", "v");
    CHECK(next_event(watcher).key == "sentinel");
  }
};

}  // namespace kvtest
