// detail::BackgroundThread (src/util/background_thread.hpp): no thread until the first task, tasks
// added later (also from inside a task) run on the one thread, and destruction ends it. Tasks
// report through promises; no sleeps, no timing.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>

#include "thread_census.hpp"
#include "util/background_thread.hpp"

using namespace std::chrono_literals;
using kvstore::detail::BackgroundThread;
using kvtest::ThreadCensus;

namespace {

// A task that fulfils `ran` the first time it runs.
BackgroundThread::Task signalling(std::promise<void>& ran, std::atomic<bool>& done,
                                  std::chrono::milliseconds interval = 1ms) {
  return {interval, [&ran, &done] {
            if (!done.exchange(true)) ran.set_value();
          }};
}

}  // namespace

TEST_CASE("BackgroundThread: no thread until a task is added; later tasks share it",
          "[util][threads][posix][proc]") {
  ThreadCensus census;
  {
    BackgroundThread background;
    CHECK(census.started() == 0);

    std::promise<void> first, second;
    std::atomic<bool> first_done{false}, second_done{false};
    background.add({std::chrono::milliseconds::max(), [] {}});  // never due: waits on
    CHECK(census.started() == 1);
    background.add(signalling(first, first_done));  // due long before the first task
    first.get_future().wait();
    background.add(signalling(second, second_done));
    second.get_future().wait();
    CHECK(census.started() == 1);
  }
  CHECK(census.all_ended());
}

TEST_CASE("BackgroundThread: a task may add a task", "[util][threads]") {
  BackgroundThread background;
  std::promise<void> added_ran;
  std::atomic<bool> added{false}, added_done{false};
  background.add({1ms, [&] {
                    if (!added.exchange(true)) background.add(signalling(added_ran, added_done));
                  }});
  added_ran.get_future().wait();
}

TEST_CASE("BackgroundThread: after request_stop nothing is added and no thread starts",
          "[util][threads]") {
  ThreadCensus census;
  BackgroundThread background;
  background.request_stop();
  background.add({1ms, [] {}});
  CHECK(census.started() == 0);
}
