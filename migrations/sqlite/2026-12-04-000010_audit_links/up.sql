-- The audit chain's links move out of the events into a narrow table of their own: linking an
-- event used to rewrite its whole row (before and after states included) and two of the trail's
-- indexes. A link is now one small insert, and the events are never updated.
CREATE TABLE audit_links (
    -- the event's place in the chain, from 1 (the table's own key: the chain is kept in order)
    position INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    -- SHA-256 over the previous link's hash, this position and the event (services::audit::chain)
    hash TEXT NOT NULL
);
INSERT INTO audit_links (position, seq, hash)
    SELECT chain_position, seq, hash FROM audit_events WHERE chain_position IS NOT NULL;

-- Events committed and not linked yet, queued by a trigger so that no way of writing an event
-- can leave it out of the chain; the linker takes them in order and removes them.
CREATE TABLE audit_pending (seq INTEGER PRIMARY KEY);
INSERT INTO audit_pending (seq) SELECT seq FROM audit_events WHERE chain_position IS NULL;
CREATE TRIGGER audit_events_pending AFTER INSERT ON audit_events
BEGIN
    INSERT INTO audit_pending (seq) VALUES (NEW.seq);
END;

DROP INDEX audit_events_unchained;
DROP INDEX audit_events_chain;
ALTER TABLE audit_events DROP COLUMN hash;
ALTER TABLE audit_events DROP COLUMN chain_position;
