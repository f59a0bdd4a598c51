#include "storage/statements.hpp"

#include <string>
#include <string_view>

namespace kvstore::detail {

namespace {

// The query of select_metadata, with `more` columns after its own.
std::string metadata_query(std::string_view more) {
  return std::string(
             "SELECT kv.revision, kv.modified_at, kv.expires_at, kv.tag, "
             "coalesce(b.size, length(CAST(kv.value AS BLOB))), kv.blob_id, "
             "coalesce(b.in_file, 0)")
      .append(more)
      .append(
          " FROM kv LEFT JOIN blobs AS b ON b.id = kv.blob_id WHERE kv.grp = ?1 AND kv.key = ?2");
}

}  // namespace

// "Live" everywhere below: no TTL, or a TTL still in the future.
Statements::Statements(SQLite::Database& db)
    : log_change(db, "INSERT INTO changes(op, grp, key, time) VALUES (?1, ?2, ?3, ?4)"),
      delete_change(db, "DELETE FROM changes WHERE revision = ?1"),
      upsert(db,
             "INSERT INTO kv(grp, key, value, expires_at, modified_at, revision, tag, blob_id) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(grp, key) DO UPDATE SET "
             "value = excluded.value, expires_at = excluded.expires_at, "
             "modified_at = excluded.modified_at, revision = excluded.revision, "
             "tag = excluded.tag, blob_id = excluded.blob_id"),
      insert_new(db,
                 "INSERT INTO kv(grp, key, value, expires_at, modified_at, revision, tag, blob_id) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(grp, key) DO NOTHING"),
      update_row(db,
                 "UPDATE kv SET value = ?3, expires_at = ?4, modified_at = ?5, revision = ?6, "
                 "tag = ?7, blob_id = ?8 WHERE grp = ?1 AND key = ?2"),
      select_row(db, "SELECT value, expires_at, blob_id FROM kv WHERE grp = ?1 AND key = ?2"),
      // coalesce, not "expires_at IS NULL OR ...": SQLite 3.40 evaluates IS NULL wrongly in a
      // RETURNING clause.
      delete_if_expired(db,
                        "DELETE FROM kv WHERE grp = ?1 AND key = ?2 AND expires_at <= ?3 "
                        "RETURNING blob_id"),
      delete_row(db,
                 "DELETE FROM kv WHERE grp = ?1 AND key = ?2 "
                 "RETURNING coalesce(expires_at > ?3, 1), blob_id"),
      delete_group(db,
                   "DELETE FROM kv WHERE grp = ?1 RETURNING coalesce(expires_at > ?2, 1), blob_id"),
      select_live_page(db,
                       "SELECT key, value, blob_id FROM kv WHERE grp = ?1 AND key >= ?2 "
                       "AND (expires_at IS NULL OR expires_at > ?3) ORDER BY key LIMIT ?4"),
      count_live(db,
                 "SELECT count(*) FROM kv WHERE grp = ?1 "
                 "AND (expires_at IS NULL OR expires_at > ?2)"),
      count_live_in_range(db,
                          "SELECT count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 "
                          "AND (expires_at IS NULL OR expires_at > ?3)"),
      live_groups_in_range(db,
                           "SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2 "
                           "AND (expires_at IS NULL OR expires_at > ?3) ORDER BY grp"),
      all_groups_in_range(db, "SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2"),
      purge_batch(
          db,
          "DELETE FROM kv WHERE rowid IN "
          "(SELECT rowid FROM kv WHERE expires_at <= ?1 LIMIT ?2) RETURNING grp, key, blob_id"),
      purge_range_batch(
          db,
          "DELETE FROM kv WHERE rowid IN (SELECT rowid FROM kv WHERE "
          "expires_at <= ?1 AND grp >= ?3 AND grp < ?4 LIMIT ?2) RETURNING grp, key, blob_id"),
      namespace_counts(db, "SELECT keys, groups FROM ns_counts WHERE ns = ?1"),
      add_group_count(db, "UPDATE ns_group_counts SET keys = keys + ?2 WHERE grp = ?1"),
      insert_group_count(db, "INSERT INTO ns_group_counts(grp, keys) VALUES (?1, ?2)"),
      delete_empty_group_count(db, "DELETE FROM ns_group_counts WHERE grp = ?1 AND keys <= 0"),
      add_namespace_count(db,
                          "UPDATE ns_counts SET keys = keys + ?2, groups = groups + ?3 "
                          "WHERE ns = ?1"),
      insert_namespace_count(db, "INSERT INTO ns_counts(ns, keys, groups) VALUES (?1, ?2, ?3)"),
      group_exists(db, "SELECT 1 FROM kv WHERE grp = ?1 LIMIT 1"),
      latest_revision(db, "SELECT coalesce(max(revision), 0) FROM changes"),
      oldest_revision(db, "SELECT min(revision) FROM changes"),
      count_changes(db, "SELECT count(*) FROM changes"),
      changes_after(db,
                    "SELECT c.revision, c.op, c.grp, c.key, c.time, coalesce(kv.value, '') "
                    "FROM changes AS c LEFT JOIN kv "
                    "ON c.op = 'set' AND kv.grp = c.grp AND kv.key = c.key "
                    "WHERE c.revision > ?1 ORDER BY c.revision"),
      trim_changes(db,
                   "DELETE FROM changes WHERE revision <= "
                   "(SELECT max(revision) FROM changes) - ?1"),
      data_version(db, "PRAGMA data_version"),
      create_blob(db, "INSERT INTO blobs(writer_pid, created_at, in_file) VALUES (?1, ?2, ?3)"),
      insert_chunk(db, "INSERT INTO blob_chunks(blob_id, seq, data) VALUES (?1, ?2, ?3)"),
      select_chunk(db, "SELECT data FROM blob_chunks WHERE blob_id = ?1 AND seq = ?2"),
      select_chunks(db, "SELECT data FROM blob_chunks WHERE blob_id = ?1 ORDER BY seq"),
      finish_blob(db, "UPDATE blobs SET committed = 1, size = ?2 WHERE id = ?1 AND committed = 0"),
      delete_chunks(db, "DELETE FROM blob_chunks WHERE blob_id = ?1"),
      delete_blob(db, "DELETE FROM blobs WHERE id = ?1 RETURNING in_file"),
      blob_storage(db, "SELECT in_file, size FROM blobs WHERE id = ?1"),
      staged_blobs(db, "SELECT id, in_file FROM blobs WHERE committed = 0"),
      orphan_blobs(db,
                   "SELECT id FROM blobs WHERE committed = 1 "
                   "AND NOT EXISTS (SELECT 1 FROM kv WHERE kv.blob_id = blobs.id)"),
      select_metadata(db, metadata_query("").c_str()),
      select_metadata_and_value(db, metadata_query(", kv.value").c_str()) {}

}  // namespace kvstore::detail
