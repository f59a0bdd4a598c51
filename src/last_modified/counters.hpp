// The counters behind LastModifiedStore::stats(), shared by the layer, its memory and its jobs.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "util/worker_pool.hpp"

namespace kvstore::detail {

// A counter that many threads bump without sharing a cache line: each thread adds to its own
// stripe (threads are spread over the stripes round-robin) and readers sum the stripes.
class StripedCounter {
 public:
  void add(std::int64_t n, std::memory_order order = std::memory_order_relaxed) noexcept {
    stripes_[stripe_of_this_thread()].value.fetch_add(n, order);
  }
  std::int64_t sum(std::memory_order order = std::memory_order_relaxed) const noexcept {
    std::int64_t total = 0;
    for (const Stripe& stripe : stripes_) total += stripe.value.load(order);
    return total;
  }

 private:
  static constexpr std::size_t kStripes = 16;
  struct alignas(64) Stripe {
    std::atomic<std::int64_t> value{0};
  };
  static std::size_t stripe_of_this_thread() noexcept {
    static std::atomic<std::size_t> next_thread{0};
    thread_local const std::size_t stripe = next_thread.fetch_add(1) % kStripes;
    return stripe;
  }
  std::array<Stripe, kStripes> stripes_;
};

struct LastModifiedCounters {
  using Counter = std::atomic<std::uint64_t>;
  StripedCounter hits, misses;  // bumped by concurrent readers
  Counter sets{0}, deletes{0}, evictions{0}, expirations{0}, rejected_full{0}, cleanup_runs{0};
  std::shared_ptr<WorkerPool::Counters> jobs = std::make_shared<WorkerPool::Counters>();
};

}  // namespace kvstore::detail
