#include "core/store_impl.hpp"

#include <sqlite3.h>

#include <iostream>
#include <system_error>

#include "core/namespace_counts.hpp"
#include "core/reclaim.hpp"
#include "storage/inspection.hpp"
#include "storage/migrations.hpp"
#include "storage/wal_watch.hpp"
#include "util/unix_time.hpp"

namespace kvstore {
namespace {

// Brings the schema up to date before any statement that names a table is prepared.
SQLite::Database& migrated(detail::Connection& connection, const Options& options) {
  detail::bring_schema_up_to_date(connection, options.migrate_older_schema);
  return connection.database();
}

// Runs a background task; a failure is reported and the task runs again next time.
std::function<void()> reporting_failures(Store::Impl& impl, std::function<void()> task,
                                         std::string what) {
  return [&impl, task = std::move(task), what = std::move(what)] {
    try {
      task();
    } catch (const std::exception& e) {
      impl.report(e.what(), " (", what, "; will retry)");
    }
  };
}

constexpr int kPurgeBatch = 1000;

// What wakes the change feed: the file's notifications, or (unavailable, or refused by the
// options) nothing, and the feed polls every external_poll_interval.
std::unique_ptr<detail::WakeSource> feed_wake_source(const detail::Connection& connection,
                                                     const Options& options) {
  return std::make_unique<detail::WalWatch>(
      connection.file_path(), options.external_notifications ? detail::WalWatch::Mode::notify
                                                             : detail::WalWatch::Mode::poll);
}

}  // namespace

Store::Impl::Impl(const std::string& path, Options opts)
    : options_(std::move(opts)),
      hub_(std::make_shared<detail::EventHub>(
          [this](const std::string& message) { deliver_report(message); })),
      connection_(path, options_),
      files_(connection_.file_path(), detail::file_system()),
      rows_(migrated(connection_, options_)),
      backends_(detail::backends_for(connection_, rows_)),
      log_(*backends_.log),
      counts_(*backends_.counts),
      purge_possible_(!options_.read_only && options_.purge_interval.count() > 0),
      feed_possible_(backends_.shared && options_.external_poll_interval.count() > 0),
      feed_(rows_.changes, log_, false) {
  // A ":memory:" database is new, and empty; a file may hold keys with a TTL from earlier runs
  // (one indexed query). Keys with a TTL that other connections write later are hidden by the
  // reads' lazy expiry until some store on the file purges them.
  if (purge_possible_ && backends_.shared && detail::holds_expiring_rows(connection_)) {
    start_purge();
  }
}

Store::Impl::~Impl() { hub_->close_all(); }

void Store::Impl::finish_opening() noexcept {
  if (!options_.read_only) detail::reclaim_abandoned_blobs(*this);
}

void Store::Impl::start_purge() {
  if (purge_started_ || !purge_possible_) return;
  start_background(
      options_.purge_interval, [this] { purge_expired(); }, "background purge");
  purge_started_ = true;
}

void Store::Impl::start_change_feed(const detail::Operation& op) {
  if (!feed_possible_) return;
  with_connection(op, [&](detail::HeldStore&) {
    if (feed_.enabled()) return;
    feed_.start(pending_.revisions);
    try {
      // On the file's notifications where they work, else every external_poll_interval.
      start_background(
          options_.external_poll_interval, [this] { poll_external_changes(); }, "change feed poll",
          feed_wake_source(connection_, options_));
    } catch (...) {
      feed_.stop();
      throw;
    }
  });
}

void Store::Impl::start_background(std::chrono::milliseconds interval, std::function<void()> task,
                                   const char* what, std::unique_ptr<detail::WakeSource> wake) {
  try {
    const bool on_wake = wake != nullptr;
    background_.add({interval, reporting_failures(*this, std::move(task), what), on_wake},
                    std::move(wake));
  } catch (const std::system_error& e) {
    throw std::system_error(e.code(),
                            std::string("cannot start the background thread for the ") + what);
  }
}

void Store::Impl::after_commit(Publication& publication) noexcept {
  publication.collect(pending_);
  settle(publication);
}

void Store::Impl::settle(Publication& publication) noexcept {
  feed_.remember_own(pending_.revisions);
  publication.add_missed(std::exchange(pending_.missed, 0));
  pending_.kept = {0, 0, 0};
  if (!pending_.removed_files.empty() && !connection_.make_commits_durable()) {
    // Until the deletions are durable a power cut could bring their rows back: the files stay,
    // and the next open reclaims them once no row records them.
    pending_.removed_files.clear();
    return;
  }
  for (const auto blob_id : pending_.removed_files) {
    try {
      files_.remove(blob_id);
    } catch (const std::exception& e) {
      report("kvstore: ", e.what(), " (the file is reclaimed on the next open)");
    }
  }
  pending_.removed_files.clear();
}

void Store::Impl::require_live_transaction(const detail::Operation& op) const {
  if (connection_.transaction_lost()) {
    throw StorageError(op.message("an earlier failure in this transaction made SQLite roll it "
                                  "back; nothing of it is stored and every call in it fails"),
                       SQLITE_ABORT_ROLLBACK);
  }
}

void Store::Impl::require_writable(const detail::Operation& op) const {
  if (options_.read_only)
    throw StorageError(op.message("store is open read-only"), SQLITE_READONLY);
}

void Store::Impl::deliver_report(const std::string& message) const {
  if (options_.on_error) {
    options_.on_error(message);
  } else {
    std::cerr << message << '\n';
  }
}

detail::Atomicity Store::Impl::put_atomicity(std::string_view group) const {
  const auto logged = log_.put_atomicity();
  if (detail::namespace_of(group).empty()) return logged;
  return detail::stricter(logged, counts_.put_atomicity());
}

namespace {

// Runs batch(limit, last) in writes until one comes back short; `last` is set for that one,
// which also does `finish` in the same write. Batches keep each write lock short, so a large
// purge does not stall other writers; a purge of fewer rows than a batch is one transaction.
template <class Batch, class Finish>
std::size_t purge_in_batches(Store::Impl& impl, const detail::Operation& op, Batch&& batch,
                             Finish&& finish) {
  std::size_t total = 0;
  for (;;) {
    const auto purged = impl.write(op, [&](detail::HeldStore& held) {
      const auto rows = batch(held, kPurgeBatch);
      if (rows < static_cast<std::size_t>(kPurgeBatch)) finish(held);
      return rows;
    });
    total += purged;
    if (purged < static_cast<std::size_t>(kPurgeBatch)) return total;
  }
}

}  // namespace

std::size_t Store::Impl::purge_expired() {
  const auto op = detail::Operation::of("purge_expired");
  const auto now = detail::now_unix_ms();
  return purge_in_batches(
      *this, op, [&](detail::HeldStore& held, int limit) { return held.purge_batch(now, limit); },
      [&](detail::HeldStore& held) {
        held.reclaim_orphan_blobs();
        log_.trim(options_.change_log_retention);
      });
}

std::size_t Store::Impl::purge_expired_in(std::string_view group_prefix) {
  const auto op = detail::Operation::of("purge_expired", group_prefix);
  const auto now = detail::now_unix_ms();
  const auto range = detail::PrefixRange::of(group_prefix);
  return purge_in_batches(
      *this, op,
      [&](detail::HeldStore& held, int limit) { return held.purge_batch(now, limit, &range); },
      [](detail::HeldStore&) {});
}

void Store::Impl::poll_external_changes() {
  with_connection(detail::Operation::of("change feed"), [&](detail::HeldStore&) {
    std::uint64_t missed = 0;
    auto external = feed_.poll(missed);
    record_external(std::move(external), missed);
  });
}

void Store::Impl::catch_up_with_others(detail::WriteScope& scope) {
  if (!feed_.enabled() || !scope.began_transaction() || !hub_->has_subscribers()) return;
  std::uint64_t missed = 0;
  auto external = feed_.poll(missed);
  record_external(std::move(external), missed);
  pending_.keep_recorded();
  scope.keep_recorded();
}

void Store::Impl::record_external(std::vector<Event> external, std::uint64_t missed) {
  pending_.missed += missed;
  if (!hub_->has_subscribers()) return;
  for (Event& event : external) pending_.add_event(std::move(event));
}

void Store::Impl::report_missed(std::uint64_t missed) const noexcept {
  report("kvstore: change feed: ", missed,
         " changes by other connections were trimmed from the log before this store saw "
         "them (subscribers got a gap event); raise change_log_retention or lower "
         "external_poll_interval");
}

}  // namespace kvstore
