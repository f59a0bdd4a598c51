// BackgroundThread with a WakeSource: a task bound to the source runs on its signals and on no
// timer while the source is available, and on its interval when it is not. The source here is the
// test's own, so every signal is the test's doing; what ran is counted, never timed.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "support.hpp"
#include "util/background_thread.hpp"

using kvstore::detail::BackgroundThread;
using kvstore::detail::WakeSource;
using namespace std::chrono_literals;

namespace {

using TimePoint = std::chrono::steady_clock::time_point;

// Signals when the test says so; records the deadline of every wait.
class TestSource final : public WakeSource {
 public:
  explicit TestSource(bool available) : available_(available) {}

  bool available() const noexcept override { return available_; }
  bool wait(TimePoint deadline, std::stop_token stop) override {
    std::unique_lock lock(mutex_);
    deadlines_.push_back(deadline);
    const bool signalled = changed_.wait_until(lock, stop, deadline, [&] { return pending_ > 0; });
    if (!signalled) return false;
    --pending_;
    return true;
  }

  void signal() {
    std::lock_guard lock(mutex_);
    ++pending_;
    changed_.notify_all();
  }
  std::size_t waits() {
    std::lock_guard lock(mutex_);
    return deadlines_.size();
  }
  std::vector<TimePoint> deadlines() {
    std::lock_guard lock(mutex_);
    return deadlines_;
  }

 private:
  const bool available_;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  int pending_ = 0;
  std::vector<TimePoint> deadlines_;
};

// A BackgroundThread running `tasks`, waiting on a TestSource it owns (attached with the first
// task), reachable as `source`.
class Woken {
 public:
  Woken(bool available, std::vector<BackgroundThread::Task> tasks)
      : Woken(std::make_unique<TestSource>(available), std::move(tasks)) {}

  void add(BackgroundThread::Task task) { thread_.add(std::move(task)); }
  void add_with_source(BackgroundThread::Task task) {
    thread_.add(std::move(task), std::make_unique<TestSource>(true));
  }

  TestSource& source;

 private:
  Woken(std::unique_ptr<TestSource> owned, std::vector<BackgroundThread::Task> tasks)
      : source(*owned) {
    thread_.add(std::move(tasks.front()), std::move(owned));
    for (auto task = tasks.begin() + 1; task != tasks.end(); ++task) thread_.add(std::move(*task));
  }

  BackgroundThread thread_;  // last: stopped before the rest goes
};

struct Counted {
  std::atomic<int> runs{0};
  BackgroundThread::Task task(std::chrono::milliseconds interval, bool on_wake) {
    return {interval, [this] { ++runs; }, on_wake};
  }
};

}  // namespace

TEST_CASE("BackgroundThread: a task bound to an available source runs on its signals only",
          "[background]") {
  kvtest::Watchdog dog("a background thread woken by its source");
  Counted feed;
  Woken woken(true, {feed.task(1ms, true)});
  TestSource& source = woken.source;

  for (int signals = 1; signals <= 3; ++signals) {
    // Waiting again (after the previous run) before the signal: the signal finds it blocked.
    REQUIRE(kvtest::eventually([&] { return source.waits() == static_cast<std::size_t>(signals); },
                               30s));
    CHECK(feed.runs == signals - 1);
    source.signal();
    REQUIRE(kvtest::eventually([&] { return feed.runs == signals; }, 30s));
  }
  // No timer: a 1 ms interval would have asked for deadlines.
  for (const TimePoint deadline : source.deadlines()) CHECK(deadline == TimePoint::max());
}

TEST_CASE("BackgroundThread: while its source is unavailable a bound task runs on its interval",
          "[background]") {
  kvtest::Watchdog dog("a background thread polling past its source");
  Counted feed;
  Woken woken(false, {feed.task(1ms, true)});
  REQUIRE(kvtest::eventually([&] { return feed.runs >= 3; }, 30s));
  for (const TimePoint deadline : woken.source.deadlines()) CHECK(deadline != TimePoint::max());
}

TEST_CASE("BackgroundThread: a task not bound to the source keeps its interval beside it",
          "[background]") {
  kvtest::Watchdog dog("a background thread with a timed and a woken task");
  Counted timed, bound;
  Woken woken(true, {timed.task(1ms, false), bound.task(1ms, true)});
  REQUIRE(kvtest::eventually([&] { return timed.runs >= 3; }, 30s));
  CHECK(bound.runs == 0);
  woken.source.signal();
  REQUIRE(kvtest::eventually([&] { return bound.runs == 1; }, 30s));
}

TEST_CASE("BackgroundThread: a task added while the thread waits on its source gets its interval",
          "[background]") {
  kvtest::Watchdog dog("a background thread given a timed task while it waits on its source");
  Counted timed, bound;
  Woken woken(true, {bound.task(1h, true)});
  REQUIRE(kvtest::eventually([&] { return woken.source.waits() >= 1; }, 30s));
  woken.add(timed.task(1ms, false));  // ends the untimed wait, so the new interval counts
  REQUIRE(kvtest::eventually([&] { return timed.runs >= 3; }, 30s));
  CHECK(bound.runs == 0);
}

TEST_CASE("BackgroundThread: a second wake source is refused", "[background]") {
  Counted bound, other;
  Woken woken(true, {bound.task(1h, true)});
  BackgroundThread::Task task = other.task(1ms, true);
  CHECK_THROWS_AS(woken.add_with_source(std::move(task)), std::logic_error);
}
