-- go-store's table: one row per group/key. expires_at is Unix milliseconds, NULL = never.
-- IF NOT EXISTS: a database created by go-store already has it (the runner first adds
-- expires_at to go-store's pre-TTL table).
CREATE TABLE IF NOT EXISTS kv (
  grp TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (grp, key)
);
