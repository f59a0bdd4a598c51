#include "core/write_queue.hpp"

namespace kvstore::detail {

std::size_t WriteQueue::enter(QueueEntry& entry) noexcept {
  std::unique_lock lock(mutex_);
  if (tail_) {
    tail_->next = &entry;
  } else {
    head_ = &entry;
  }
  tail_ = &entry;
  ++size_;
  entry.woken.wait(lock, [&] { return entry.done || head_ == &entry; });
  if (entry.done) return 0;
  return batch_from(entry);
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
  QueueEntry* entry = &first;
  for (std::size_t i = 0; i < count; ++i) {
    QueueEntry* next = entry->next;
    if (entry != &first) {
      entry->done = true;
      entry->woken.notify_one();
    }
    entry = next;
  }
  size_ -= count;
  head_ = entry;
  if (!head_) tail_ = nullptr;
  if (head_) head_->woken.notify_one();
}

std::size_t WriteQueue::size() const {
  const std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace kvstore::detail
