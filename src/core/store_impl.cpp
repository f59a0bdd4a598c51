#include "core/store_impl.hpp"

#include <sqlite3.h>

#include <iostream>

#include "core/namespace_counts.hpp"
#include "core/reclaim.hpp"
#include "storage/migrations.hpp"
#include "util/unix_time.hpp"

namespace kvstore {
namespace {

// Brings the schema up to date before any statement that names a table is prepared.
SQLite::Database& migrated(detail::Connection& connection) {
  if (connection.read_only()) {
    detail::require_latest_schema(connection.database());
  } else {
    detail::refuse_newer_schema(connection.database());
    connection.use_write_ahead_log();
    detail::migrate(connection.database());
  }
  return connection.database();
}

bool polls_others(const detail::Connection& connection, const Options& options) {
  return !connection.is_memory() && options.external_poll_interval.count() > 0;
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

}  // namespace

Store::Impl::Impl(const std::string& path, Options opts)
    : options(std::move(opts)),
      hub(std::make_shared<detail::EventHub>(
          [this](const std::string& message) { deliver_report(message); })),
      connection(path, options),
      files(connection.file_path(), detail::file_system()),
      rows(migrated(connection)),
      backends(detail::backends_for(connection, rows)),
      log(*backends.log),
      counts(*backends.counts),
      feed(rows.changes, log, polls_others(connection, options)),
      background([this] {
        std::vector<detail::BackgroundThread::Task> tasks;
        if (options.purge_interval.count() > 0 && !options.read_only) {
          tasks.push_back({options.purge_interval,
                           reporting_failures(
                               *this, [this] { purge_expired(); }, "background purge")});
        }
        if (feed.enabled()) {
          tasks.push_back({options.external_poll_interval,
                           reporting_failures(
                               *this, [this] { poll_external_changes(); }, "change feed poll")});
        }
        return tasks;
      }()) {}

Store::Impl::~Impl() { hub->close_all(); }

void Store::Impl::finish_opening() noexcept {
  if (!options.read_only) detail::reclaim_abandoned_blobs(*this);
}

void Store::Impl::after_commit(Publication& publication) noexcept {
  publication.collect(pending, feed);
  pending.kept = {0, 0, 0};
  if (!pending.removed_files.empty() && !connection.make_commits_durable()) {
    // Until the deletions are durable a power cut could bring their rows back: the files stay,
    // and the next open reclaims them once no row records them.
    pending.removed_files.clear();
    return;
  }
  for (const auto blob_id : pending.removed_files) {
    try {
      files.remove(blob_id);
    } catch (const std::exception& e) {
      report("kvstore: ", e.what(), " (the file is reclaimed on the next open)");
    }
  }
  pending.removed_files.clear();
}

void Store::Impl::require_live_transaction(const detail::Operation& op) const {
  if (connection.transaction_lost()) {
    throw StorageError(op.message("an earlier failure in this transaction made SQLite roll it "
                                  "back; nothing of it is stored and every call in it fails"),
                       SQLITE_ABORT_ROLLBACK);
  }
}

void Store::Impl::require_writable(const detail::Operation& op) const {
  if (options.read_only) throw StorageError(op.message("store is open read-only"), SQLITE_READONLY);
}

void Store::Impl::deliver_report(const std::string& message) const {
  if (options.on_error) {
    options.on_error(message);
  } else {
    std::cerr << message << '\n';
  }
}

std::uint64_t Store::Impl::log_change(EventType type, std::string_view group, std::string_view key,
                                      std::string_view value, std::int64_t now) {
  const auto revision = log.append(type, group, key, now);
  record(type, group, key, value, now, revision);
  return revision;
}

void Store::Impl::record(EventType type, std::string_view group, std::string_view key,
                         std::string_view value, std::int64_t now, std::uint64_t revision) {
  if (feed.enabled()) {
    feed.reserve_own(pending.revisions.size() + 1);  // so that remember_own cannot fail later
    pending.revisions.push_back(revision);
  }
  if (hub->has_subscribers()) {
    pending.add_event(Event{type, std::string(group), std::string(key), std::string(value),
                            detail::from_unix_ms(now), revision});
  }
}

detail::Atomicity Store::Impl::put_atomicity(std::string_view group) const {
  const auto logged = log.put_atomicity();
  if (detail::namespace_of(group).empty()) return logged;
  return detail::stricter(logged, counts.put_atomicity());
}

void Store::Impl::put(std::string_view group, std::string_view key, const Row& row,
                      std::string_view event_value, std::int64_t now) {
  // Everything that may fail in memory (allocating) comes before the statement that changes the
  // row: a single-statement write has committed once it ran, and a WriteScope can only take
  // back the in-memory records, not the row.
  const auto revision = log.append(EventType::set, group, key, now);
  record(EventType::set, group, key, event_value, now, revision);
  const detail::KvRows::RowWrite write{group, key,      row.value, row.expires_at,
                                       now,   revision, row.tag,   row.blob_id};
  if (detail::namespace_of(group).empty()) {
    try {
      rows.kv.upsert(write);
    } catch (...) {
      // No savepoint protects this write inside a transaction: undo the log entry by hand,
      // unless SQLite rolled the whole transaction back (the entry is gone, and the revision
      // may already be another connection's).
      if (!connection.transaction_lost() && !log.undo_append(revision)) {
        pending.must_roll_back = true;
      }
      throw;
    }
    return;
  }
  // The counts count the row where a failure leaves nothing for put to undo (see their
  // before_insert and after_insert).
  if (counts.count_insert(group, [&] { return rows.kv.insert_new(write); })) return;
  rows.kv.update(write);
}

std::string Store::Impl::stored_value(std::string_view inline_value,
                                      std::optional<std::int64_t> blob_id) {
  if (!blob_id) return std::string(inline_value);
  auto value = streamed_value(*blob_id);
  if (!value) files.throw_missing(*blob_id);
  return std::move(*value);
}

std::optional<std::string> Store::Impl::streamed_value(std::int64_t blob_id) {
  const auto storage = rows.blobs.storage(blob_id);
  if (!storage) return std::nullopt;
  std::string value;
  if (storage->in_file) {
    const auto file = files.open(blob_id);
    if (!file) return std::nullopt;
    value.resize(static_cast<std::size_t>(storage->size));
    file->read_exactly(value);
    return value;
  }
  rows.blobs.append_chunks(blob_id, value);
  return value;
}

std::optional<std::string> Store::Impl::streamed_value_of(std::string_view group,
                                                          std::string_view key,
                                                          std::int64_t blob_id, std::int64_t now) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    if (auto value = streamed_value(blob_id)) return value;
    if (attempt == kAttempts) files.throw_missing(blob_id);
    auto stored = rows.kv.find(group, key);
    if (!stored) return std::nullopt;
    if (stored->expires_at && *stored->expires_at <= now) return std::nullopt;
    if (!stored->blob_id) return std::move(stored->value);
    blob_id = *stored->blob_id;
  }
}

std::optional<bool> Store::Impl::remove_row(std::string_view group, std::string_view key,
                                            std::int64_t now) {
  const auto deleted = rows.kv.delete_row(group, key, now);
  if (!deleted) return std::nullopt;
  forget_rows(group, 1, deleted->blob_id);
  log_change(deleted->live ? EventType::erase : EventType::expire, group, key, {}, now);
  return deleted->live;
}

std::size_t Store::Impl::remove_group(std::string_view group, std::int64_t now) {
  const auto deleted = rows.kv.delete_group(group, now);
  if (deleted.empty()) return 0;
  forget_rows(group, static_cast<std::int64_t>(deleted.size()), std::nullopt);
  std::size_t live = 0;
  for (const auto& row : deleted) {
    live += row.live;
    if (row.blob_id) discard_blob(*row.blob_id);
  }
  log_change(EventType::delete_group, group, {}, {}, now);
  return live;
}

void Store::Impl::expire_row(std::string_view group, std::string_view key, std::int64_t now) {
  if (options.read_only) return;  // hidden from reads, deleted by the next writer
  detail::WriteScope scope(connection, pending, log, counts);
  catch_up_with_others(scope);
  const auto deleted = rows.kv.delete_if_expired(group, key, now);
  if (!deleted) return;  // scope rolls back
  forget_rows(group, 1, deleted->blob_id);
  log_change(EventType::expire, group, key, {}, now);
  scope.commit();
}

void Store::Impl::forget_rows(std::string_view group, std::int64_t rows,
                              std::optional<std::int64_t> blob) {
  counts.count_rows(group, -rows);
  if (blob) discard_blob(*blob);
}

void Store::Impl::discard_blob(std::int64_t blob_id) {
  rows.blobs.delete_chunks(blob_id);
  if (rows.blobs.delete_blob(blob_id).value_or(false)) pending.removed_files.push_back(blob_id);
}

void Store::Impl::reclaim_orphan_blobs() {
  for (const auto blob : rows.blobs.orphans()) discard_blob(blob);
}

std::size_t Store::Impl::purge_batch(std::int64_t now, int limit,
                                     const detail::PrefixRange* range) {
  const auto expired = rows.kv.purge_batch(now, limit, range);
  for (const auto& row : expired) {
    forget_rows(row.group, 1, row.blob_id);
    log_change(EventType::expire, row.group, row.key, {}, now);
  }
  return expired.size();
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
    const auto purged = impl.write(op, [&] {
      const auto rows = batch(kPurgeBatch);
      if (rows < static_cast<std::size_t>(kPurgeBatch)) finish();
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
      *this, op, [&](int limit) { return purge_batch(now, limit); },
      [&] {
        reclaim_orphan_blobs();
        log.trim(options.change_log_retention);
      });
}

std::size_t Store::Impl::purge_expired_in(std::string_view group_prefix) {
  const auto op = detail::Operation::of("purge_expired", group_prefix);
  const auto now = detail::now_unix_ms();
  const auto range = detail::PrefixRange::of(group_prefix);
  return purge_in_batches(
      *this, op, [&](int limit) { return purge_batch(now, limit, &range); }, [] {});
}

void Store::Impl::poll_external_changes() {
  with_connection(detail::Operation::of("change feed"), [&] {
    std::uint64_t missed = 0;
    auto external = feed.poll(missed);
    record_external(std::move(external), missed);
  });
}

void Store::Impl::catch_up_with_others(detail::WriteScope& scope) {
  if (!feed.enabled() || !scope.began_transaction() || !hub->has_subscribers()) return;
  std::uint64_t missed = 0;
  auto external = feed.poll(missed);
  record_external(std::move(external), missed);
  pending.keep_recorded();
  scope.keep_recorded();
}

void Store::Impl::record_external(std::vector<Event> external, std::uint64_t missed) {
  pending.missed += missed;
  if (!hub->has_subscribers()) return;
  for (Event& event : external) pending.add_event(std::move(event));
}

void Store::Impl::report_missed(std::uint64_t missed) const noexcept {
  report("kvstore: change feed: ", missed,
         " changes by other connections were trimmed from the log before this store saw "
         "them (subscribers got a gap event); raise change_log_retention or lower "
         "external_poll_interval");
}

}  // namespace kvstore
