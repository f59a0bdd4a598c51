// detail::EventHub (src/events/hub.hpp): batches reach watchers and callbacks in the order their
// turns were taken (commit order), whatever order they are published in; a full watcher queue
// drops and counts; a throwing callback is reported and does not stop the others.
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/batch.hpp"
#include "events/hub.hpp"
#include "events/watcher_state.hpp"
#include "support.hpp"

namespace {

using kvstore::Event;
using kvstore::detail::BatchNode;
using kvstore::detail::EventHub;
using kvstore::detail::WatcherState;
using kvstore::detail::WatchFilter;

// A batch of one `set` event per revision given, in group "g".
BatchNode batch_of(std::initializer_list<std::uint64_t> revisions) {
  auto node = kvstore::detail::make_batch_node();
  for (const auto revision : revisions) {
    Event event;
    event.group = "g";
    event.key = "k" + std::to_string(revision);
    event.revision = revision;
    node.mapped().push_back(std::move(event));
  }
  return node;
}

std::shared_ptr<WatcherState> watch_everything(EventHub& hub, std::size_t capacity = 100) {
  WatchFilter filter;
  filter.scope = WatchFilter::Scope::all_groups;
  auto watcher = std::make_shared<WatcherState>(filter, capacity);
  hub.add_watcher(watcher);
  return watcher;
}

// The revisions a watcher holds right now, in queue order.
std::vector<std::uint64_t> queued_revisions(WatcherState& watcher) {
  std::vector<std::uint64_t> revisions;
  while (const auto event = watcher.pop(std::nullopt)) revisions.push_back(event->revision);
  return revisions;
}

// Records the revisions its callback sees, from any thread.
struct RevisionLog {
  std::mutex mutex;
  std::vector<std::uint64_t> revisions;
  void add(const Event& event) {
    std::lock_guard lock(mutex);
    revisions.push_back(event.revision);
  }
};

const EventHub::Reporter kIgnoreReports = [](const std::string&) {};

}  // namespace

TEST_CASE("EventHub: batches published from a callback out of turn order arrive in turn order",
          "[events][hub]") {
  EventHub hub(kIgnoreReports);
  auto watcher = watch_everything(hub);
  const auto first = hub.take_turn();
  const auto second = hub.take_turn();
  const auto third = hub.take_turn();
  RevisionLog seen;
  auto slot = hub.add_callback([&](const Event& event) {
    seen.add(event);
    // While the first turn is delivered, the later two are published, the third before the
    // second: both must wait for their turns.
    if (event.revision == 1) {
      hub.publish(third, batch_of({3}));
      hub.publish(second, batch_of({2}));
    }
  });

  hub.publish(first, batch_of({1}));

  CHECK(seen.revisions == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(queued_revisions(*watcher) == std::vector<std::uint64_t>{1, 2, 3});
  hub.remove_callback(slot);
}

TEST_CASE("EventHub: threads publishing in reverse turn order deliver in turn order",
          "[events][hub][concurrency]") {
  kvtest::Watchdog dog("publishers waiting for their turns");
  EventHub hub(kIgnoreReports);
  auto watcher = watch_everything(hub);
  RevisionLog seen;
  auto slot = hub.add_callback([&](const Event& event) { seen.add(event); });

  constexpr int kPublishers = 8;
  std::vector<std::uint64_t> turns;
  for (int i = 0; i < kPublishers; ++i) turns.push_back(hub.take_turn());
  std::vector<std::thread> publishers;
  for (int i = kPublishers - 1; i >= 0; --i) {  // the last turn starts first
    publishers.emplace_back([&, i] {
      // Batch i carries revisions 2i+1 and 2i+2.
      const auto revision = static_cast<std::uint64_t>(2 * i + 1);
      hub.publish(turns[static_cast<std::size_t>(i)], batch_of({revision, revision + 1}));
    });
  }
  for (auto& publisher : publishers) publisher.join();

  std::vector<std::uint64_t> commit_order;
  for (std::uint64_t revision = 1; revision <= 2 * kPublishers; ++revision)
    commit_order.push_back(revision);
  CHECK(seen.revisions == commit_order);
  CHECK(queued_revisions(*watcher) == commit_order);
  hub.remove_callback(slot);
}

TEST_CASE("EventHub: a full watcher queue drops the events that do not fit and counts them",
          "[events][hub]") {
  EventHub hub(kIgnoreReports);
  auto small = watch_everything(hub, 2);
  auto roomy = watch_everything(hub);

  hub.publish(hub.take_turn(), batch_of({1, 2, 3}));
  CHECK(small->dropped_count() == 1);
  CHECK(queued_revisions(*small) == std::vector<std::uint64_t>{1, 2});
  CHECK(queued_revisions(*roomy) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(roomy->dropped_count() == 0);

  // Emptied, the queue takes events again; the count of drops stays.
  hub.publish(hub.take_turn(), batch_of({4}));
  CHECK(queued_revisions(*small) == std::vector<std::uint64_t>{4});
  CHECK(small->dropped_count() == 1);
}

TEST_CASE("EventHub: a throwing callback is reported and the other callbacks still run",
          "[events][hub]") {
  std::vector<std::string> reports;
  EventHub hub([&](const std::string& message) { reports.push_back(message); });
  RevisionLog seen;
  auto thrower = hub.add_callback([](const Event&) { throw std::runtime_error("boom"); });
  auto recorder = hub.add_callback([&](const Event& event) { seen.add(event); });

  hub.publish(hub.take_turn(), batch_of({1, 2}));

  CHECK(seen.revisions == std::vector<std::uint64_t>{1, 2});
  REQUIRE(reports.size() == 2);
  CHECK_THAT(reports[0], Catch::Matchers::Contains("boom"));
  hub.remove_callback(thrower);
  hub.remove_callback(recorder);
}

TEST_CASE("EventHub: a removed callback is not called and a removed watcher gets nothing",
          "[events][hub]") {
  EventHub hub(kIgnoreReports);
  auto watcher = watch_everything(hub);
  RevisionLog seen;
  auto slot = hub.add_callback([&](const Event& event) { seen.add(event); });
  CHECK(hub.has_subscribers());

  hub.remove_callback(slot);
  hub.remove_watcher(watcher);
  CHECK_FALSE(hub.has_subscribers());
  hub.publish(hub.take_turn(), batch_of({1}));

  CHECK(seen.revisions.empty());
  CHECK(queued_revisions(*watcher).empty());
}
