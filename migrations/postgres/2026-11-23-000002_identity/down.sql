DROP TABLE outbox;
DROP TABLE recovery_codes;
DROP TABLE used_refresh_tokens;
DROP TABLE sessions;
DROP TABLE user_tokens;
DROP TABLE users;
DROP TABLE partners;
