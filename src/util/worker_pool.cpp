#include "util/worker_pool.hpp"

#include <algorithm>

namespace kvstore::detail {

WorkerPool::WorkerPool(std::size_t threads, std::shared_ptr<Counters> counters)
    : counters_(std::move(counters)) {
  const std::size_t count = std::max<std::size_t>(threads, 1);
  threads_.reserve(count);
  worker_ids_.reserve(count);
  try {
    while (threads_.size() < count) {
      threads_.emplace_back([this] { work(); });
      worker_ids_.push_back(threads_.back().get_id());
    }
  } catch (...) {
    shutdown();
    throw;
  }
}

WorkerPool::~WorkerPool() { shutdown(); }

bool WorkerPool::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::request_stop() noexcept {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void WorkerPool::shutdown() {
  request_stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

bool WorkerPool::on_worker_thread() const {
  const auto self = std::this_thread::get_id();
  return std::find(worker_ids_.begin(), worker_ids_.end(), self) != worker_ids_.end();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::work() {
  while (auto job = next_job()) run(*job);
}

std::optional<WorkerPool::Job> WorkerPool::next_job() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return std::nullopt;
  Job job = std::move(queue_.front());
  queue_.pop_front();
  return job;
}

void WorkerPool::run(const Job& job) noexcept {
  bool failed = false;
  try {
    job();
  } catch (...) {
    failed = true;
  }
  counters_->run.fetch_add(1);
  if (failed) counters_->failed.fetch_add(1);
}

}  // namespace kvstore::detail
