-- Who can get in (DOMAIN.md §1, §2, §5): partners, users of every kind of account, the single-use
-- tokens that invite them or reset their password, their sessions, recovery codes, outgoing mail.

CREATE TABLE partners (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX partners_name ON partners (name, id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    -- the account the user belongs to: platform, partner or customer, and its id
    account_kind TEXT NOT NULL,
    account_id TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    -- lower-case; unique within the account
    logon TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    password_hash TEXT,
    -- encrypted with a key derived from the server's key; never stored in clear
    totp_secret TEXT,
    totp_enrolled_at TIMESTAMP,
    -- the last accepted TOTP time step: a code is accepted once
    totp_last_step BIGINT,
    -- a new authenticator being set up, until a code from it is confirmed (sealed too)
    totp_pending_secret TEXT,
    -- digest emails: none | daily | weekly, and the task categories they cover (comma-separated)
    notification_frequency TEXT NOT NULL,
    notification_categories TEXT NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (account_id, logon)
);
CREATE INDEX users_account ON users (account_id, role, active);

-- Invitations and password resets: one mechanism. Only the SHA-256 of a token is stored.
CREATE TABLE user_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the current refresh token's hash; rotated on every refresh
    refresh_token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    authenticated_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, revoked_at);

-- Refresh tokens a session has already rotated away: presenting one again revokes the session.
CREATE TABLE used_refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    used_at TIMESTAMP NOT NULL
);

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Email leaves through the outbox, written in the same transaction as the change that caused it.
CREATE TABLE outbox (
    -- first in, first out
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at, seq);
CREATE INDEX outbox_recipient ON outbox (recipient, seq);
