// LastModifiedStore: start, shutdown, stop requests and the periodic jobs.
#include "last_modified/impl.hpp"

namespace kvstore {

using Impl = LastModifiedStore::Impl;

namespace {

// Clears a "job queued" flag when the job ends, however it ends.
struct ClearOnExit {
  std::atomic<bool>& flag;
  ~ClearOnExit() { flag.store(false); }
};

}  // namespace

void Impl::start(std::stop_token stop) {
  if (detail::InsideScope::active(this)) {
    throw AlreadyRunning("kvstore: start: called from inside the LastModifiedStore itself");
  }
  std::lock_guard lock(lifecycle_mutex_);
  if (running_.load()) throw AlreadyRunning("kvstore: start: the LastModifiedStore is running");
  stop_and_join();  // what a stop request left to join
  try {
    launch();
  } catch (...) {
    stop_and_join();
    throw;
  }
  running_.store(true);
  // Last: a stop already requested runs request_stop() right here, on this thread.
  if (stop.stop_possible()) on_stop_.emplace(std::move(stop), StopRequest{this});
}

void Impl::launch() {
  started_ = true;
  sync_ = std::make_shared<detail::CacheSync>(store_, static_cast<std::size_t>(config_.max_size),
                                              config_.on_full, counters_);
  subscription_ = store_.on_change([sync = sync_](const Event& event) { sync->on_event(event); });
  pool_ = std::make_unique<detail::WorkerPool>(static_cast<std::size_t>(config_.worker_count),
                                               counters_->jobs);
  if (config_.cleanup_interval.count() > 0) {
    ticker_ =
        std::make_unique<detail::BackgroundThread>(std::vector<detail::BackgroundThread::Task>{
            {config_.cleanup_interval, [this] { submit_jobs(); }}});
  }
}

void Impl::shutdown() {
  if (detail::InsideScope::active(this)) {
    request_stop_from_inside();
    return;
  }
  shutdown_and_join();
}

void Impl::shutdown_and_join() {
  std::lock_guard lock(lifecycle_mutex_);
  stop_and_join();
}

void Impl::stop_and_join() {
  running_.store(false);
  on_stop_.reset();  // waits for a stop request running on another thread
  if (!started_) return;
  wait_for_in_flight();
  ticker_.reset();
  pool_.reset();  // runs the jobs still queued, then joins the workers
  subscription_.unsubscribe();
  sync_.reset();  // a callback still running elsewhere keeps its own reference
  started_ = false;
}

void Impl::request_stop() noexcept {
  running_.store(false);
  if (ticker_) ticker_->request_stop();
  if (pool_) pool_->request_stop();
}

void Impl::request_stop_from_inside() noexcept {
  running_.store(false);
  // Busy: a start or shutdown is under way on another thread and stops the threads itself.
  std::unique_lock lock(lifecycle_mutex_, std::try_to_lock);
  if (lock.owns_lock()) request_stop();
}

// ---- the gate of the data methods ----

bool Impl::enter() noexcept {
  in_flight_.add(1, std::memory_order_seq_cst);
  if (running_.load()) return true;
  leave();
  return false;
}

void Impl::leave() noexcept {
  in_flight_.add(-1, std::memory_order_seq_cst);
  if (running_.load()) return;
  std::lock_guard lock(drain_mutex_);
  drained_.notify_all();
}

void Impl::wait_for_in_flight() {
  std::unique_lock lock(drain_mutex_);
  drained_.wait(lock, [&] { return in_flight_.sum(std::memory_order_seq_cst) == 0; });
}

// ---- jobs ----

void Impl::submit_jobs() noexcept {
  try {
    submit_once(Job::cleanup, [sync = sync_, counters = counters_] {
      sync->cleanup();
      counters->cleanup_runs.fetch_add(1);
    });
    submit_once(Job::validation, [sync = sync_] { sync->validate(); });
    submit_once(Job::checkpoint, [&store = store_] { store.checkpoint(); });
  } catch (...) {  // out of memory: the next tick tries again
  }
}

void Impl::submit_once(Job job, std::function<void()> run) {
  std::atomic<bool>& queued = job_queued_[static_cast<std::size_t>(job)];
  if (queued.exchange(true)) return;  // the previous one has not finished: don't pile up
  bool accepted = false;
  try {
    accepted = pool_->submit([this, &queued, run = std::move(run)] {
      const detail::InsideScope inside(this);
      const ClearOnExit clear{queued};
      run();
    });
  } catch (...) {
    queued.store(false);
    throw;
  }
  if (!accepted) queued.store(false);
}

}  // namespace kvstore
