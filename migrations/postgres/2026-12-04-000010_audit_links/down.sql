ALTER TABLE audit_events ADD COLUMN chain_position BIGINT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
UPDATE audit_events e SET chain_position = l.position, hash = l.hash
    FROM audit_links l WHERE l.seq = e.seq;
CREATE UNIQUE INDEX audit_events_chain ON audit_events (chain_position);
CREATE INDEX audit_events_unchained ON audit_events (seq) WHERE hash IS NULL;
DROP TRIGGER audit_events_pending ON audit_events;
DROP FUNCTION audit_events_pending();
DROP TABLE audit_pending;
DROP TABLE audit_links;
