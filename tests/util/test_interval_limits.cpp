// Intervals at the top of their range (milliseconds::max(), 1,000 years): the background purge,
// the change-feed poll and the LastModifiedStore ticker wait "practically forever" instead of
// overflowing into a deadline in the past and running without pause; destruction still wakes
// them at once.
//
// A task that ran would be seen in what it leaves behind (an expired row purged from the file, an
// external event delivered, a cleanup counted), checked after the test's own work: no timing.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <string>

#include "event_support.hpp"
#include "last_modified_support.hpp"
#include "raw_db.hpp"
#include "support.hpp"
#include "util/deadline.hpp"

using namespace std::chrono_literals;
using kvstore::detail::saturating_deadline;
using kvtest::TempDir;
using TimePoint = std::chrono::steady_clock::time_point;

namespace {

constexpr auto kThousandYears =
    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::hours(24) * 365 * 1000);

// The last instant whose whole millisecond the clock can still count.
const auto kLastWholeMs = std::chrono::time_point_cast<std::chrono::milliseconds>(TimePoint::max());

// One of the longest intervals a setting takes; every failure while it lives names the setting and
// the interval.
class LongestInterval {
 public:
  LongestInterval(std::chrono::milliseconds interval, const char* setting)
      : value(interval),
        message_(
            Catch::MessageBuilder("INFO"_catch_sr, CATCH_INTERNAL_LINEINFO, Catch::ResultWas::Info)
            << setting << " " << interval.count() << " ms") {}
  LongestInterval(const LongestInterval&) = delete;
  LongestInterval& operator=(const LongestInterval&) = delete;

  const std::chrono::milliseconds value;

 private:
  Catch::ScopedMessage message_;
};

// Call once, at the top of a TEST_CASE (before any SECTION): the case runs once with each of the
// longest intervals of `setting`.
LongestInterval each_longest_interval(const char* setting) {
  return LongestInterval(GENERATE(std::chrono::milliseconds::max(), kThousandYears), setting);
}

// An expired key whose row is still in the file at `path` (Store::get would delete it).
void leave_expired_row(kvstore::Store& store) {
  store.set_with_ttl("session", "token", "abc", 1ms);
  kvtest::wait_past(1ms);
}

std::int64_t expired_rows(const std::string& path) {
  kvtest::RawDb raw(path);
  return raw.integer("SELECT count(*) FROM kv WHERE grp = 'session' AND key = 'token'");
}

void own_work(kvstore::Store& store) {
  for (int i = 0; i < 200; ++i) store.set("work", "k" + std::to_string(i % 10), std::to_string(i));
}

}  // namespace

TEST_CASE("a Store with the longest purge_interval opens, works and closes promptly",
          "[store][limits]") {
  kvtest::Watchdog watchdog("a Store with the longest purge_interval");
  TempDir dir;
  const auto interval = each_longest_interval("purge_interval");
  auto options = kvtest::no_purge();
  options.purge_interval = interval.value;
  options.external_poll_interval = interval.value;
  {
    kvstore::Store store(dir.file("db.sqlite"), options);
    store.set("g", "k", "v");
    CHECK(store.get("g", "k") == "v");
    // The thread starts with the work: a key with a TTL (the purge), a watcher (the poll).
    store.set_with_ttl("g", "ttl", "v", 1h);
    const auto watcher = store.watch("*");
  }  // the destructor wakes the background thread instead of waiting out the interval
  kvstore::Store memory(":memory:", options);
  memory.set_with_ttl("g", "k", "v", 1h);
  CHECK(memory.get("g", "k") == "v");
}

TEST_CASE("the background purge does not run before the longest purge_interval",
          "[store][limits][ttl]") {
  TempDir dir;
  const auto interval = each_longest_interval("purge_interval");
  const auto path = dir.file("db.sqlite");
  auto options = kvtest::no_purge();
  options.external_poll_interval = 0ms;
  options.purge_interval = interval.value;
  kvstore::Store store(path, options);
  leave_expired_row(store);
  own_work(store);
  CHECK(expired_rows(path) == 1);
}

TEST_CASE("the change feed does not poll before the longest external_poll_interval",
          "[feed][limits]") {
  TempDir dir;
  const auto interval = each_longest_interval("external_poll_interval");
  const auto path = dir.file("db.sqlite");
  kvstore::Store watching(path, kvtest::polling_only(interval.value));
  std::atomic<int> external{0};
  auto subscription = watching.on_change([&](const kvstore::Event& event) {
    if (event.external) ++external;
  });
  kvstore::Store other(path, kvtest::no_purge());
  own_work(other);
  // Reads only: a write of its own would deliver the other's commits ahead of it (commit order),
  // whatever the poll interval.
  for (int i = 0; i < 200; ++i) (void)watching.get("work", "k" + std::to_string(i % 10));
  CHECK(external == 0);
}

TEST_CASE("LastModifiedStore: the longest cleanup_interval never ticks, and shutdown is prompt",
          "[lastmod][limits]") {
  lmtest::Watchdog watchdog("a LastModifiedStore with the longest cleanup_interval");
  const auto interval = each_longest_interval("cleanup_interval");
  lmtest::Running f(lmtest::config_with(0, 1, interval.value));
  leave_expired_row(f.store);
  for (int i = 0; i < 200; ++i) f.layer.set("work", "k" + std::to_string(i % 10), "v");
  CHECK(f.layer.get("work", "k1").has_value());
  CHECK(f.layer.stats().cleanup_runs == 0);
  CHECK(expired_rows(f.path()) == 1);
  f.layer.shutdown();  // wakes the ticker instead of waiting out the interval
  CHECK_FALSE(f.layer.is_running());
}

TEST_CASE("saturating_deadline adds an interval that fits", "[limits]") {
  const auto now = std::chrono::steady_clock::now();
  CHECK(saturating_deadline(now, 1ms) == now + 1ms);
  CHECK(saturating_deadline(now, 1h) == now + 1h);
  CHECK(saturating_deadline(TimePoint{}, 100ms) == TimePoint{} + 100ms);
  CHECK(saturating_deadline(TimePoint::min(), 1ms) == TimePoint::min() + 1ms);
  // Longer than nanoseconds can hold, yet it fits after a start that far before the epoch.
  const auto longest =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds::max());
  CHECK(saturating_deadline(TimePoint::min() + 1s, longest).time_since_epoch() ==
        1s + (TimePoint::min().time_since_epoch() + longest));
}

TEST_CASE("saturating_deadline saturates instead of overflowing", "[limits]") {
  const auto now = std::chrono::steady_clock::now();
  CHECK(saturating_deadline(now, std::chrono::milliseconds::max()) == TimePoint::max());
  CHECK(saturating_deadline(now, kThousandYears) == TimePoint::max());
  CHECK(saturating_deadline(TimePoint::max(), 1ms) == TimePoint::max());
  CHECK(saturating_deadline(TimePoint::min(), std::chrono::milliseconds::max()) ==
        TimePoint::max());
  CHECK(saturating_deadline(TimePoint{}, kLastWholeMs.time_since_epoch()) == TimePoint::max());
  CHECK(saturating_deadline(TimePoint{}, kLastWholeMs.time_since_epoch() - 1ms) ==
        TimePoint{} + (kLastWholeMs.time_since_epoch() - 1ms));
}

TEST_CASE("saturating_deadline of an interval <= 0 is now", "[limits]") {
  const auto now = std::chrono::steady_clock::now();
  CHECK(saturating_deadline(now, 0ms) == now);
  CHECK(saturating_deadline(now, -5ms) == now);
  CHECK(saturating_deadline(TimePoint::min(), std::chrono::milliseconds::min()) ==
        TimePoint::min());
  CHECK(saturating_deadline(TimePoint::max(), 0ms) == TimePoint::max());
}
