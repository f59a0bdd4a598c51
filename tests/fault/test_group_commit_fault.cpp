// A group commit that fails fails every write of its batch, and leaves none of them: not on
// disk, not in the counts, no event.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/namespace_counts.hpp"
#include "fault_control.hpp"
#include "fault_support.hpp"
#include "group_commit_rig.hpp"
#include "support.hpp"
#include "util/unix_time.hpp"

TEST_CASE("a batch whose commit fails leaves none of its writes", "[fault][group_commit]") {
  const kvfault_test::CleanControl clean;
  auto& control = kvfault::Control::get();
  const kvtest::TempDir dir;
  auto options = kvtest::no_purge();
  options.external_poll_interval = std::chrono::milliseconds(0);
  options.durability = kvstore::Durability::full;
  const auto path = dir.file("store.db");
  const std::vector<std::string> keys{"a", "b", "c", "d"};
  {
    kvtest::GroupCommitRig rig(path, options);
    std::vector<kvtest::GroupCommitRig::Body> bodies;
    for (const auto& key : keys) {
      bodies.push_back([key](kvstore::detail::HeldStore& held) {
        held.put("ns:g", key, {"v", std::nullopt}, "v", kvstore::detail::now_unix_ms());
      });
    }
    // The batch changes nothing on disk before its commit: its first write to the file is the
    // commit's.
    const auto outcomes = rig.run_together(bodies, [&] {
      control.arm(
          kvfault::Fault{kvfault::vfs_write | kvfault::vfs_sync, 1, SQLITE_IOERR_WRITE, false});
    });
    REQUIRE(control.fired());
    for (const auto& outcome : outcomes) {
      CHECK(outcome.ran_on == outcomes[0].ran_on);
      REQUIRE(outcome.error);
      CHECK_THROWS_AS(std::rethrow_exception(outcome.error), kvstore::StorageError);
    }
    CHECK(rig.events.empty());
    const auto keys_counted = rig.impl.with_connection(
        kvstore::detail::Operation::of("usage"),
        [](kvstore::detail::HeldStore& held) { return held.counts().usage("ns").keys; });
    CHECK(keys_counted == 0);
  }
  kvstore::Store store(path, options);
  for (const auto& key : keys) CHECK_FALSE(store.get("ns:g", key));
  CHECK(store.revision() == 0);
  store.set("ns:g", "after", "v");  // the store works on
  CHECK(store.get("ns:g", "after") == "v");
}

// The failure sweep's question for a batch, at each I/O call a batch of four makes (one of
// them failing on its own): a write that returned is stored and published, a write that threw is
// neither, whichever call fails; and a failure of the commit itself fails all of them.
TEST_CASE("a batch under an I/O error at each of its calls", "[fault][group_commit]") {
  const kvfault_test::CleanControl clean;
  auto& control = kvfault::Control::get();
  const std::vector<std::string> keys{"a", "b", "c", "d"};
  for (std::uint64_t nth = 1;; ++nth) {
    INFO("I/O call " << nth << " of the batch fails");
    control.reset();
    const kvtest::TempDir dir;
    const auto path = dir.file("store.db");
    auto options = kvtest::no_purge();
    options.external_poll_interval = std::chrono::milliseconds(0);
    options.durability = kvstore::Durability::full;
    std::vector<kvtest::BatchOutcome> outcomes;
    std::vector<kvstore::Event> events;
    {
      kvtest::GroupCommitRig rig(path, options);
      std::vector<kvtest::GroupCommitRig::Body> bodies;
      for (const auto& key : keys) {
        bodies.push_back([key](kvstore::detail::HeldStore& held) {
          held.put("ns:g", key, {"v", std::nullopt}, "v", kvstore::detail::now_unix_ms());
          if (key == "c") throw std::runtime_error("c fails on its own");
        });
      }
      outcomes = rig.run_together(bodies, [&] {
        control.arm(kvfault::Fault{kvfault::kIoCalls, nth, SQLITE_IOERR, false});
      });
      events = rig.events;
    }
    const bool fired = control.fired();
    control.reset();
    kvstore::Store store(path, options);
    std::size_t stored = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      INFO("write " << keys[i]);
      const bool present = store.get("ns:g", keys[i]).has_value();
      CHECK(present == !outcomes[i].error);
      if (present) ++stored;
      if (keys[i] == "c") CHECK_FALSE(present);
    }
    CHECK(events.size() == stored);
    CHECK(kvstore::ScopedStore(store, "ns").count("g") == stored);
    CHECK(store.check().empty());  // the namespace counts among them
    if (!fired) {
      CHECK(stored == 3);
      break;  // the batch made fewer I/O calls than nth: every one of them was tried
    }
  }
}
