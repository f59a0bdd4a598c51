// The rows of kv, the store's keys and values: every statement that reads or writes them, with
// its parameters and columns. "Live": no TTL, or a TTL still in the future (`now`, Unix ms).
// Each prepared on its first use, then reused. Guarded by the Store's connection lock, like the
// connection.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/prefix_range.hpp"
#include "storage/prepared_statement.hpp"
#include "util/function_ref.hpp"

namespace kvstore::detail {

class KvRows {
 public:
  explicit KvRows(SQLite::Database& db);

  // A row as find() reads it at `now`.
  struct StoredRow {
    bool live;          // not expired at `now`
    std::string value;  // a live row's value; '' for a streamed value or an expired row
    std::optional<std::int64_t> blob_id;
  };
  // group/key's row, or nullopt if there is none. An expired row's value is not read.
  std::optional<StoredRow> find(std::string_view group, std::string_view key, std::int64_t now);
  // group/key's inline value, live or not, if the row is still the one `revision` wrote;
  // nullopt if it is not (written since, removed) or holds a streamed value.
  std::optional<std::string> value_written_at(std::string_view group, std::string_view key,
                                              std::uint64_t revision);
  // Whether group/key has a row, live or not.
  bool exists(std::string_view group, std::string_view key);
  // Whether `group` holds any row, live or not.
  bool group_exists(std::string_view group);

  // What a write stores in a row.
  struct RowWrite {
    std::string_view group, key, value;
    std::optional<std::int64_t> expires_at;
    std::int64_t modified_at;
    std::uint64_t revision;
    std::string_view tag;
    std::optional<std::int64_t> blob_id;
  };
  // Inserts or replaces the row.
  void upsert(const RowWrite& row);
  // Inserts the row unless it exists (then changes nothing); returns whether it did. With
  // update(), for writers that must know whether a row was added (namespace counts).
  bool insert_new(const RowWrite& row);
  void update(const RowWrite& row);

  // A deleted row: whether it was live, and its streamed value.
  struct DeletedRow {
    bool live;
    std::optional<std::int64_t> blob_id;
  };
  // Deletes group/key; nullopt if there was no row.
  std::optional<DeletedRow> delete_row(std::string_view group, std::string_view key,
                                       std::int64_t now);
  // Deletes group/key only if it is still expired at `now` (another writer may have replaced
  // it); nullopt if nothing was deleted.
  std::optional<DeletedRow> delete_if_expired(std::string_view group, std::string_view key,
                                              std::int64_t now);
  // What delete_group() deleted.
  struct DeletedGroup {
    std::size_t rows = 0;
    std::size_t live = 0;                // of `rows`, those live at `now`
    std::vector<std::int64_t> blob_ids;  // the streamed values the rows held
  };
  // Deletes every row of `group`.
  DeletedGroup delete_group(std::string_view group, std::int64_t now);
  // An expired row a purge deleted.
  struct ExpiredRow {
    std::string group, key;
    std::optional<std::int64_t> blob_id;
  };
  // Deletes up to `limit` rows expired at `now`, in groups within `range` if given.
  std::vector<ExpiredRow> purge_batch(std::int64_t now, int limit,
                                      const PrefixRange* range = nullptr);

  // Visits the live rows of `group` from key `from` (inclusive) in key order, up to `limit`
  // (-1: all): visit(key, value, blob_id), value '' for a streamed one. The views last until
  // visit returns.
  void live_page(
      std::string_view group, std::string_view from, std::int64_t now, int limit,
      FunctionRef<void(std::string_view, std::string_view, std::optional<std::int64_t>)> visit);
  std::size_t count_live(std::string_view group, std::int64_t now);
  // Live rows in groups within `range`.
  std::size_t count_live_in_range(const PrefixRange& range, std::int64_t now);
  // Names of the groups within `range` holding live rows, sorted.
  std::vector<std::string> live_groups_in_range(const PrefixRange& range, std::int64_t now);
  // Names of every group within `range`, live or not.
  std::vector<std::string> groups_in_range(const PrefixRange& range);

  // A row's metadata as metadata() reads it, live or not.
  struct RowMetadata {
    std::uint64_t revision;
    std::int64_t modified_at;
    std::optional<std::int64_t> expires_at;
    std::string tag;
    std::uint64_t size;  // of the streamed value, or of the plain value in bytes
    std::optional<std::int64_t> blob_id;
    bool in_file;       // the streamed value is in a file (BlobFiles)
    std::string value;  // with_value and a plain value: the value
  };
  // `with_value`: also the plain value, from the same row (one statement, one snapshot: another
  // connection may replace the row between two).
  std::optional<RowMetadata> metadata(std::string_view group, std::string_view key,
                                      bool with_value);

 private:
  PreparedStatement upsert_;
  PreparedStatement insert_new_;
  PreparedStatement update_;
  PreparedStatement select_;
  PreparedStatement select_value_;
  PreparedStatement select_value_written_at_;
  PreparedStatement delete_if_expired_;
  PreparedStatement delete_;
  PreparedStatement delete_group_;
  PreparedStatement live_page_;
  PreparedStatement count_live_;
  PreparedStatement count_live_in_range_;
  PreparedStatement live_groups_in_range_;
  PreparedStatement groups_in_range_;
  PreparedStatement purge_batch_;
  PreparedStatement purge_range_batch_;
  PreparedStatement group_exists_;
  PreparedStatement metadata_;
  PreparedStatement metadata_and_value_;
};

}  // namespace kvstore::detail
