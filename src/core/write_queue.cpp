#include "core/write_queue.hpp"

#include <algorithm>
#include <thread>

namespace kvstore::detail {

using Clock = std::chrono::steady_clock;

namespace {

// Polls `done`, yielding the processor in between, until it holds or `limit` has passed; returns
// whether it holds.
template <class Done>
bool poll(Clock::duration limit, Done&& done) {
  const auto until = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= until) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace

std::size_t WriteQueue::enter(QueueEntry& entry) noexcept {
  std::unique_lock lock(mutex_);
  if (tail_) {
    tail_->next = &entry;
  } else {
    head_ = &entry;
  }
  tail_ = &entry;
  ++size_;
  if (gathering_ && size_ >= expected_) head_->woken.notify_one();
  if (head_ != &entry) {
    const auto polling = 2 * last_batch_ <= max_poll_ ? 2 * last_batch_ : Clock::duration::zero();
    lock.unlock();
    const auto led = [&] {
      return entry.state.load(std::memory_order_acquire) != QueueEntry::waiting;
    };
    poll(polling, led);
    if (entry.state.load(std::memory_order_acquire) == QueueEntry::done) return 0;
    lock.lock();
    entry.parked = true;
    entry.woken.wait(lock, led);
    entry.parked = false;
    if (entry.state.load() == QueueEntry::done) return 0;
  }
  batch_began_ = Clock::now();
  return batch_from(entry);
}

void WriteQueue::gather(QueueEntry& first, Clock::duration limit) noexcept {
  const auto now = Clock::now();
  const auto until =
      limit < Clock::time_point::max() - now ? now + limit : Clock::time_point::max();
  std::unique_lock lock(mutex_);
  const auto expected = expected_;
  const auto gathered = [&] { return size_.load(std::memory_order_relaxed) >= expected; };
  if (!gathered()) {
    lock.unlock();
    poll(std::min(limit, max_poll_), gathered);
    lock.lock();
    gathering_ = true;
    first.woken.wait_until(lock, until, gathered);
    gathering_ = false;
  }
  batch_began_ = Clock::now();
}

Clock::duration WriteQueue::gathering_limit() const {
  const std::lock_guard lock(mutex_);
  return last_batch_ / 2;
}

std::size_t WriteQueue::extend(QueueEntry& first) noexcept {
  const std::lock_guard lock(mutex_);
  return batch_from(first);
}

std::size_t WriteQueue::batch_from(const QueueEntry& entry) {
  std::size_t count = 1;
  for (const auto* e = entry.next; e && count < kMaxBatch; e = e->next) ++count;
  return count;
}

void WriteQueue::leave(QueueEntry& first, std::size_t count) noexcept {
  const std::lock_guard lock(mutex_);
  last_batch_ = Clock::now() - batch_began_;
  expected_ = std::min(size_.load(), kMaxBatch);
  QueueEntry* entry = &first;
  for (std::size_t i = 0; i < count; ++i) {
    QueueEntry* next = entry->next;
    if (entry != &first) signal(*entry, QueueEntry::done);
    entry = next;
  }
  size_ -= count;
  head_ = entry;
  if (!head_) tail_ = nullptr;
  if (head_) signal(*head_, QueueEntry::leads);
}

void WriteQueue::signal(QueueEntry& entry, QueueEntry::State state) {
  const bool parked = entry.parked;  // read first: a polling writer may be gone once it sees state
  entry.state.store(state, std::memory_order_release);
  if (parked) entry.woken.notify_one();
}

std::size_t WriteQueue::size() const {
  const std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace kvstore::detail
