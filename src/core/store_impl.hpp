// Store's private state and the building blocks its methods share.
//
// Locking: `mutex` guards the connection, `rows`, `log`, `counts`, `pending` and `feed`.
// `files` is immutable. A
// thread running Store::transaction(fn) holds it for the whole of fn and is recorded in
// `transaction_thread`; the calls it makes meanwhile join the open transaction instead of locking
// again. Events are published by the hub after `mutex` is released (see Publication), so callbacks
// never run under it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/backends.hpp"
#include "core/change_feed.hpp"
#include "core/change_log.hpp"
#include "core/namespace_counts.hpp"
#include "core/pending_changes.hpp"
#include "core/write_scope.hpp"
#include "events/hub.hpp"
#include "kvstore/store.hpp"
#include "storage/connection.hpp"
#include "storage/prefix_range.hpp"
#include "storage/rows.hpp"
#include "storage/value_files.hpp"
#include "util/background_thread.hpp"
#include "util/operation.hpp"

namespace kvstore {

struct Store::Impl {
  Impl(const std::string& path, Options options);
  ~Impl();
  // Work that needs the whole Impl (and may publish): reclaims abandoned staged values, reporting
  // a failure instead of failing the open.
  void finish_opening() noexcept;

  // Runs body with the connection, under the mutex unless this thread's transaction is open.
  // body reads; what it writes it writes in an atomic write of its own (get's lazy expiry opens
  // a WriteScope) or outside any transaction (checkpoint, vacuum). The changes body committed
  // are published after the mutex is released. For a write, use write().
  template <class Body>
  decltype(auto) with_connection(const detail::Operation& op, Body&& body) {
    return detail::guarded(op, [&]() -> decltype(auto) {
      if (joined()) {
        require_live_transaction(op);
        return body();
      }
      Publication publication(*this);  // destroyed after `lock`: publishes outside the lock
      std::unique_lock lock(mutex);
      connection.end_leftover_transaction();
      const HandOver hand_over{*this, publication};  // under the lock, however body ends
      return body();
    });
  }

  // Like with_connection(), inside one atomic write: its own transaction, or a savepoint of the
  // open one (less if body needs less: see detail::Atomicity and write_put). Throws StorageError
  // without touching the file when the store is read-only.
  template <class Body>
  decltype(auto) write(const detail::Operation& op, Body&& body,
                       detail::Atomicity atomicity = detail::Atomicity::needs_savepoint) {
    require_writable(op);
    return with_connection(op, [&]() -> decltype(auto) {
      detail::WriteScope scope(connection, pending, log, counts, atomicity);
      catch_up_with_others(scope);
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        scope.commit();
      } else {
        auto result = body();
        scope.commit();
        return result;
      }
    });
  }
  // write() for a body whose only change is one put() to `group` (it may read before): as
  // atomic as the put needs (put_atomicity), which may be less than a transaction.
  template <class Body>
  decltype(auto) write_put(const detail::Operation& op, std::string_view group, Body&& body) {
    return write(op, std::forward<Body>(body), put_atomicity(group));
  }

  // Hands what one top-level call committed (and the other connections' commits it caught up
  // with) to the change feed and, after unlocking, to the hub, which delivers batches in the
  // order their turns were taken (commit order).
  class Publication {
   public:
    explicit Publication(Impl& impl) : impl_(impl) {}
    ~Publication() {
      if (batch_) impl_.hub->publish(turn_, std::move(batch_));
      if (missed_ > 0) impl_.report_missed(missed_);
    }
    Publication(const Publication&) = delete;
    Publication& operator=(const Publication&) = delete;
    // Under the connection lock, once the call's writes committed or rolled back. Allocates
    // nothing (what it needs was allocated while the write could still fail), so a commit is
    // never followed by a failure.
    void collect(detail::PendingChanges& pending, detail::ChangeFeed& feed) noexcept {
      feed.remember_own(pending.revisions);
      missed_ = std::exchange(pending.missed, 0);
      if (pending.events.empty()) return;
      batch_ = std::move(pending.node);
      batch_.mapped() = std::move(pending.events);
      pending.events.clear();
      turn_ = impl_.hub->take_turn();
    }

   private:
    Impl& impl_;
    detail::BatchNode batch_;
    std::uint64_t turn_ = 0;
    std::uint64_t missed_ = 0;
  };

  // When a top-level call ends, under the lock: what a failure undid is forgotten (what the
  // call caught up with is kept), and the rest goes to the publication.
  struct HandOver {
    Impl& impl;
    Publication& publication;
    const int exceptions = std::uncaught_exceptions();
    ~HandOver() {
      if (std::uncaught_exceptions() > exceptions) impl.pending.rollback_to(impl.pending.kept);
      impl.after_commit(publication);
    }
  };

  // Under the connection lock, once a top-level call's writes committed: hands its changes to
  // `publication` and deletes the files of the streamed values it deleted. Never throws: the
  // call has committed.
  void after_commit(Publication& publication) noexcept;

  bool joined() const { return transaction_thread.load() == std::this_thread::get_id(); }
  // Inside transaction(fn): throws StorageError if SQLite rolled the transaction back after a
  // failure that fn caught, so that fn's later calls neither autocommit nor read around it.
  void require_live_transaction(const detail::Operation& op) const;
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
  static void append_part(std::string& message, std::string_view part) { message.append(part); }
  static void append_part(std::string& message, std::uint64_t count) {
    message.append(std::to_string(count));
  }
  void deliver_report(const std::string& message) const;

  // Steps of the public operations. The caller holds the connection; the mutating ones also
  // need a WriteScope. `now` is Unix ms.
  //
  // Appends to the change log and records the change (see record). Returns its revision.
  std::uint64_t log_change(EventType type, std::string_view group, std::string_view key,
                           std::string_view value, std::int64_t now);
  // Records a logged change: its revision for the change feed, its event for after commit.
  void record(EventType type, std::string_view group, std::string_view key, std::string_view value,
              std::int64_t now, std::uint64_t revision);
  // What put() stores in a kv row.
  struct Row {
    std::string_view value;  // '' for a streamed value
    std::optional<std::int64_t> expires_at;
    std::string_view tag = {};
    std::optional<std::int64_t> blob_id = {};  // a committed streamed value
  };
  // Stores the row; `event_value` is what the set event carries. See put_atomicity.
  void put(std::string_view group, std::string_view key, const Row& row,
           std::string_view event_value, std::int64_t now);
  // What a write whose body is one put() needs: the row's statement needs nothing more than
  // itself, plus what the log's append needs and, in a namespaced group, the count's.
  detail::Atomicity put_atomicity(std::string_view group) const;
  // A row's value: kv.value, or its streamed value (which must exist: use it for a value this
  // call wrote).
  std::string stored_value(std::string_view inline_value, std::optional<std::int64_t> blob_id);
  // Streamed value `blob_id` whole, or nullopt when its record or file is gone: another
  // connection replaced or deleted it (the file goes once the deletion committed).
  std::optional<std::string> streamed_value(std::int64_t blob_id);
  // The value of live row group/key whose streamed value `blob_id` was read under a statement
  // that has ended since: while another connection's replacement takes the file away, reads the
  // row again (a few times, then throws). nullopt if the key is gone or expired at `now` by then.
  std::optional<std::string> streamed_value_of(std::string_view group, std::string_view key,
                                               std::int64_t blob_id, std::int64_t now);
  // Deletes group/key: nullopt if there was no row, else whether it was live.
  std::optional<bool> remove_row(std::string_view group, std::string_view key, std::int64_t now);
  // Deletes every row of group; returns how many of them were live.
  std::size_t remove_group(std::string_view group, std::int64_t now);
  // Deletes group/key if it is expired at `now` and the store is writable.
  void expire_row(std::string_view group, std::string_view key, std::int64_t now);
  // Deletes up to `limit` rows expired at `now` (in groups within `range` if given); returns how
  // many.
  std::size_t purge_batch(std::int64_t now, int limit, const detail::PrefixRange* range = nullptr);
  // Bookkeeping for `rows` deleted rows of `group`: namespace counts and streamed value `blob`.
  void forget_rows(std::string_view group, std::int64_t rows, std::optional<std::int64_t> blob);
  // Deletes a streamed value's chunks and record; its file, if any, once the write commits.
  void discard_blob(std::int64_t blob_id);
  // Deletes the committed streamed values no row points to (overwritten by a plain set).
  void reclaim_orphan_blobs();

  // The purge pass: deletes every row expired now, in batches of short writes, then trims the
  // change log to Options::change_log_retention. Returns how many rows expired.
  std::size_t purge_expired();
  // Deletes every row expired now in groups starting with `group_prefix`; returns how many.
  std::size_t purge_expired_in(std::string_view group_prefix);
  // Publishes the changes other connections committed since the last poll.
  void poll_external_changes();
  // Right after a top-level write took the write lock: records the commits other connections
  // made before it, so that they are delivered ahead of its own (commit order), whatever becomes
  // of the write. Only when someone listens (the background poll catches up otherwise).
  void catch_up_with_others(detail::WriteScope& scope);
  // Records what the change feed read: other connections' commits, and a gap event for those
  // trimmed before this store read them.
  void record_external(std::vector<Event> external, std::uint64_t missed);
  // Reports changes lost before this store read them (after the lock is released).
  void report_missed(std::uint64_t missed) const noexcept;

  Options options;
  std::shared_ptr<detail::EventHub> hub;  // shared with Watcher and Subscription handles
  std::mutex mutex;
  detail::Connection connection;
  const detail::BlobFiles files;
  detail::Rows rows;
  detail::Backends backends;  // chosen when the store opens
  detail::ChangeLog& log;
  detail::NamespaceCounts& counts;
  detail::PendingChanges pending;
  detail::ChangeFeed feed;
  std::atomic<std::thread::id> transaction_thread{};
  detail::BackgroundThread background;  // last: stopped before everything above is destroyed
};

}  // namespace kvstore
