// Group commit (Store::Impl::write through core/write_queue.hpp): writes queued while a commit
// runs share the next transaction, each atomic on its own, led by the first of them.
#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "core/namespace_counts.hpp"
#include "group_commit_rig.hpp"
#include "kvstore/errors.hpp"
#include "storage/kv_rows.hpp"
#include "util/unix_time.hpp"

namespace {

using kvstore::detail::HeldStore;
using Body = kvtest::GroupCommitRig::Body;

Body put(std::string key) {
  return [key](HeldStore& held) {
    held.put("ns:g", key, {"v-" + key, std::nullopt}, "v-" + key, kvstore::detail::now_unix_ms());
  };
}

bool present(kvstore::Store::Impl& impl, const std::string& key) {
  return impl.with_connection(kvstore::detail::Operation::of("get"), [&](HeldStore& held) {
    return held.kv().find("ns:g", key, kvstore::detail::now_unix_ms()).has_value();
  });
}

std::size_t keys_counted(kvstore::Store::Impl& impl) {
  return impl.with_connection(kvstore::detail::Operation::of("usage"),
                              [&](HeldStore& held) { return held.counts().usage("ns").keys; });
}

}  // namespace

TEST_CASE("concurrent writes queued behind a commit share one, each with its own outcome",
          "[core][group_commit]") {
  const auto backend = kvtest::each_backend();
  kvtest::GroupCommitRig rig(backend.path(), kvtest::no_purge());
  const std::vector<std::string> keys{"a", "b", "c", "d", "e"};
  std::vector<Body> bodies;
  for (const auto& key : keys) bodies.push_back(put(key));
  // "c" stores its row, then fails: only its savepoint rolls back.
  bodies[2] = [](HeldStore& held) {
    put("c")(held);
    throw std::runtime_error("c fails on its own");
  };

  const auto outcomes = rig.run_together(bodies);

  for (std::size_t i = 0; i < keys.size(); ++i) {
    INFO("write " << keys[i]);
    CHECK(outcomes[i].ran_on == outcomes[0].ran_on);  // one batch, one leader
    CHECK(static_cast<bool>(outcomes[i].error) == (keys[i] == "c"));
    CHECK(present(rig.impl, keys[i]) == (keys[i] != "c"));
  }
  CHECK_THROWS_AS(std::rethrow_exception(outcomes[2].error), kvstore::Error);
  CHECK(keys_counted(rig.impl) == 4);  // on ":memory:" the counts in memory rolled back too

  // One event per committed write, in commit order, each delivered on its own caller's thread.
  REQUIRE(rig.events.size() == 4);
  for (std::size_t e = 0; e < rig.events.size(); ++e) {
    INFO("event " << e << ": " << rig.events[e].key);
    if (e > 0) CHECK(rig.events[e].revision > rig.events[e - 1].revision);
    CHECK(rig.events[e].key != "c");
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == rig.events[e].key) CHECK(rig.delivered_on[e] == outcomes[i].caller);
    }
  }
}

TEST_CASE("a lone set takes in the writes queued before its commit", "[core][group_commit]") {
  // On a file a set needs no savepoint in a transaction, so even alone it leads a batch; on
  // ":memory:" it is one statement and autocommits alone, and the next write leads its own.
  const auto backend = kvtest::each_backend();
  kvtest::GroupCommitRig rig(backend.path(), kvtest::no_purge());
  const auto leader = std::this_thread::get_id();
  std::thread::id late_ran_on;
  std::thread late;
  rig.impl.write_put(kvstore::detail::Operation::of("set"), "g", [&](HeldStore& held) {
    held.put("g", "lone", {"v", std::nullopt}, "v", kvstore::detail::now_unix_ms());
    late = std::thread([&] {
      rig.impl.write(kvstore::detail::Operation::of("set"), [&](HeldStore& late_held) {
        late_ran_on = std::this_thread::get_id();
        put("late")(late_held);
      });
    });
    while (rig.impl.write_queue().size() < 2) std::this_thread::yield();
  });
  late.join();
  CHECK((late_ran_on == leader) == backend.is_file());
  CHECK(present(rig.impl, "late"));
  REQUIRE(rig.events.size() == 2);
  CHECK(rig.events[0].key == "lone");
  CHECK(rig.events[1].key == "late");
  CHECK(rig.delivered_on[0] == leader);
  CHECK(rig.delivered_on[1] != leader);
}

TEST_CASE("a write alone runs on its caller's thread at once", "[core][group_commit]") {
  const auto backend = kvtest::each_backend();
  kvtest::GroupCommitRig rig(backend.path(), kvtest::no_purge());
  std::thread::id ran_on;
  rig.impl.write(kvstore::detail::Operation::of("set"), [&](HeldStore& held) {
    ran_on = std::this_thread::get_id();
    put("alone")(held);
  });
  CHECK(ran_on == std::this_thread::get_id());
  CHECK(present(rig.impl, "alone"));
  REQUIRE(rig.events.size() == 1);
  CHECK(rig.delivered_on[0] == std::this_thread::get_id());
  CHECK(rig.impl.write_queue().size() == 0);
}
