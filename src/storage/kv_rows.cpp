#include "storage/kv_rows.hpp"

#include <string>

namespace kvstore::detail {
namespace {

// The queries of metadata(), without and with the value. Literals: a statement keeps a pointer
// to its SQL until its first use, and a string built on first use would be an allocation that
// only the first store of a process makes.
#define KVSTORE_METADATA_COLUMNS                                   \
  "SELECT kv.revision, kv.modified_at, kv.expires_at, kv.tag, "    \
  "coalesce(b.size, length(CAST(kv.value AS BLOB))), kv.blob_id, " \
  "coalesce(b.in_file, 0)"
#define KVSTORE_METADATA_FROM \
  " FROM kv LEFT JOIN blobs AS b ON b.id = kv.blob_id WHERE kv.grp = ?1 AND kv.key = ?2"
constexpr const char* kMetadata = KVSTORE_METADATA_COLUMNS KVSTORE_METADATA_FROM;
constexpr const char* kMetadataAndValue =
    KVSTORE_METADATA_COLUMNS ", kv.value" KVSTORE_METADATA_FROM;
#undef KVSTORE_METADATA_COLUMNS
#undef KVSTORE_METADATA_FROM

// The parameters of upsert, insert_new and update.
StatementUse& bind_row(StatementUse& use, const KvRows::RowWrite& row) {
  use.text(1, row.group).text(2, row.key).text(3, row.value).integer_or_null(4, row.expires_at);
  use.integer(5, row.modified_at).integer(6, static_cast<std::int64_t>(row.revision));
  return use.text(7, row.tag).integer_or_null(8, row.blob_id);
}

// The columns of the deletions: was it live?, blob_id.
KvRows::DeletedRow deleted_row(const StatementUse& use) {
  return {use.column_int(0) != 0, use.column_int_or_null(1)};
}

std::vector<std::string> names(StatementUse& use) {
  std::vector<std::string> names;
  while (use.step()) names.emplace_back(use.column_text(0));
  return names;
}

}  // namespace

// Writing a row: ?1 grp, ?2 key, ?3 value, ?4 expires_at, ?5 modified_at, ?6 revision, ?7 tag,
// ?8 blob_id (bind_row).
KvRows::KvRows(SQLite::Database& db)
    : upsert_(db,
              "INSERT INTO kv(grp, key, value, expires_at, modified_at, revision, tag, blob_id) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(grp, key) DO UPDATE SET "
              "value = excluded.value, expires_at = excluded.expires_at, "
              "modified_at = excluded.modified_at, revision = excluded.revision, "
              "tag = excluded.tag, blob_id = excluded.blob_id"),
      insert_new_(
          db,
          "INSERT INTO kv(grp, key, value, expires_at, modified_at, revision, tag, blob_id) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(grp, key) DO NOTHING"),
      update_(db,
              "UPDATE kv SET value = ?3, expires_at = ?4, modified_at = ?5, revision = ?6, "
              "tag = ?7, blob_id = ?8 WHERE grp = ?1 AND key = ?2"),
      select_(db,
              "SELECT coalesce(expires_at > ?3, 1), blob_id, "
              "CASE WHEN coalesce(expires_at > ?3, 1) THEN value END "
              "FROM kv WHERE grp = ?1 AND key = ?2"),
      select_value_(db, "SELECT value FROM kv WHERE grp = ?1 AND key = ?2"),
      select_value_written_at_(db,
                               "SELECT value FROM kv WHERE grp = ?1 AND key = ?2 "
                               "AND revision = ?3 AND blob_id IS NULL"),
      // coalesce, not "expires_at IS NULL OR ...": SQLite 3.40 evaluates IS NULL wrongly in a
      // RETURNING clause.
      delete_if_expired_(db,
                         "DELETE FROM kv WHERE grp = ?1 AND key = ?2 AND expires_at <= ?3 "
                         "RETURNING blob_id"),
      delete_(db,
              "DELETE FROM kv WHERE grp = ?1 AND key = ?2 "
              "RETURNING coalesce(expires_at > ?3, 1), blob_id"),
      delete_group_(
          db, "DELETE FROM kv WHERE grp = ?1 RETURNING coalesce(expires_at > ?2, 1), blob_id"),
      live_page_(db,
                 "SELECT key, value, blob_id FROM kv WHERE grp = ?1 AND key >= ?2 "
                 "AND (expires_at IS NULL OR expires_at > ?3) ORDER BY key LIMIT ?4"),
      count_live_(db,
                  "SELECT count(*) FROM kv WHERE grp = ?1 "
                  "AND (expires_at IS NULL OR expires_at > ?2)"),
      count_live_in_range_(db,
                           "SELECT count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 "
                           "AND (expires_at IS NULL OR expires_at > ?3)"),
      live_groups_in_range_(db,
                            "SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2 "
                            "AND (expires_at IS NULL OR expires_at > ?3) ORDER BY grp"),
      groups_in_range_(db, "SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2"),
      purge_batch_(
          db,
          "DELETE FROM kv WHERE rowid IN "
          "(SELECT rowid FROM kv WHERE expires_at <= ?1 LIMIT ?2) RETURNING grp, key, blob_id"),
      purge_range_batch_(
          db,
          "DELETE FROM kv WHERE rowid IN (SELECT rowid FROM kv WHERE "
          "expires_at <= ?1 AND grp >= ?3 AND grp < ?4 LIMIT ?2) RETURNING grp, key, blob_id"),
      group_exists_(db, "SELECT 1 FROM kv WHERE grp = ?1 LIMIT 1"),
      metadata_(db, kMetadata),
      metadata_and_value_(db, kMetadataAndValue) {}

std::optional<KvRows::StoredRow> KvRows::find(std::string_view group, std::string_view key,
                                              std::int64_t now) {
  StatementUse use(select_);
  if (!use.text(1, group).text(2, key).integer(3, now).step()) return std::nullopt;
  return StoredRow{use.column_int(0) != 0, std::string(use.column_text(2)),
                   use.column_int_or_null(1)};
}

std::optional<std::string> KvRows::value_written_at(std::string_view group, std::string_view key,
                                                    std::uint64_t revision) {
  StatementUse use(select_value_written_at_);
  use.text(1, group).text(2, key).integer(3, static_cast<std::int64_t>(revision));
  if (!use.step()) return std::nullopt;
  return std::string(use.column_text(0));
}

bool KvRows::exists(std::string_view group, std::string_view key) {
  return StatementUse(select_value_).text(1, group).text(2, key).step();
}

bool KvRows::group_exists(std::string_view group) {
  return StatementUse(group_exists_).text(1, group).step();
}

void KvRows::upsert(const RowWrite& row) {
  StatementUse use(upsert_);
  bind_row(use, row).run();
}

bool KvRows::insert_new(const RowWrite& row) {
  StatementUse use(insert_new_);
  return bind_row(use, row).run() > 0;
}

void KvRows::update(const RowWrite& row) {
  StatementUse use(update_);
  bind_row(use, row).run();
}

std::optional<KvRows::DeletedRow> KvRows::delete_row(std::string_view group, std::string_view key,
                                                     std::int64_t now) {
  StatementUse use(delete_);
  if (!use.text(1, group).text(2, key).integer(3, now).step()) return std::nullopt;
  return deleted_row(use);
}

std::optional<KvRows::DeletedRow> KvRows::delete_if_expired(std::string_view group,
                                                            std::string_view key,
                                                            std::int64_t now) {
  StatementUse use(delete_if_expired_);
  if (!use.text(1, group).text(2, key).integer(3, now).step()) return std::nullopt;
  return DeletedRow{false, use.column_int_or_null(0)};
}

KvRows::DeletedGroup KvRows::delete_group(std::string_view group, std::int64_t now) {
  DeletedGroup deleted;
  StatementUse use(delete_group_);
  use.text(1, group).integer(2, now);
  while (use.step()) {
    const auto row = deleted_row(use);
    ++deleted.rows;
    deleted.live += row.live;
    if (row.blob_id) deleted.blob_ids.push_back(*row.blob_id);
  }
  return deleted;
}

std::vector<KvRows::ExpiredRow> KvRows::purge_batch(std::int64_t now, int limit,
                                                    const PrefixRange* range) {
  std::vector<ExpiredRow> expired;
  StatementUse use(range ? purge_range_batch_ : purge_batch_);
  use.integer(1, now).integer(2, limit);
  if (range) range->bind(use, 3);
  while (use.step()) {
    expired.push_back({std::string(use.column_text(0)), std::string(use.column_text(1)),
                       use.column_int_or_null(2)});
  }
  return expired;
}

void KvRows::live_page(
    std::string_view group, std::string_view from, std::int64_t now, int limit,
    FunctionRef<void(std::string_view, std::string_view, std::optional<std::int64_t>)> visit) {
  StatementUse use(live_page_);
  use.text(1, group).text(2, from).integer(3, now).integer(4, limit);
  while (use.step()) visit(use.column_text(0), use.column_text(1), use.column_int_or_null(2));
}

std::size_t KvRows::count_live(std::string_view group, std::int64_t now) {
  StatementUse use(count_live_);
  use.text(1, group).integer(2, now).step();
  return static_cast<std::size_t>(use.column_int(0));
}

std::size_t KvRows::count_live_in_range(const PrefixRange& range, std::int64_t now) {
  StatementUse use(count_live_in_range_);
  range.bind(use, 1);
  use.integer(3, now).step();
  return static_cast<std::size_t>(use.column_int(0));
}

std::vector<std::string> KvRows::live_groups_in_range(const PrefixRange& range, std::int64_t now) {
  StatementUse use(live_groups_in_range_);
  range.bind(use, 1);
  use.integer(3, now);
  return names(use);
}

std::vector<std::string> KvRows::groups_in_range(const PrefixRange& range) {
  StatementUse use(groups_in_range_);
  range.bind(use, 1);
  return names(use);
}

std::optional<KvRows::RowMetadata> KvRows::metadata(std::string_view group, std::string_view key,
                                                    bool with_value) {
  StatementUse use(with_value ? metadata_and_value_ : metadata_);
  if (!use.text(1, group).text(2, key).step()) return std::nullopt;
  RowMetadata row{static_cast<std::uint64_t>(use.column_int(0)),
                  use.column_int(1),
                  use.column_int_or_null(2),
                  std::string(use.column_text(3)),
                  static_cast<std::uint64_t>(use.column_int(4)),
                  use.column_int_or_null(5),
                  use.column_int(6) != 0,
                  {}};
  if (with_value && !row.blob_id) row.value = use.column_text(7);
  return row;
}

}  // namespace kvstore::detail
