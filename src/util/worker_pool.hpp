// A fixed-size pool of worker threads taking jobs from one FIFO queue.
//
// RAII: the constructor starts the threads, the destructor stops and joins them. A job that
// throws is counted as failed; its worker goes on with the next job.
//
// Thread-safety: submit(), request_stop() and the accessors may be called from any thread,
// including from inside a job. shutdown() and the destructor must not be called from a worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace kvstore::detail {

class WorkerPool {
 public:
  using Job = std::function<void()>;

  // How many jobs ran and how many of them threw. Shareable, so that totals can outlive a pool.
  struct Counters {
    std::atomic<std::uint64_t> run{0};
    std::atomic<std::uint64_t> failed{0};
  };

  // Starts `threads` workers (at least 1). Throws std::system_error if a thread cannot be
  // started (the ones already started are stopped and joined first).
  explicit WorkerPool(std::size_t threads,
                      std::shared_ptr<Counters> counters = std::make_shared<Counters>());
  // shutdown().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; returns false (and drops it) once a stop was requested.
  bool submit(Job job);
  // Refuses new jobs from now on; the workers finish the queued jobs and then end. Never blocks
  // for long (takes the queue lock only). Idempotent.
  void request_stop() noexcept;
  // request_stop(), then waits until the queue is drained and joins every worker. Idempotent.
  void shutdown();

  // Whether the calling thread is one of this pool's workers.
  bool on_worker_thread() const;
  std::size_t size() const { return worker_ids_.size(); }
  // Jobs queued and not yet started.
  std::size_t queued() const;
  std::uint64_t jobs_run() const { return counters_->run.load(); }
  std::uint64_t jobs_failed() const { return counters_->failed.load(); }

 private:
  void work();
  // The next job, or nullopt once stopping and the queue is empty. Blocks while idle.
  std::optional<Job> next_job();
  void run(const Job& job) noexcept;

  const std::shared_ptr<Counters> counters_;
  mutable std::mutex mutex_;  // guards queue_ and stopping_
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;         // filled by the constructor only
  std::vector<std::thread::id> worker_ids_;  // likewise; stay valid after the joins
};

}  // namespace kvstore::detail
