// The queue of a Store's writers for group commit: a write that arrives while another commit is
// in progress waits here, and the first writer queued leads the next commit for itself and for
// the writes queued behind it (up to WriteQueue::kMaxBatch), which then only wait for it.
//
// Gathering: the writers a commit released come back to the queue one by one, each after its
// caller went on, and the first one back would lead a batch of one while the others queue behind
// it for a whole commit. So a new leader may first wait a little for them (gather): until as many
// writers are queued as took part in the last batch or queued behind it, for at most a limit the
// Store gives. A writer that wrote alone last time waits for nobody; one that waited in vain
// leads a smaller batch, and the next leader expects that many. The idea of PostgreSQL's
// commit_delay with commit_siblings.
//
// Polling: waking a blocked thread costs about as much as a commit that does not sync (tens of
// microseconds on a virtual machine), so a writer that waits for a short while first polls,
// yielding the processor, and blocks only when that did not suffice. A queued writer polls its
// state for up to twice the last batch's duration when that is at most the queue's polling bound
// (200 us by default: behind a commit that does not sync), and blocks at once behind a longer
// batch. A gathering leader polls the queue's size for up to the polling bound, then blocks for
// the rest of its limit: the writers it waits for are coming back from their callers, not
// waiting on the disk. RocksDB's write thread does the same (write_thread_max_yield_usec).
//
// Locking: `mutex_` guards the list, the gathering state and each entry's `next` and `parked`;
// an entry's `state` and the queue's `size_` are written under it and may be read without it (a
// polling writer, a polling leader). The mutex is never held while a write runs, nor together with
// the Store's connection lock (the leader takes that one after gather() and releases it before
// leave()). Entries live on their writers' stacks: a writer leaves once its entry's state is `done`
// (or it led), and the leader touches an entry no more after setting that state unless the writer
// is parked (blocked on the entry's condition variable, which it leaves only under the mutex), so
// nothing dangles.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace kvstore::detail {

// One writer's place in the queue.
struct QueueEntry {
  QueueEntry() = default;
  QueueEntry(const QueueEntry&) = delete;
  QueueEntry& operator=(const QueueEntry&) = delete;

  enum State : int { waiting, done, leads };  // done: another writer led it
  QueueEntry* next = nullptr;                 // guarded by WriteQueue::mutex_
  std::atomic<int> state{waiting};            // see the locking note above
  bool parked = false;                        // guarded by WriteQueue::mutex_: blocked on woken
  std::condition_variable woken;
};

class WriteQueue {
 public:
  // The most writes one commit carries.
  static constexpr std::size_t kMaxBatch = 256;
  // The default polling bound (see the top of the file).
  static constexpr std::chrono::steady_clock::duration kMaxPoll = std::chrono::microseconds(200);

  // `max_poll`: the longest a writer polls before it blocks (>= 0; 0: it blocks at once).
  explicit WriteQueue(std::chrono::steady_clock::duration max_poll = kMaxPoll) noexcept
      : max_poll_(max_poll) {}

  // Queues `entry` and waits (polling, then blocked: see the top of the file) until another
  // writer has led it (returns 0) or until it is first in the queue (returns how many writes its
  // batch holds: `entry` and up to kMaxBatch - 1 queued behind it, in queue order). A writer that
  // finds the queue empty leads at once. Never throws.
  std::size_t enter(QueueEntry& entry) noexcept;
  // For the leader whose entry is `first`, before it takes the connection: waits until as many
  // writers are queued as the last batch had with those queued behind it (at most kMaxBatch), or
  // until `limit` has passed, whichever comes first; returns at once when the last batch had one
  // writer and nobody queued behind it. Polls for up to the polling bound, then blocks. Never
  // throws.
  void gather(QueueEntry& first, std::chrono::steady_clock::duration limit) noexcept;
  // A limit for gather(): half the time the last batch took, from the end of its gathering (or
  // of its enter(), when it did not gather) to its leave(); zero before the first batch.
  std::chrono::steady_clock::duration gathering_limit() const;
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
  // Under mutex_: sets entry's state (done or leads), waking the writer if it is parked.
  static void signal(QueueEntry& entry, QueueEntry::State state);
  const std::chrono::steady_clock::duration max_poll_;
  mutable std::mutex mutex_;
  std::atomic<std::size_t> size_{0};
  QueueEntry* head_ = nullptr;  // the leader's entry while a batch runs
  QueueEntry* tail_ = nullptr;
  // Gathering (see the top of the file), all guarded by mutex_: how many writers the last batch
  // had with those queued behind it when it left; whether the head is waiting for them; when the
  // running batch began, and how long the last one took.
  std::size_t expected_ = 1;
  bool gathering_ = false;
  std::chrono::steady_clock::time_point batch_began_;
  std::chrono::steady_clock::duration last_batch_{};
};

}  // namespace kvstore::detail
