-- Every event is linked into one hash chain shortly after it commits (services::audit::chain):
-- its place in the chain, and SHA-256 over its content and the previous event's hash.
ALTER TABLE audit_events ADD COLUMN chain_position BIGINT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_chain ON audit_events (chain_position);
CREATE INDEX audit_events_unchained ON audit_events (seq) WHERE hash IS NULL;
