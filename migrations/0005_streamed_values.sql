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

-- Finds the row of a streamed value; plain rows (blob_id NULL) cost this index nothing.
-- Deleting a row reclaims its value at once; a committed value whose row was overwritten by a
-- plain set is reclaimed by the purge pass, which looks for committed blobs no row points to.
CREATE INDEX kv_blob ON kv (blob_id) WHERE blob_id IS NOT NULL;
