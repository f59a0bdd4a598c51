-- Every committed mutation takes the next store-wide revision from the change log: one row per
-- mutation, keyed by revision (values are not duplicated: a 'set' row's value is read from kv).
-- The newest row's revision is the store's revision, so trimming always keeps the newest row.
ALTER TABLE kv ADD COLUMN modified_at INTEGER NOT NULL DEFAULT 0;  -- Unix ms of the last write
ALTER TABLE kv ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;     -- revision of the last write

-- Rows that predate this migration were last modified no later than now.
UPDATE kv SET modified_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;

CREATE TABLE changes (
  revision INTEGER PRIMARY KEY,
  -- 'set', 'erase', 'delete_group' or 'expire'. Not a CHECK constraint: SQLite evaluates an
  -- IN-list CHECK at about three times the cost of the whole insert.
  op TEXT NOT NULL,
  grp TEXT NOT NULL,
  key TEXT NOT NULL,   -- '' for delete_group
  time INTEGER NOT NULL  -- Unix ms
);
