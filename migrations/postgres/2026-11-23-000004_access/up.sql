-- Delegated access (DOMAIN.md §4): grants, access requests, acting sessions, the customer's lock
-- on its permission flag, and the partner kit for marketing users.

-- A partner user's way into a customer. One per (user, customer): a new approval replaces the
-- terms of an existing grant. Revoking deletes the row (the audit trail keeps what it was).
CREATE TABLE access_grants (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    profile TEXT NOT NULL,
    role TEXT NOT NULL,
    -- JSON array of permission codes
    permissions TEXT NOT NULL,
    expires_at TIMESTAMP,
    -- direct | request | guest
    origin TEXT NOT NULL,
    request_id TEXT,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    UNIQUE (user_id, customer_id)
);
CREATE INDEX access_grants_customer ON access_grants (customer_id, user_id);
CREATE INDEX access_grants_partner ON access_grants (partner_id, user_id);

-- A partner admin's request for a partner user's access. Expiry (24 h) is computed from
-- requested_at, never written by a job. pending_key holds "user|customer" while the request is
-- the pair's pending one: the unique index keeps at most one, also under concurrent requests.
CREATE TABLE access_requests (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- a customer admin asked by name (the admin layer request); NULL = every active admin
    addressed_to TEXT REFERENCES users (id) ON DELETE CASCADE,
    profile TEXT NOT NULL,
    role TEXT NOT NULL,
    permissions TEXT NOT NULL,
    -- how long the grant lasts once approved; NULL = until revoked
    duration_hours INTEGER,
    message TEXT,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    -- pending | approved | denied | cancelled
    decision TEXT NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_message TEXT,
    grant_id TEXT,
    pending_key TEXT UNIQUE
);
CREATE INDEX access_requests_partner ON access_requests (partner_id, requested_at);
CREATE INDEX access_requests_customer ON access_requests (customer_id, requested_at);

-- A session opened by switching into a customer: its customer, the grant it rests on and the
-- partner session it came from (logging out of that one ends it too).
ALTER TABLE sessions ADD COLUMN acting_customer_id TEXT;
ALTER TABLE sessions ADD COLUMN grant_id TEXT;
ALTER TABLE sessions ADD COLUMN parent_session_id TEXT;
CREATE INDEX sessions_parent ON sessions (parent_session_id);

-- Set when the customer's own admins switch "requires customer access permissions" on: the
-- partner can no longer switch it off.
ALTER TABLE customers ADD COLUMN access_permission_locked BOOLEAN NOT NULL DEFAULT FALSE;

-- Marketing material the platform publishes for every partner (the partner kit).
CREATE TABLE partner_kit_items (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, seq);
