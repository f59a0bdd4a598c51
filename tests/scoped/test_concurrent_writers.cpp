// Many threads writing through a ScopedStore with a quota at once: their writes share group
// commits (Store::Impl's write queue), yet each caller gets its own outcome, the quota holds
// exactly, and the events are the committed writes in commit order, each delivered on its
// writer's thread before its call returns.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstddef>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "support.hpp"

namespace {

constexpr std::size_t kThreads = 8;
constexpr std::size_t kWritesPerThread = 2500;
constexpr std::size_t kWrites = kThreads * kWritesPerThread;
constexpr std::size_t kQuota = kWrites - kWrites / 10;  // a tenth of the writes is refused

std::string key_of(std::size_t write) { return "k" + std::to_string(write); }
std::string value_of(std::size_t write) { return "v" + std::to_string(write * 7); }
// The write a key names (they are all distinct).
std::size_t write_of(const std::string& key) { return std::stoul(key.substr(1)); }

}  // namespace

TEST_CASE("8 writers under a quota: own outcomes, the model, events in commit order",
          "[scoped][quota][group_commit]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), kvtest::no_purge());
  kvstore::ScopedStore scoped(store, "tenant", kvstore::QuotaConfig{kQuota, 0});

  std::mutex events_mutex;
  std::vector<kvstore::Event> events;
  std::vector<std::thread::id> delivered_on;
  std::vector<std::atomic<bool>> delivered(kWrites);
  const auto subscription = store.on_change([&](const kvstore::Event& event) {
    const std::lock_guard lock(events_mutex);
    events.push_back(event);
    delivered_on.push_back(std::this_thread::get_id());
    delivered[write_of(event.key)] = true;
  });

  std::vector<char> stored(kWrites, 0);  // each write's outcome, by its own caller
  std::vector<char> delivered_before_return(kWrites, 0);
  std::vector<std::size_t> other_errors(kThreads, 0);
  std::vector<std::thread::id> writer_ids(kThreads);
  std::vector<std::thread> writers;
  for (std::size_t t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      writer_ids[t] = std::this_thread::get_id();
      for (std::size_t j = 0; j < kWritesPerThread; ++j) {
        const auto write = t * kWritesPerThread + j;
        try {
          scoped.set("g" + std::to_string(t), key_of(write), value_of(write));
          stored[write] = 1;
          delivered_before_return[write] = delivered[write] ? 1 : 0;
        } catch (const kvstore::QuotaExceeded&) {
        } catch (...) {
          ++other_errors[t];
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();

  std::size_t stored_count = 0;
  for (std::size_t write = 0; write < kWrites; ++write) {
    const auto thread = write / kWritesPerThread;
    const auto value = scoped.get("g" + std::to_string(thread), key_of(write));
    if (stored[write]) {
      ++stored_count;
      if (value != value_of(write)) FAIL("write " << write << " acknowledged but not stored");
      if (!delivered_before_return[write]) FAIL("write " << write << " returned before its event");
    } else if (value) {
      FAIL("write " << write << " refused but stored");
    }
  }
  for (const auto errors : other_errors) CHECK(errors == 0);
  CHECK(stored_count == kQuota);

  // One event per committed write, in commit order; each writer's own in its program order; each
  // on its writer's thread.
  REQUIRE(events.size() == kQuota);
  std::vector<std::size_t> last_of_thread(kThreads, 0);
  std::vector<bool> seen(kWrites, false);
  for (std::size_t e = 0; e < events.size(); ++e) {
    const auto write = write_of(events[e].key);
    const auto thread = write / kWritesPerThread;
    if (e > 0 && events[e].revision <= events[e - 1].revision)
      FAIL("event " << e << " out of order");
    if (!stored[write] || seen[write]) FAIL("event " << e << " is no acknowledged write");
    if (write < last_of_thread[thread]) FAIL("writer " << thread << "'s events out of order");
    if (delivered_on[e] != writer_ids[thread]) FAIL("event " << e << " on another thread");
    seen[write] = true;
    last_of_thread[thread] = write + 1;
  }
  CHECK(store.revision() == events.back().revision);
}
