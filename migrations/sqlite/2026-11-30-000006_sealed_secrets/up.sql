-- The users whose TOTP secret is sealed: the server opens one at start to check that its signing
-- key is the one the database's secrets were sealed with, without scanning every user.
CREATE INDEX users_sealed_totp ON users (id) WHERE totp_secret IS NOT NULL;
