-- Every change is audited in the same transaction as the change itself (DOMAIN.md §8).
CREATE TABLE audit_events (
    -- the order events happened in, also within one instant
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    occurred_at TIMESTAMP NOT NULL,
    -- whose trail holds the event: a partner's, a customer's, or both (a partner acting inside)
    partner_id TEXT,
    customer_id TEXT,
    -- who did it, and as whom while a partner user acts inside a customer
    actor_user_id TEXT,
    acting_user_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    before_state TEXT,
    after_state TEXT,
    request_id TEXT,
    source_ip TEXT
);
CREATE INDEX audit_events_partner ON audit_events (partner_id, seq);
CREATE INDEX audit_events_customer ON audit_events (customer_id, seq);
CREATE INDEX audit_events_target ON audit_events (target_id, seq);
