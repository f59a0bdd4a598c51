// Every data statement the Store runs, prepared once per connection after migration.
#pragma once

#include <SQLiteCpp/Database.h>

#include "storage/prepared_statement.hpp"

namespace kvstore::detail {

struct Statements {
  explicit Statements(SQLite::Database& db);

  // Appends to the change log; the new row's rowid is the mutation's revision.
  // ?1 op, ?2 grp, ?3 key, ?4 time.
  PreparedStatement log_change;
  // ?1 revision: removes a log entry whose write failed.
  PreparedStatement delete_change;
  // Writing a row: ?1 grp, ?2 key, ?3 value, ?4 expires_at, ?5 modified_at, ?6 revision,
  // ?7 tag, ?8 blob_id. upsert for plain groups; in namespaced groups, whose counts must know
  // whether a row was added, insert_new (changes nothing if the row exists) then update_row.
  PreparedStatement upsert;
  PreparedStatement insert_new;
  PreparedStatement update_row;
  // ?1 grp, ?2 key -> value, expires_at, blob_id.
  PreparedStatement select_row;
  // Deletes the row only if it is still expired at ?3 (another writer may have replaced it).
  // -> blob_id, if a row was deleted.
  PreparedStatement delete_if_expired;
  // ?1 grp, ?2 key, ?3 now -> was it live?, blob_id; if a row was deleted.
  PreparedStatement delete_row;
  // ?1 grp, ?2 now -> one row per deleted key: was it live?, blob_id.
  PreparedStatement delete_group;
  // ?1 grp, ?2 first key (inclusive), ?3 now, ?4 limit (-1 = all) -> key, value, blob_id in
  // key order.
  PreparedStatement select_live_page;
  // ?1 grp, ?2 now -> count of live keys.
  PreparedStatement count_live;
  // ?1 lower, ?2 upper (exclusive), ?3 now -> count of live keys in groups within the range.
  PreparedStatement count_live_in_range;
  // ?1 lower, ?2 upper (exclusive), ?3 now -> names of groups with live keys, sorted.
  PreparedStatement live_groups_in_range;
  // ?1 lower, ?2 upper (exclusive) -> every group name within the range, live or not.
  PreparedStatement all_groups_in_range;
  // ?1 now, ?2 batch size -> grp, key, blob_id of each expired row deleted.
  PreparedStatement purge_batch;
  // Same, only in groups within [?3, ?4).
  PreparedStatement purge_range_batch;
  // ?1 namespace -> keys, groups (no row: the namespace holds nothing).
  PreparedStatement namespace_counts;
  // Namespace counts (no RETURNING: SQLite runs it through a temporary table on every call).
  // ?1 grp, ?2 rows added (negative: removed); changes nothing if the group has no count yet.
  PreparedStatement add_group_count;
  // ?1 grp, ?2 rows: the first count of a group.
  PreparedStatement insert_group_count;
  // ?1 grp: deletes the group's count if it reached 0.
  PreparedStatement delete_empty_group_count;
  // ?1 namespace, ?2 keys added, ?3 groups added (negative: removed); changes nothing if the
  // namespace has no count yet.
  PreparedStatement add_namespace_count;
  // ?1 namespace, ?2 keys, ?3 groups: the first count of a namespace.
  PreparedStatement insert_namespace_count;
  // ?1 grp -> a row if the group holds any row.
  PreparedStatement group_exists;
  // -> the newest revision (0 when the log is empty).
  PreparedStatement latest_revision;
  // -> the oldest logged revision (NULL when the log is empty).
  PreparedStatement oldest_revision;
  // -> how many entries the log holds.
  PreparedStatement count_changes;
  // ?1 revision -> revision, op, grp, key, time, current value of set rows ('' if gone).
  PreparedStatement changes_after;
  // ?1 entries to keep (>= 1): deletes older log rows.
  PreparedStatement trim_changes;
  // -> a number that changes when another connection commits.
  PreparedStatement data_version;

  // Streamed values (see migrations/0005_streamed_values.sql).
  // ?1 writer pid (for a person reading the file), ?2 now, ?3 in_file (see 0006_blob_files.sql):
  // stages a new blob; its id is
  // the new rowid.
  PreparedStatement create_blob;
  // ?1 blob_id, ?2 seq, ?3 data.
  PreparedStatement insert_chunk;
  // ?1 blob_id, ?2 seq -> data.
  PreparedStatement select_chunk;
  // ?1 blob_id -> data of every chunk, in order.
  PreparedStatement select_chunks;
  // ?1 blob_id, ?2 size: marks a staged blob committed (0 rows changed: it is gone).
  PreparedStatement finish_blob;
  // ?1 blob_id.
  PreparedStatement delete_chunks;
  // ?1 blob_id -> in_file (no row: there was no such blob).
  PreparedStatement delete_blob;
  // ?1 blob_id -> in_file, size (no row: there is no such blob).
  PreparedStatement blob_storage;
  // -> id, in_file of every staged (uncommitted) blob.
  PreparedStatement staged_blobs;
  // -> id of every committed blob that no row points to any more.
  PreparedStatement orphan_blobs;
  // ?1 grp, ?2 key -> revision, modified_at, expires_at, tag, size, blob_id, in_file.
  PreparedStatement select_metadata;
  // The same, then value: a plain value read in the same snapshot as its metadata.
  PreparedStatement select_metadata_and_value;
};

}  // namespace kvstore::detail
