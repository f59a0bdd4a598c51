-- Streamed values (Store::begin_set): the bytes are staged in blob_chunks as they are written,
-- and commit points the kv row at them (kv.value is then ''). kv.tag holds the caller's metadata.
ALTER TABLE kv ADD COLUMN tag TEXT NOT NULL DEFAULT '';
ALTER TABLE kv ADD COLUMN blob_id INTEGER;  -- NULL: the value is kv.value

-- AUTOINCREMENT: an id is never reused, so a reader of a replaced value can never read another
-- value's chunks under the old id.
CREATE TABLE blobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  size INTEGER NOT NULL DEFAULT 0,
  writer_pid INTEGER NOT NULL,       -- staging only: reclaimed on open once this process is gone
  created_at INTEGER NOT NULL,       -- Unix ms
  committed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE blob_chunks (
  blob_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (blob_id, seq)
);

-- A streamed value leaves with its row, however the row is replaced or deleted.
CREATE TRIGGER kv_blob_replaced AFTER UPDATE OF blob_id ON kv
  WHEN OLD.blob_id IS NOT NULL AND OLD.blob_id IS NOT NEW.blob_id
BEGIN
  DELETE FROM blob_chunks WHERE blob_id = OLD.blob_id;
  DELETE FROM blobs WHERE id = OLD.blob_id;
END;
CREATE TRIGGER kv_blob_deleted AFTER DELETE ON kv WHEN OLD.blob_id IS NOT NULL
BEGIN
  DELETE FROM blob_chunks WHERE blob_id = OLD.blob_id;
  DELETE FROM blobs WHERE id = OLD.blob_id;
END;
