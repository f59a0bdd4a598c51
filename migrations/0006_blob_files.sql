-- Streamed values of a store on a file are kept in files of their own (BlobFiles:
-- "<database file>-blobs/<blobs.id>"); in_file = 1 marks them. Values staged before this
-- migration, and every streamed value of a ":memory:" store, stay in blob_chunks (in_file = 0).
ALTER TABLE blobs ADD COLUMN in_file INTEGER NOT NULL DEFAULT 0;
