// The store as seen by code that holds its connection: Store::Impl::with_connection() and
// write() hand one to their body, and nothing else makes one, so every use of what the
// connection lock guards (rows, change log, counts, the records of the call's changes) happens
// with the connection held, by construction.
//
// The steps of the public operations live here. `now` is Unix ms. The mutating ones need the
// atomic write of Store::Impl::write(); each records its change (change log, event, namespace
// counts) as well as the row. A HeldStore must not outlive the body it was handed to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvstore/events.hpp"
#include "kvstore/store.hpp"

namespace kvstore::detail {

class BlobFiles;
class BlobRows;
class ChangeLog;
class Connection;
class KvRows;
class NamespaceCounts;
struct PrefixRange;

// Hidden like Store::Impl, which it refers to (also where a test includes it).
class KVSTORE_HIDDEN HeldStore {
 public:
  explicit HeldStore(Store::Impl& impl) : impl_(impl) {}
  HeldStore(const HeldStore&) = delete;
  HeldStore& operator=(const HeldStore&) = delete;

  KvRows& kv();
  BlobRows& blobs();
  ChangeLog& log();
  NamespaceCounts& counts();
  // For maintenance (stats, check, checkpoint, vacuum) only: the data goes through the rows.
  Connection& connection();
  const BlobFiles& files() const;

  // What put() stores in a kv row.
  struct Row {
    std::string_view value;  // '' for a streamed value
    std::optional<std::int64_t> expires_at;
    std::string_view tag = {};
    std::optional<std::int64_t> blob_id = {};      // a committed streamed value
    std::optional<std::int64_t> modified_at = {};  // when its value was written; nullopt: now
  };
  // Stores the row; `event_value` is what the set event carries (nullopt: the event does not
  // carry the value, see Event::value). Inside Impl::write_put it is the write's only change.
  void put(std::string_view group, std::string_view key, const Row& row,
           std::optional<std::string_view> event_value, std::int64_t now);
  // A row's value: kv.value, or its streamed value (which must exist: use it for a value this
  // call wrote).
  std::string stored_value(std::string_view inline_value, std::optional<std::int64_t> blob_id);
  // The value of live row group/key whose streamed value `blob_id` was read under a statement
  // that has ended since: while another connection's replacement takes the file away, reads the
  // row again (a few times, then throws). nullopt if the key is gone or expired at `now` by then.
  std::optional<std::string> streamed_value_of(std::string_view group, std::string_view key,
                                               std::int64_t blob_id, std::int64_t now);
  // Gives live group/key the expiry `expires_at` (nullopt: none), keeping its value, tag and
  // modification time, as a put; a key whose expiry already is none is left alone. Returns
  // whether a live key existed.
  bool retime(std::string_view group, std::string_view key, std::optional<std::int64_t> expires_at,
              std::int64_t now);
  // Deletes group/key: nullopt if there was no row, else whether it was live.
  std::optional<bool> remove_row(std::string_view group, std::string_view key, std::int64_t now);
  // Deletes every row of group; returns how many of them were live.
  std::size_t remove_group(std::string_view group, std::int64_t now);
  // Deletes group/key, in an atomic write of its own, if it is expired at `now` and the store is
  // writable (a read's lazy expiry).
  void expire_row(std::string_view group, std::string_view key, std::int64_t now);
  // Deletes up to `limit` rows expired at `now` (in groups within `range` if given); returns how
  // many.
  std::size_t purge_batch(std::int64_t now, int limit, const PrefixRange* range = nullptr);
  // Deletes a streamed value's chunks and record; its file, if any, once the write commits.
  void discard_blob(std::int64_t blob_id);
  // Deletes the committed streamed values no row points to (overwritten by a plain set).
  void reclaim_orphan_blobs();

 private:
  // Streamed value `blob_id` whole, or nullopt when its record or file is gone: another
  // connection replaced or deleted it (the file goes once the deletion committed).
  std::optional<std::string> streamed_value(std::int64_t blob_id);
  // Appends to the change log and records the change (see record). Returns its revision.
  std::uint64_t log_change(EventType type, std::string_view group, std::string_view key,
                           std::optional<std::string_view> value, std::int64_t now);
  // Records a logged change: its revision for the change feed, its event for after commit.
  void record(EventType type, std::string_view group, std::string_view key,
              std::optional<std::string_view> value, std::int64_t now, std::uint64_t revision);
  // Bookkeeping for `rows` deleted rows of `group`: namespace counts and streamed value `blob`.
  void forget_rows(std::string_view group, std::int64_t rows, std::optional<std::int64_t> blob);

  Store::Impl& impl_;
};

}  // namespace kvstore::detail
