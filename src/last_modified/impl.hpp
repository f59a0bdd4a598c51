// LastModifiedStore's private state, shared by last_modified/methods.cpp (the data methods) and
// last_modified/lifecycle.cpp (start, shutdown, jobs).
//
// Locking (which mutex guards what):
// - `lifecycle_mutex_` serializes start() and shutdown() and guards `started_`, `sync_`,
//   `subscription_`, `pool_`, `ticker_` and `on_stop_`. No data method, job or callback of the
//   layer takes it, so a shutdown that waits for in-flight calls under it never waits for itself
//   (from inside a call, shutdown() only try_locks it). The Store calls made under it (revision,
//   on_change, unsubscribe) take Store locks after it, never before.
// - `running_` and `in_flight_` (atomics) gate the data methods: a call counts itself in, then
//   checks `running_`; shutdown clears it, then waits (on `drain_mutex_`/`drained_`) until
//   the count is 0. Both sides are sequentially consistent, so a call either sees `running_`
//   false and leaves, or is waited for.
// - `sync_` (memory and coherence, see last_modified/sync.hpp) has its own locks; it is replaced
//   only while no call is in flight, and data methods read it without a lock.
// - The stop callback (`on_stop_`) takes no lock: it only clears `running_` and asks the ticker
//   and the pool to stop, which never block. It reads `ticker_` and `pool_`, which are created
//   before it is registered and destroyed after it is deregistered.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string_view>

#include "kvstore/last_modified_store.hpp"
#include "last_modified/counters.hpp"
#include "last_modified/sync.hpp"
#include "util/background_thread.hpp"
#include "util/worker_pool.hpp"

namespace kvstore {
namespace detail {

// Marks the current thread as working for one layer (a data method, or a job on a worker)
// while it lives, so that shutdown() and start() can tell they were called from inside it.
class InsideScope {
 public:
  explicit InsideScope(const void* layer) : layer_(layer), outer_(innermost) { innermost = this; }
  ~InsideScope() { innermost = outer_; }
  InsideScope(const InsideScope&) = delete;
  InsideScope& operator=(const InsideScope&) = delete;

  static bool active(const void* layer) {
    for (const InsideScope* scope = innermost; scope; scope = scope->outer_) {
      if (scope->layer_ == layer) return true;
    }
    return false;
  }

 private:
  inline static thread_local const InsideScope* innermost = nullptr;
  const void* const layer_;
  const InsideScope* const outer_;
};

}  // namespace detail

struct LastModifiedStore::Impl {
  Impl(Store& store, LastModifiedConfig config);

  // One data-method call: counted in flight while it lives. The constructor throws NotRunning
  // (naming the operation) unless the layer is running.
  class Call {
   public:
    Call(Impl& impl, std::string_view operation);
    Call(Impl& impl, std::string_view operation, detail::KeyRef key);
    ~Call() { impl_.leave(); }
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    detail::CacheSync& sync() const { return *impl_.sync_; }

   private:
    Impl& impl_;
    const detail::InsideScope inside_;
  };

  void write(std::string_view operation, detail::KeyRef key, std::string_view value,
             std::optional<std::chrono::milliseconds> ttl);
  void count_deletes(std::size_t n) { counters_->deletes.fetch_add(n); }
  LastModifiedStats stats() const;
  const LastModifiedConfig& config() const { return config_; }
  bool is_running() const { return running_.load(); }

  // Lifecycle (last_modified/lifecycle.cpp).
  void start(std::stop_token stop);
  void shutdown();
  // shutdown() for the destructor: always stops and joins.
  void shutdown_and_join();

 private:
  enum class Job { cleanup, validation, checkpoint };
  struct StopRequest {
    Impl* impl;
    void operator()() const noexcept { impl->request_stop(); }
  };

  // Counts a call in; false (counted out again) unless running.
  bool enter() noexcept;
  void leave() noexcept;
  void wait_for_in_flight();
  // Under lifecycle_mutex.
  void launch();
  void stop_and_join();
  // Non-blocking part of a shutdown: refuses calls, asks the ticker and the workers to end.
  void request_stop() noexcept;
  void request_stop_from_inside() noexcept;
  // The ticker's tick.
  void submit_jobs() noexcept;
  void submit_once(Job job, std::function<void()> run);

  Store& store_;
  const LastModifiedConfig config_;
  const std::shared_ptr<detail::LastModifiedCounters> counters_ =
      std::make_shared<detail::LastModifiedCounters>();

  std::atomic<bool> running_{false};
  detail::StripedCounter in_flight_;
  std::mutex drain_mutex_;  // only for waiting on drained_
  std::condition_variable drained_;

  std::mutex lifecycle_mutex_;
  bool started_ = false;  // threads and subscription exist (until stop_and_join)
  std::shared_ptr<detail::CacheSync> sync_;
  Subscription subscription_;
  std::unique_ptr<detail::WorkerPool> pool_;
  std::unique_ptr<detail::BackgroundThread> ticker_;
  std::optional<std::stop_callback<StopRequest>> on_stop_;
  std::array<std::atomic<bool>, 3> job_queued_{};  // a job of that kind is queued or running
};

}  // namespace kvstore
