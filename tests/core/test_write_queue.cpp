// The write queue of group commit (core/write_queue.hpp) on its own: who leads, what a batch
// holds, gathering, and writers that poll or block until they are led.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

#include "core/write_queue.hpp"

namespace {

using kvstore::detail::QueueEntry;
using kvstore::detail::WriteQueue;
using namespace std::chrono_literals;

// A writer's entry that records how many times a leader ran it.
struct Write : QueueEntry {
  int runs = 0;  // written by its batch's leader before leave(), read by its writer after
};

// The leader's part: runs each write of its batch, that is counts it.
void run(QueueEntry& first, std::size_t count) {
  WriteQueue::for_each(first, count, [](QueueEntry& entry) { ++static_cast<Write&>(entry).runs; });
}

// What a Store does with its entry, with "running a write" reduced to counting it.
void write_through(WriteQueue& queue, Write& write) {
  if (const auto count = queue.enter(write)) {
    const auto all = queue.extend(write);
    run(write, all);
    queue.leave(write, all);
  }
}

// Starts one thread per entry, each entering it; returns once all of them are queued behind the
// `already` entries in the queue.
std::vector<std::thread> queue_behind(WriteQueue& queue, std::vector<Write>& writes,
                                      std::size_t already) {
  std::vector<std::thread> threads;
  for (auto& write : writes) threads.emplace_back([&] { write_through(queue, write); });
  while (queue.size() < already + writes.size()) std::this_thread::yield();
  return threads;
}

// Runs one batch of `size` writes: a leader, and size - 1 writers queued behind it. Afterwards the
// queue expects `size` writers.
void run_batch_of(WriteQueue& queue, std::size_t size) {
  Write leader;
  REQUIRE(queue.enter(leader) == 1);
  std::vector<Write> followers(size - 1);
  auto threads = queue_behind(queue, followers, 1);
  const auto count = queue.extend(leader);
  REQUIRE(count == size);
  run(leader, count);
  queue.leave(leader, count);
  for (auto& thread : threads) thread.join();
  for (const auto& follower : followers) CHECK(follower.runs == 1);
  CHECK(queue.size() == 0);
}

}  // namespace

TEST_CASE("a writer that finds the write queue empty leads at once, alone", "[core][write_queue]") {
  WriteQueue queue;
  CHECK(queue.gathering_limit() == 0s);  // no batch yet
  Write write;
  CHECK(queue.enter(write) == 1);
  CHECK(queue.size() == 1);
  queue.leave(write, 1);
  CHECK(queue.size() == 0);
}

TEST_CASE("a leader gathers as many writers as the last batch had", "[core][write_queue]") {
  // Blocked from the start (no polling), or polling for as long as it takes.
  WriteQueue queue(GENERATE(as<std::chrono::steady_clock::duration>{}, 0s, 1h));
  run_batch_of(queue, 3);

  Write leader;
  REQUIRE(queue.enter(leader) == 1);  // the first one back
  std::vector<Write> others(2);
  std::vector<std::thread> threads;
  for (auto& write : others) threads.emplace_back([&] { write_through(queue, write); });
  queue.gather(leader, 1h);  // returns once they are queued, long before the limit
  CHECK(queue.size() == 3);
  const auto count = queue.extend(leader);
  CHECK(count == 3);
  run(leader, count);
  queue.leave(leader, count);
  for (auto& thread : threads) thread.join();
  for (const auto& write : others) CHECK(write.runs == 1);
}

TEST_CASE("a leader gathers nobody after a batch of one", "[core][write_queue]") {
  WriteQueue queue;
  run_batch_of(queue, 1);
  Write leader;
  REQUIRE(queue.enter(leader) == 1);
  queue.gather(leader, 1h);  // returns at once: the last batch had no company
  CHECK(queue.extend(leader) == 1);
  queue.leave(leader, 1);
}

TEST_CASE("a leader stops gathering at its limit", "[core][write_queue]") {
  WriteQueue queue;
  run_batch_of(queue, 4);
  Write leader;
  REQUIRE(queue.enter(leader) == 1);
  queue.gather(leader, 0s);  // nobody comes back: it leads alone
  CHECK(queue.extend(leader) == 1);
  queue.leave(leader, 1);
  CHECK(queue.gathering_limit() >= 0s);

  // The next leader expects one writer, itself.
  Write next;
  REQUIRE(queue.enter(next) == 1);
  queue.gather(next, 1h);
  queue.leave(next, 1);
}

TEST_CASE("every queued writer is led exactly once, polling or blocked", "[core][write_queue]") {
  // Short batches (nothing runs in them) make waiting writers poll; the yields of the leaders
  // and the number of threads make some of them block too (all of them, with no polling). Each
  // write is run once, by its own thread or by another leader, and its writer returns only after
  // that.
  WriteQueue queue(GENERATE(as<std::chrono::steady_clock::duration>{}, WriteQueue::kMaxPoll, 0s));
  constexpr int kThreads = 8;
  constexpr int kWrites = 2000;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWrites; ++i) {
        Write write;
        if (const auto count = queue.enter(write)) {
          if (i % 7 == 0) queue.gather(write, queue.gathering_limit());
          const auto all = queue.extend(write);
          run(write, all);
          if (i % 3 == 0) std::this_thread::yield();
          queue.leave(write, all);
        }
        if (write.runs != 1) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
  CHECK(queue.size() == 0);
}
