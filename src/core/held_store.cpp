#include "core/held_store.hpp"

#include "core/store_impl.hpp"
#include "util/unix_time.hpp"

namespace kvstore::detail {

KvRows& HeldStore::kv() { return impl_.rows_.kv; }
BlobRows& HeldStore::blobs() { return impl_.rows_.blobs; }
ChangeLog& HeldStore::log() { return impl_.log_; }
NamespaceCounts& HeldStore::counts() { return impl_.counts_; }
Connection& HeldStore::connection() { return impl_.connection_; }
const BlobFiles& HeldStore::files() const { return impl_.files_; }

std::uint64_t HeldStore::log_change(EventType type, std::string_view group, std::string_view key,
                                    std::optional<std::string_view> value, std::int64_t now) {
  const auto revision = log().append(type, group, key, now);
  record(type, group, key, value, now, revision);
  return revision;
}

void HeldStore::record(EventType type, std::string_view group, std::string_view key,
                       std::optional<std::string_view> value, std::int64_t now,
                       std::uint64_t revision) {
  // Kept also while the feed waits for a listener: one that starts it inside this transaction
  // needs to know the transaction's own revisions (ChangeFeed::start).
  if (impl_.feed_possible_) {
    impl_.feed_.reserve_own(impl_.pending_.revisions.size() +
                            1);  // so that remember_own cannot fail later
    impl_.pending_.revisions.push_back(revision);
  }
  // The purge pass also trims the log: a log that may hold more than change_log_retention
  // entries (it holds at most `revision`) needs it.
  if (revision > impl_.options_.change_log_retention) impl_.start_purge();
  if (impl_.hub_->has_subscribers()) {
    impl_.pending_.add_event(Event{type, std::string(group), std::string(key),
                                   value ? std::optional<std::string>(*value) : std::nullopt,
                                   from_unix_ms(now), revision});
  }
}

void HeldStore::put(std::string_view group, std::string_view key, const Row& row,
                    std::optional<std::string_view> event_value, std::int64_t now) {
  // Everything that may fail in memory (allocating) comes before the statement that changes the
  // row: a single-statement write has committed once it ran, and a WriteScope can only take
  // back the in-memory records, not the row.
  if (row.expires_at) impl_.start_purge();
  const auto revision = log().append(EventType::set, group, key, now);
  const KvRows::RowWrite write{
      group,    key,     row.value,  row.expires_at, row.modified_at.value_or(now),
      revision, row.tag, row.blob_id};
  if (namespace_of(group).empty()) {
    try {
      record(EventType::set, group, key, event_value, now, revision);
      kv().upsert(write);
    } catch (...) {
      // No savepoint protects this write inside a transaction (nor in a batch of group commit):
      // undo the log entry by hand, unless SQLite rolled the whole transaction back (the entry
      // is gone, and the revision may already be another connection's).
      if (!connection().transaction_lost() && !log().undo_append(revision)) {
        impl_.pending_.must_roll_back = true;
      }
      throw;
    }
    return;
  }
  record(EventType::set, group, key, event_value, now, revision);
  // The counts count the row where a failure leaves nothing for put to undo (see their
  // before_insert and after_insert).
  if (counts().count_insert(group, [&] { return kv().insert_new(write); })) return;
  kv().update(write);
}

std::string HeldStore::stored_value(std::string_view inline_value,
                                    std::optional<std::int64_t> blob_id) {
  if (!blob_id) return std::string(inline_value);
  auto value = streamed_value(*blob_id);
  if (!value) files().throw_missing(*blob_id);
  return std::move(*value);
}

std::optional<std::string> HeldStore::streamed_value(std::int64_t blob_id) {
  const auto storage = blobs().storage(blob_id);
  if (!storage) return std::nullopt;
  std::string value;
  if (storage->in_file) {
    const auto file = files().open(blob_id);
    if (!file) return std::nullopt;
    value.resize(static_cast<std::size_t>(storage->size));
    file->read_exactly(value);
    return value;
  }
  blobs().append_chunks(blob_id, value);
  return value;
}

std::optional<std::string> HeldStore::streamed_value_of(std::string_view group,
                                                        std::string_view key, std::int64_t blob_id,
                                                        std::int64_t now) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    if (auto value = streamed_value(blob_id)) return value;
    if (attempt == kAttempts) files().throw_missing(blob_id);
    auto stored = kv().find(group, key, now);
    if (!stored || !stored->live) return std::nullopt;
    if (!stored->blob_id) return std::move(stored->value);
    blob_id = *stored->blob_id;
  }
}

bool HeldStore::retime(std::string_view group, std::string_view key,
                       std::optional<std::int64_t> expires_at, std::int64_t now) {
  const auto row = kv().metadata(group, key, /*with_value=*/true);
  if (!row || (row->expires_at && *row->expires_at <= now)) return false;
  if (!expires_at && !row->expires_at) return true;
  // A streamed value's set event carries no bytes here: reading them all could be costly.
  const auto event_value =
      row->blob_id ? std::nullopt : std::optional<std::string_view>(row->value);
  put(group, key, {row->value, expires_at, row->tag, row->blob_id, row->modified_at}, event_value,
      now);
  return true;
}

std::optional<bool> HeldStore::remove_row(std::string_view group, std::string_view key,
                                          std::int64_t now) {
  const auto deleted = kv().delete_row(group, key, now);
  if (!deleted) return std::nullopt;
  forget_rows(group, 1, deleted->blob_id);
  log_change(deleted->live ? EventType::erase : EventType::expire, group, key, std::nullopt, now);
  return deleted->live;
}

std::size_t HeldStore::remove_group(std::string_view group, std::int64_t now) {
  const auto deleted = kv().delete_group(group, now);
  if (deleted.rows == 0) return 0;
  forget_rows(group, static_cast<std::int64_t>(deleted.rows), std::nullopt);
  for (const auto blob_id : deleted.blob_ids) discard_blob(blob_id);
  log_change(EventType::delete_group, group, {}, std::nullopt, now);
  return deleted.live;
}

void HeldStore::expire_row(std::string_view group, std::string_view key, std::int64_t now) {
  if (impl_.options_.read_only) return;  // hidden from reads, deleted by the next writer
  WriteScope scope(connection(), impl_.pending_, log(), counts());
  impl_.catch_up_with_others(scope);
  const auto deleted = kv().delete_if_expired(group, key, now);
  if (!deleted) return;  // scope rolls back
  forget_rows(group, 1, deleted->blob_id);
  log_change(EventType::expire, group, key, std::nullopt, now);
  scope.commit();
}

void HeldStore::forget_rows(std::string_view group, std::int64_t rows,
                            std::optional<std::int64_t> blob) {
  counts().count_rows(group, -rows);
  if (blob) discard_blob(*blob);
}

void HeldStore::discard_blob(std::int64_t blob_id) {
  blobs().delete_chunks(blob_id);
  if (blobs().delete_blob(blob_id).value_or(false)) impl_.pending_.removed_files.push_back(blob_id);
}

void HeldStore::reclaim_orphan_blobs() {
  for (const auto blob : blobs().orphans()) discard_blob(blob);
}

std::size_t HeldStore::purge_batch(std::int64_t now, int limit, const PrefixRange* range) {
  const auto expired = kv().purge_batch(now, limit, range);
  for (const auto& row : expired) {
    forget_rows(row.group, 1, row.blob_id);
    log_change(EventType::expire, row.group, row.key, std::nullopt, now);
  }
  return expired.size();
}

}  // namespace kvstore::detail
