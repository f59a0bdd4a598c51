// Group commit: the writes queued while a commit runs share the next one (core/write_queue.hpp).
#include <algorithm>

#include "core/store_impl.hpp"

namespace kvstore {
namespace {

// The error a write of a failed batch gets: the batch's failure, as a kvstore::Error naming the
// write's own call.
std::exception_ptr as_error_of(const detail::Operation& op, const std::exception_ptr& failure) {
  try {
    detail::guarded(op, [&] { std::rethrow_exception(failure); });
  } catch (...) {
    return std::current_exception();
  }
  return failure;
}

}  // namespace

void Store::Impl::write_queued(const detail::Operation& op, detail::Atomicity atomicity,
                               WriteBody body) {
  QueuedWrite write(*this, op, atomicity, body);
  if (const auto count = queue_.enter(write)) {
    // Only a commit that syncs outlasts the way back of the writers it released (a wake-up costs
    // about what a commit under Durability::normal does). Before the lock: reads go on meanwhile.
    if (options_.durability == Durability::full && backends_.shared) {
      queue_.gather(write, queue_.gathering_limit());
    }
    queue_.leave(write, lead(write, count));
  }
  if (write.error) std::rethrow_exception(write.error);
}  // write.publication delivers its events here, on this thread, with no lock held

std::size_t Store::Impl::lead(QueuedWrite& first, std::size_t count) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    count = queue_.extend(first);  // the writes queued while this one waited for the lock
    // Alone, a write that needs no savepoint inside a transaction (a set on a file) still leads
    // a batch, which takes in the writes queued before its COMMIT at no cost to it: otherwise two
    // writers alternate, each committing alone. Any other write would pay a savepoint in a batch,
    // so it commits alone as before.
    if (count == 1 && first.atomicity != detail::Atomicity::self_contained) {
      commit_alone(first);
      return 1;
    }
    return commit_together(first, count);
  } catch (...) {  // the lock could not be taken: nothing ran
    const auto failure = std::current_exception();
    detail::WriteQueue::for_each(first, count, [&](detail::QueueEntry& entry) {
      auto& write = static_cast<QueuedWrite&>(entry);
      write.error = as_error_of(write.op, failure);
    });
  }
  return count;
}

void Store::Impl::commit_alone(QueuedWrite& write) noexcept {
  try {
    detail::guarded(write.op, [&] {
      connection_.end_leftover_transaction();
      detail::HeldStore held(*this);
      run_write(held, write.body, write.atomicity);
    });
  } catch (...) {
    write.error = std::current_exception();
    pending_.rollback_to(pending_.kept);
  }
  after_commit(write.publication);
}

// One transaction; each write in a savepoint of its own (or none, when its body undoes its own
// changes: detail::Atomicity), so that one failing alone rolls back alone. The commit (one sync
// under Durability::full) decides for all of them: if it fails, or SQLite lost the transaction on
// the way (a write's I/O error), every write of the batch fails and the whole batch is rolled back,
// the memory backends and pending_ with it (WriteScope).
std::size_t Store::Impl::commit_together(QueuedWrite& first, std::size_t count) noexcept {
  std::exception_ptr failure;
  first.events_end = static_cast<std::size_t>(-1);  // its events, whatever ran: to the end
  try {
    connection_.end_leftover_transaction();
    detail::HeldStore held(*this);
    detail::WriteScope batch(connection_, pending_, log_, counts_);
    catch_up_with_others(batch);  // delivered with the leader's events, ahead of them
    const auto run = [&](QueuedWrite& write) {
      if (connection_.transaction_lost()) return;  // the batch fails at its commit
      write.events_begin = &write == &first ? 0 : pending_.events.size();
      try {
        detail::guarded(write.op, [&] {
          // As atomic as the write needs inside a transaction: a body that undoes its own
          // changes on failure (a set's single put) needs no savepoint of its own.
          detail::WriteScope own(connection_, pending_, log_, counts_, write.atomicity);
          write.body(held);
          // The leader's events travel in pending_'s own node (collect).
          if (&write != &first)
            write.publication.reserve(pending_.events.size() - write.events_begin);
          own.commit();
        });
      } catch (...) {
        write.error = std::current_exception();
      }
      write.events_end = pending_.events.size();
    };
    // The writes queued while these ran join before the commit (nothing waits for them): the
    // writers the previous commit woke are often back in the queue by then, and would otherwise
    // wait a whole commit, so that batches alternated between one write and the rest.
    detail::QueueEntry* entry = &first;
    for (std::size_t ran = 1;; ++ran) {
      run(static_cast<QueuedWrite&>(*entry));
      if (ran == count &&
          (connection_.transaction_lost() || (count = queue_.extend(first)) == ran)) {
        break;
      }
      entry = entry->next;  // linked before `count` was read under the queue's lock
    }
    batch.commit();
  } catch (...) {
    failure = std::current_exception();
    pending_.rollback_to(pending_.kept);
  }
  // Each follower takes its events out of pending_; the leader's (and what the batch caught up
  // with) stay at the front, for collect(). A failed batch left only what it caught up with.
  const auto size = pending_.events.size();
  auto& events = pending_.events;
  detail::WriteQueue::for_each(first, count, [&](detail::QueueEntry& entry) {
    auto& write = static_cast<QueuedWrite&>(entry);
    if (failure && !write.error) write.error = as_error_of(write.op, failure);
    if (&write == &first) return;
    const auto begin = std::min(write.events_begin, size);
    const auto end = std::min(write.events_end, size);
    write.publication.take(events.begin() + static_cast<std::ptrdiff_t>(begin),
                           events.begin() + static_cast<std::ptrdiff_t>(std::max(begin, end)));
  });
  events.resize(std::min(first.events_end, size));
  first.publication.collect(pending_);
  detail::WriteQueue::for_each(first, count, [&](detail::QueueEntry& entry) {
    auto& write = static_cast<QueuedWrite&>(entry);
    if (&write != &first) write.publication.take_turn();
  });
  settle(first.publication);
  return count;
}

}  // namespace kvstore
