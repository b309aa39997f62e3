DROP INDEX users_sealed_totp;
