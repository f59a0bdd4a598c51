#include "core/write_queue.hpp"

#include <algorithm>
#include <thread>

namespace kvstore::detail {

using Clock = std::chrono::steady_clock;

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
    const auto spin = last_batch_ <= kMaxSpin ? 2 * last_batch_ : Clock::duration::zero();
    lock.unlock();
    if (spin_until_done(entry, spin)) return 0;
    lock.lock();
    entry.parked = true;
    entry.woken.wait(lock, [&] { return entry.state.load() != QueueEntry::waiting; });
    entry.parked = false;
    if (entry.state.load() == QueueEntry::done) return 0;
  }
  batch_began_ = Clock::now();
  return batch_from(entry);
}

bool WriteQueue::spin_until_done(const QueueEntry& entry, Clock::duration limit) {
  const auto until = Clock::now() + limit;
  auto state = entry.state.load(std::memory_order_acquire);
  while (state == QueueEntry::waiting && Clock::now() < until) {
    std::this_thread::yield();
    state = entry.state.load(std::memory_order_acquire);
  }
  return state == QueueEntry::done;
}

void WriteQueue::gather(QueueEntry& first, Clock::duration limit) noexcept {
  std::unique_lock lock(mutex_);
  gathering_ = true;
  first.woken.wait_for(lock, limit, [&] { return size_ >= expected_; });
  gathering_ = false;
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
  expected_ = std::min(size_, kMaxBatch);
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
  const bool parked = entry.parked;  // read first: a spinning writer may be gone once it sees state
  entry.state.store(state, std::memory_order_release);
  if (parked) entry.woken.notify_one();
}

std::size_t WriteQueue::size() const {
  const std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace kvstore::detail
