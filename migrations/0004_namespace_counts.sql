-- Per-namespace counts for ScopedStore quotas, so that a quota check never scans a namespace.
-- A namespace is the part of grp before its first ':'. Counted: stored rows, expired or not (a
-- quota check that finds a limit reached purges the namespace's expired rows and looks again).
-- kvstore's write paths keep these in the same transaction as the rows they count (triggers
-- would do it for any writer, but SQLite runs a trigger program per row even when its WHEN
-- clause is false, which costs every write about a third of a raw upsert). Store::check()
-- verifies them.
CREATE TABLE ns_group_counts (grp TEXT PRIMARY KEY, keys INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE ns_counts (
  ns TEXT PRIMARY KEY,
  keys INTEGER NOT NULL,
  groups INTEGER NOT NULL
) WITHOUT ROWID;

-- On BLOBs instr and substr count bytes (on TEXT they count characters and stop at a NUL), so
-- the namespace is split off byte-wise, as kvstore's C++ does.
INSERT INTO ns_group_counts (grp, keys)
  SELECT grp, count(*) FROM kv WHERE instr(CAST(grp AS BLOB), X'3A') > 0 GROUP BY grp;
INSERT INTO ns_counts (ns, keys, groups)
  SELECT CAST(substr(CAST(grp AS BLOB), 1, instr(CAST(grp AS BLOB), X'3A') - 1) AS TEXT),
         sum(keys), count(*)
  FROM ns_group_counts GROUP BY 1;
