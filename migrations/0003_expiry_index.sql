-- Lets purge and TTL queries visit only the rows that have a TTL.
CREATE INDEX kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
