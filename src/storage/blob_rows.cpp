#include "storage/blob_rows.hpp"

namespace kvstore::detail {

BlobRows::BlobRows(SQLite::Database& db)
    : create_(db, "INSERT INTO blobs(writer_pid, created_at, in_file) VALUES (?1, ?2, ?3)"),
      insert_chunk_(db, "INSERT INTO blob_chunks(blob_id, seq, data) VALUES (?1, ?2, ?3)"),
      select_chunk_(db, "SELECT data FROM blob_chunks WHERE blob_id = ?1 AND seq = ?2"),
      select_chunks_(db, "SELECT data FROM blob_chunks WHERE blob_id = ?1 ORDER BY seq"),
      finish_(db, "UPDATE blobs SET committed = 1, size = ?2 WHERE id = ?1 AND committed = 0"),
      delete_chunks_(db, "DELETE FROM blob_chunks WHERE blob_id = ?1"),
      delete_blob_(db, "DELETE FROM blobs WHERE id = ?1 RETURNING in_file"),
      storage_(db, "SELECT in_file, size FROM blobs WHERE id = ?1"),
      staged_(db, "SELECT id, in_file FROM blobs WHERE committed = 0"),
      orphans_(db,
               "SELECT id FROM blobs WHERE committed = 1 "
               "AND NOT EXISTS (SELECT 1 FROM kv WHERE kv.blob_id = blobs.id)") {}

std::int64_t BlobRows::create(std::int64_t writer_pid, std::int64_t now, bool in_file) {
  StatementUse use(create_);
  use.integer(1, writer_pid).integer(2, now).integer(3, in_file).run();
  return use.last_insert_rowid();
}

void BlobRows::insert_chunk(std::int64_t blob_id, std::int64_t seq, std::string_view data) {
  StatementUse(insert_chunk_).integer(1, blob_id).integer(2, seq).blob(3, data).run();
}

bool BlobRows::read_chunk(std::int64_t blob_id, std::int64_t seq, std::string& data) {
  StatementUse use(select_chunk_);
  if (!use.integer(1, blob_id).integer(2, seq).step()) return false;
  data = use.column_text(0);
  return true;
}

void BlobRows::append_chunks(std::int64_t blob_id, std::string& value) {
  StatementUse use(select_chunks_);
  use.integer(1, blob_id);
  while (use.step()) value += use.column_text(0);
}

bool BlobRows::finish(std::int64_t blob_id, std::int64_t size) {
  return StatementUse(finish_).integer(1, blob_id).integer(2, size).run() > 0;
}

void BlobRows::delete_chunks(std::int64_t blob_id) {
  StatementUse(delete_chunks_).integer(1, blob_id).run();
}

std::optional<bool> BlobRows::delete_blob(std::int64_t blob_id) {
  StatementUse use(delete_blob_);
  // RETURNING: the row is deleted by the first step.
  if (!use.integer(1, blob_id).step()) return std::nullopt;
  return use.column_int(0) != 0;
}

std::optional<BlobRows::Storage> BlobRows::storage(std::int64_t blob_id) {
  StatementUse use(storage_);
  if (!use.integer(1, blob_id).step()) return std::nullopt;
  return Storage{use.column_int(0) != 0, use.column_int(1)};
}

std::vector<BlobRows::Staged> BlobRows::staged() {
  std::vector<Staged> staged;
  StatementUse use(staged_);
  while (use.step()) staged.push_back({use.column_int(0), use.column_int(1) != 0});
  return staged;
}

std::vector<std::int64_t> BlobRows::orphans() {
  std::vector<std::int64_t> orphans;
  StatementUse use(orphans_);
  while (use.step()) orphans.push_back(use.column_int(0));
  return orphans;
}

}  // namespace kvstore::detail
