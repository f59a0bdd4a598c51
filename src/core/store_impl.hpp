// Store's private state and the machinery every Store method goes through: the connection lock,
// atomic writes, publication of events after commit, and the background work.
//
// Locking: `mutex_` guards the connection, `rows_`, the change log, the counts, `pending_` and
// `feed_`; they are private, and code outside Impl reaches them only through the HeldStore
// (core/held_store.hpp) that with_connection() and write() hand to their body, so whoever
// touches them holds the connection. A thread running Store::transaction(fn) holds it for the
// whole of fn and is recorded in `transaction_thread_`; the calls it makes meanwhile join the
// open transaction instead of locking again. `options_`, `files_` and `hub_` are immutable after
// the open and need no lock. Events are published by the hub after `mutex_` is released (see
// Publication), so callbacks never run under it.
//
// Group commit: write() outside a transaction goes through `queue_` (core/write_queue.hpp, its
// own mutex, never held with `mutex_`). The writer first in the queue leads: it takes `mutex_`
// and runs its batch (write_queued, lead: core/group_commit.cpp), records each write's outcome
// and events in the write's QueuedWrite, releases `mutex_`, then hands the batch back to the
// queue, which wakes the writers of the batch and the next leader. Each writer then publishes
// its own events on its own thread (turns taken under `mutex_` in commit order), so a callback
// that writes never waits for the leader, nor the leader for it.
//
// Background work starts only when there is some (no thread before): the purge when a key with a
// TTL exists or the change log may outgrow its retention (start_purge), the change-feed poll when
// someone listens on a shared database (start_change_feed). `mutex_` guards the decision to start
// each (`purge_started_`, `feed_.enabled()`) and the call that starts it; BackgroundThread's own
// mutex guards its task list and the start of the thread, and is never held while a task runs,
// so a task taking `mutex_` cannot deadlock with a start under it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/backends.hpp"
#include "core/change_feed.hpp"
#include "core/held_store.hpp"
#include "core/pending_changes.hpp"
#include "core/write_queue.hpp"
#include "core/write_scope.hpp"
#include "events/hub.hpp"
#include "kvstore/store.hpp"
#include "storage/connection.hpp"
#include "storage/rows.hpp"
#include "storage/value_files.hpp"
#include "util/background_thread.hpp"
#include "util/function_ref.hpp"
#include "util/operation.hpp"

namespace kvstore {

class Store::Impl {
 public:
  Impl(const std::string& path, Options options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  // Work that needs the whole Impl (and may publish): reclaims abandoned staged values, reporting
  // a failure instead of failing the open.
  void finish_opening() noexcept;

  // Runs body(HeldStore&) with the connection, under the mutex unless this thread's transaction
  // is open. body reads; what it writes it writes in an atomic write of its own (get's lazy
  // expiry opens a WriteScope) or outside any transaction (checkpoint, vacuum). The changes body
  // committed are published after the mutex is released. For a write, use write().
  template <class Body>
  decltype(auto) with_connection(const detail::Operation& op, Body&& body) {
    return detail::guarded(op, [&]() -> decltype(auto) {
      detail::HeldStore held(*this);
      if (joined()) {
        require_live_transaction(op);
        return body(held);
      }
      Publication publication(*this);  // destroyed after `lock`: publishes outside the lock
      std::unique_lock lock(mutex_);
      connection_.end_leftover_transaction();
      const HandOver hand_over{*this, publication};  // under the lock, however body ends
      return body(held);
    });
  }

  // Like with_connection(), inside one atomic write: its own transaction, or a savepoint of the
  // open one (less if body needs less: see detail::Atomicity and write_put). Throws StorageError
  // without touching the file when the store is read-only.
  //
  // Outside a transaction(fn) of this thread the write goes through the write queue (group
  // commit, core/write_queue.hpp): alone, it runs on this thread as described; while another
  // write commits, it waits, and the first writer queued then runs it, with the other queued
  // writes, in one transaction where each has a savepoint of its own (see lead()). body may run
  // on that writer's thread; this call returns once the write committed or failed, with its own
  // result or error, after publishing its own events on this thread.
  template <class Body>
  auto write(const detail::Operation& op, Body&& body,
             detail::Atomicity atomicity = detail::Atomicity::needs_savepoint)
      -> decltype(body(std::declval<detail::HeldStore&>())) {
    using Result = decltype(body(std::declval<detail::HeldStore&>()));
    require_writable(op);
    if (joined()) return write_alone(op, body, atomicity);
    if constexpr (std::is_void_v<Result>) {
      write_queued(op, atomicity, [&](detail::HeldStore& held) { body(held); });
    } else {
      static_assert(!std::is_reference_v<Result>, "a queued write returns a value");
      std::optional<Result> result;
      write_queued(op, atomicity, [&](detail::HeldStore& held) { result.emplace(body(held)); });
      return std::move(*result);
    }
  }
  // write() for a body whose only change is one HeldStore::put() to `group` (it may read
  // before): as atomic as the put needs, which may be less than a transaction (a single
  // statement commits alone).
  template <class Body>
  decltype(auto) write_put(const detail::Operation& op, std::string_view group, Body&& body) {
    return write(op, std::forward<Body>(body), put_atomicity(group));
  }
  // Store::transaction: runs fn() in one write that holds the connection for the whole of fn;
  // the Store calls fn makes on this thread join it. Nested calls join the outer transaction.
  // Never queued: no other write shares its transaction.
  template <class Fn>
  void transaction(const detail::Operation& op, Fn&& fn) {
    require_writable(op);
    write_alone(
        op,
        [&](detail::HeldStore&) {
          const TransactionOwner owner(*this);
          fn();
        },
        detail::Atomicity::needs_savepoint);
  }

  // The queue of writes waiting for a commit (group commit; read-only for the tests).
  const detail::WriteQueue& write_queue() const { return queue_; }

  // Whether the calling thread is inside this store's transaction(fn).
  bool joined() const { return transaction_thread_.load() == std::this_thread::get_id(); }
  void require_writable(const detail::Operation& op) const;

  // Hands the message made of `parts` (strings, string views, C strings, counts) to
  // Options::on_error, or to stderr. Never throws: a message that cannot be built or delivered
  // (out of memory, an on_error that throws) is lost, not the call that reports it.
  template <class... Parts>
  void report(const Parts&... parts) const noexcept {
    try {
      std::string message;
      (append_part(message, parts), ...);
      deliver_report(message);
    } catch (...) {
    }
  }

  // The event hub, shared with Watcher and Subscription handles.
  const std::shared_ptr<detail::EventHub>& hub() const { return hub_; }
  // The files of streamed values (immutable; safe without the connection).
  const detail::BlobFiles& files() const { return files_; }

  // The purge pass: deletes every row expired now, in batches of short writes, then trims the
  // change log to Options::change_log_retention. Returns how many rows expired.
  std::size_t purge_expired();
  // Deletes every row expired now in groups starting with `group_prefix`; returns how many.
  std::size_t purge_expired_in(std::string_view group_prefix);
  // Publishes the changes other connections committed since the last poll.
  void poll_external_changes();
  // Before a watcher or callback is registered: on a database other connections may write (and
  // Options::external_poll_interval > 0), starts the change feed at the end of the log and its
  // poll, if not started yet. Runs until the store closes. Throws StorageError if the thread
  // cannot be started or the log cannot be read; nothing is started then.
  void start_change_feed(const detail::Operation& op);

 private:
  friend class detail::HeldStore;

  // Hands what one top-level call committed (and the other connections' commits it caught up
  // with) to the hub, once destroyed after unlocking; the hub delivers batches in the order
  // their turns were taken (commit order).
  class Publication {
   public:
    explicit Publication(Impl& impl) : impl_(impl) {}
    ~Publication() {
      if (batch_) impl_.hub_->publish(turn_, std::move(batch_));
      if (missed_ > 0) impl_.report_missed(missed_);
    }
    Publication(const Publication&) = delete;
    Publication& operator=(const Publication&) = delete;
    // Under the connection lock, once the call's writes committed or rolled back: takes every
    // event `pending` holds, and a turn. Allocates nothing (what it needs was allocated while
    // the write could still fail), so a commit is never followed by a failure.
    void collect(detail::PendingChanges& pending) noexcept {
      if (pending.events.empty()) return;
      batch_ = std::move(pending.node);
      batch_.mapped() = std::move(pending.events);
      pending.events.clear();
      take_turn();
    }
    // For a write of a batch, while it can still fail: room for `count` events. Throws
    // std::bad_alloc.
    void reserve(std::size_t count) {
      if (count == 0) return;
      batch_ = detail::make_batch_node();
      batch_.mapped().reserve(count);
    }
    // Under the connection lock, once the batch ended: moves `events` (at most what reserve()
    // made room for) in, allocating nothing.
    void take(std::vector<Event>::iterator first, std::vector<Event>::iterator last) noexcept {
      if (first == last) return;
      batch_.mapped().insert(batch_.mapped().end(), std::make_move_iterator(first),
                             std::make_move_iterator(last));
    }
    // Under the connection lock, in commit order: the delivery turn of the events taken.
    void take_turn() noexcept {
      if (batch_ && !batch_.mapped().empty()) {
        turn_ = impl_.hub_->take_turn();
      } else {
        batch_ = {};
      }
    }
    void add_missed(std::uint64_t missed) noexcept { missed_ += missed; }

   private:
    Impl& impl_;
    detail::BatchNode batch_;
    std::uint64_t turn_ = 0;
    std::uint64_t missed_ = 0;
  };

  // A write going through the queue, on its writer's stack. The leader of its batch sets
  // `error`, `events_begin`, `events_end` and `publication` under the connection lock; the writer
  // reads them once the queue marked it done (or it led).
  using WriteBody = detail::FunctionRef<void(detail::HeldStore&)>;
  struct QueuedWrite : detail::QueueEntry {
    QueuedWrite(Impl& impl, const detail::Operation& op, detail::Atomicity atomicity,
                WriteBody body)
        : op(op), atomicity(atomicity), body(body), publication(impl) {}
    const detail::Operation& op;
    const detail::Atomicity atomicity;
    const WriteBody body;
    std::exception_ptr error;
    // Where its events lie in pending_.events (the leader's own: from 0, see commit_together).
    std::size_t events_begin = 0;
    std::size_t events_end = 0;
    Publication publication;
  };

  // When a top-level call ends, under the lock: what a failure undid is forgotten (what the
  // call caught up with is kept), and the rest goes to the publication.
  struct HandOver {
    Impl& impl;
    Publication& publication;
    const int exceptions = std::uncaught_exceptions();
    ~HandOver() {
      if (std::uncaught_exceptions() > exceptions) impl.pending_.rollback_to(impl.pending_.kept);
      impl.after_commit(publication);
    }
  };

  // Marks the calling thread as the owner of the open transaction for its lifetime, so the
  // Store calls it makes join the transaction. Nested transactions leave it as is.
  class TransactionOwner {
   public:
    explicit TransactionOwner(Impl& impl) : impl_(impl), outermost_(!impl.joined()) {
      if (outermost_) impl_.transaction_thread_ = std::this_thread::get_id();
    }
    ~TransactionOwner() {
      if (outermost_) impl_.transaction_thread_ = std::thread::id();
    }
    TransactionOwner(const TransactionOwner&) = delete;
    TransactionOwner& operator=(const TransactionOwner&) = delete;

   private:
    Impl& impl_;
    bool outermost_;
  };

  // Under the connection lock, once a top-level call's writes committed: hands its changes to
  // `publication` and settles the rest (settle). Never throws: the call has committed.
  void after_commit(Publication& publication) noexcept;
  // Under the connection lock, once a top-level write or a batch ended: hands the revisions to
  // the change feed and the missed count to `publication`, and deletes the files of the streamed
  // values it deleted. Never throws.
  void settle(Publication& publication) noexcept;

  // write() outside the queue: under the mutex, or joining this thread's transaction.
  template <class Body>
  decltype(auto) write_alone(const detail::Operation& op, Body&& body,
                             detail::Atomicity atomicity) {
    return with_connection(op, [&](detail::HeldStore& held) -> decltype(auto) {
      return run_write(held, body, atomicity);
    });
  }
  // Under the connection lock at top level: body in its own atomic write.
  template <class Body>
  decltype(auto) run_write(detail::HeldStore& held, Body& body, detail::Atomicity atomicity) {
    detail::WriteScope scope(connection_, pending_, log_, counts_, atomicity);
    catch_up_with_others(scope);
    if constexpr (std::is_void_v<decltype(body(held))>) {
      body(held);
      scope.commit();
    } else {
      auto result = body(held);
      scope.commit();
      return result;
    }
  }
  // write() through the queue (core/group_commit.cpp): waits for a leader or leads; rethrows
  // the write's own error.
  void write_queued(const detail::Operation& op, detail::Atomicity atomicity, WriteBody body);
  // The leader's work, for its batch of `count` writes from `first` (its own): under the
  // connection lock, the one write as write_alone() does, or the batch in one transaction, each
  // write as atomic as it needs (a savepoint, or none for a self_contained body). The batch takes
  // in the writes queued meanwhile, up to its commit (never waiting for any); a lone
  // self_contained write leads such a batch too. Records each write's outcome and events in it;
  // returns how many writes the batch held. Never throws.
  std::size_t lead(QueuedWrite& first, std::size_t count) noexcept;
  void commit_alone(QueuedWrite& write) noexcept;
  std::size_t commit_together(QueuedWrite& first, std::size_t count) noexcept;
  // Inside transaction(fn): throws StorageError if SQLite rolled the transaction back after a
  // failure that fn caught, so that fn's later calls neither autocommit nor read around it.
  void require_live_transaction(const detail::Operation& op) const;
  // Under the connection lock (or in the constructor), inside a write that will leave a key with
  // a TTL or a change log longer than change_log_retention, before it commits: starts the
  // background purge unless it runs or the store never purges (read-only, purge_interval 0).
  // Throws std::system_error if the thread cannot be started: the write then fails and commits
  // nothing. A write that rolls back later leaves the purge running (it finds nothing).
  void start_purge();
  // Runs `task` every `interval` on the background thread, reporting its failures (named
  // `what`) to on_error; starts the thread if needed. With `wake`, the task runs when it signals
  // instead, and every interval only while it is unavailable. Throws std::system_error naming
  // `what` if the thread cannot be started.
  void start_background(std::chrono::milliseconds interval, std::function<void()> task,
                        const char* what, std::unique_ptr<detail::WakeSource> wake = nullptr);
  // What a write whose body is one put() needs: the row's statement needs nothing more than
  // itself, plus what the log's append needs and, in a namespaced group, the count's.
  detail::Atomicity put_atomicity(std::string_view group) const;

  static void append_part(std::string& message, std::string_view part) { message.append(part); }
  static void append_part(std::string& message, std::uint64_t count) {
    message.append(std::to_string(count));
  }
  void deliver_report(const std::string& message) const;

  // Right after a top-level write took the write lock: records the commits other connections
  // made before it, so that they are delivered ahead of its own (commit order), whatever becomes
  // of the write. Only when someone listens (the background poll catches up otherwise).
  void catch_up_with_others(detail::WriteScope& scope);
  // Records what the change feed read: other connections' commits, and a gap event for those
  // trimmed before this store read them.
  void record_external(std::vector<Event> external, std::uint64_t missed);
  // Reports changes lost before this store read them (after the lock is released).
  void report_missed(std::uint64_t missed) const noexcept;

  const Options options_;
  const std::shared_ptr<detail::EventHub> hub_;
  std::mutex mutex_;
  detail::Connection connection_;
  const detail::BlobFiles files_;
  detail::Rows rows_;
  const detail::Backends backends_;  // chosen when the store opens
  detail::ChangeLog& log_;
  detail::NamespaceCounts& counts_;
  // Whether the store may purge (start_purge) and follow other connections (start_change_feed).
  const bool purge_possible_;
  const bool feed_possible_;
  detail::PendingChanges pending_;
  detail::ChangeFeed feed_;
  detail::WriteQueue queue_;  // its own lock; see core/write_queue.hpp
  std::atomic<std::thread::id> transaction_thread_{};
  bool purge_started_ = false;  // guarded by mutex_
  // Last: stopped before everything above is destroyed. No thread until start_purge() or
  // start_change_feed() adds a task.
  detail::BackgroundThread background_;
};

}  // namespace kvstore
