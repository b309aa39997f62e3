DROP INDEX licence_assignments_user;
DROP TABLE licence_assignments;
ALTER TABLE users DROP COLUMN last_login_at;
UPDATE customers SET user_counts = replace(user_counts, '"guest"', '"user"');
UPDATE users SET role = 'user' WHERE account_kind = 'customer' AND role = 'guest';
