-- Per-namespace counts for ScopedStore quotas, so that a quota check never scans a namespace.
-- A namespace is the part of grp before its first ':'. Counted: stored rows, expired or not
-- (a quota check that finds the limit reached purges the namespace's expired rows and looks
-- again). Triggers keep the counts in the same transaction as every write, whoever writes.
CREATE TABLE ns_group_counts (grp TEXT PRIMARY KEY, keys INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE ns_counts (
  ns TEXT PRIMARY KEY,
  keys INTEGER NOT NULL,
  groups INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO ns_group_counts (grp, keys)
  SELECT grp, count(*) FROM kv WHERE instr(grp, ':') > 0 GROUP BY grp;
INSERT INTO ns_counts (ns, keys, groups)
  SELECT substr(grp, 1, instr(grp, ':') - 1), sum(keys), count(*) FROM ns_group_counts GROUP BY 1;

CREATE TRIGGER kv_namespace_insert AFTER INSERT ON kv WHEN instr(NEW.grp, ':') > 0
BEGIN
  INSERT INTO ns_counts (ns, keys, groups)
    VALUES (substr(NEW.grp, 1, instr(NEW.grp, ':') - 1), 1,
            NOT EXISTS (SELECT 1 FROM ns_group_counts WHERE grp = NEW.grp))
    ON CONFLICT (ns) DO UPDATE SET keys = keys + 1, groups = groups + excluded.groups;
  INSERT INTO ns_group_counts (grp, keys) VALUES (NEW.grp, 1)
    ON CONFLICT (grp) DO UPDATE SET keys = keys + 1;
END;

CREATE TRIGGER kv_namespace_delete AFTER DELETE ON kv WHEN instr(OLD.grp, ':') > 0
BEGIN
  UPDATE ns_group_counts SET keys = keys - 1 WHERE grp = OLD.grp;
  UPDATE ns_counts
    SET keys = keys - 1,
        groups = groups - (SELECT keys = 0 FROM ns_group_counts WHERE grp = OLD.grp)
    WHERE ns = substr(OLD.grp, 1, instr(OLD.grp, ':') - 1);
  DELETE FROM ns_group_counts WHERE grp = OLD.grp AND keys = 0;
END;
