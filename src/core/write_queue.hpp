// The queue of a Store's writers for group commit: a write that arrives while another commit is
// in progress waits here, and the first writer queued leads the next commit for itself and for
// the writes queued behind it (up to WriteQueue::kMaxBatch), which then only wait for it.
//
// Locking: `mutex_` guards the list and each entry's `next` and `done`; it is never held while a
// write runs, nor together with the Store's connection lock (the leader takes that one after
// enter() and releases it before leave()). Entries live on their writers' stacks: a writer leaves
// only once its entry is done (or it led), so nothing is allocated and nothing dangles.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace kvstore::detail {

// One writer's place in the queue.
struct QueueEntry {
  QueueEntry() = default;
  QueueEntry(const QueueEntry&) = delete;
  QueueEntry& operator=(const QueueEntry&) = delete;

  QueueEntry* next = nullptr;  // guarded by WriteQueue::mutex_
  bool done = false;           // guarded by WriteQueue::mutex_: another writer led it
  std::condition_variable woken;
};

class WriteQueue {
 public:
  // The most writes one commit carries.
  static constexpr std::size_t kMaxBatch = 256;

  // Queues `entry` and waits until another writer has led it (returns 0) or until it is first in
  // the queue (returns how many writes its batch holds: `entry` and up to kMaxBatch - 1 queued
  // behind it, in queue order). A writer that finds the queue empty leads at once, alone. Never
  // throws.
  std::size_t enter(QueueEntry& entry) noexcept;
  // For the leader whose entry is `first`, before it commits: how many writes its batch may hold
  // now, the writes queued since it began included (up to kMaxBatch; never fewer than before).
  // Never throws.
  std::size_t extend(QueueEntry& first) noexcept;
  // For the leader, once its batch of `count` entries (from `first`, its own) ended: removes them,
  // marks the others done and wakes them, and wakes the next leader. Never throws.
  void leave(QueueEntry& first, std::size_t count) noexcept;
  // How many writes are in the queue, the running leader's included (for the tests, which wait
  // for a batch to form).
  std::size_t size() const;

  // For the leader, between enter() and leave(): calls fn(entry) for each entry of its batch, in
  // queue order. Reads no link beyond the batch (a newcomer may be setting the last one).
  template <class Fn>
  static void for_each(QueueEntry& first, std::size_t count, Fn&& fn) {
    QueueEntry* entry = &first;
    for (std::size_t i = 0; i < count; ++i) {
      QueueEntry* next = i + 1 < count ? entry->next : nullptr;
      fn(*entry);
      entry = next;
    }
  }

 private:
  // Under mutex_: `entry` and the entries queued behind it, up to kMaxBatch.
  static std::size_t batch_from(const QueueEntry& entry);

  mutable std::mutex mutex_;
  std::size_t size_ = 0;
  QueueEntry* head_ = nullptr;  // the leader's entry while a batch runs
  QueueEntry* tail_ = nullptr;
};

}  // namespace kvstore::detail
