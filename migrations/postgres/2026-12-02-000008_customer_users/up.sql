-- A customer's own users are admins or guests (seed 002): the role once called `user` is `guest`.
UPDATE users SET role = 'guest' WHERE account_kind = 'customer' AND role = 'user';
UPDATE customers SET user_counts = replace(user_counts, '"user"', '"guest"');

-- When a user last logged in (the customer export shows it).
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMP;

-- A seat of a customer's licence held by one of its users; seats used is their count, kept on
-- the licence in the same transaction.
CREATE TABLE licence_assignments (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    product TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (customer_id, product, user_id)
);
CREATE INDEX licence_assignments_user ON licence_assignments (user_id);

-- Seats used was typed until now: no seat is held yet.
UPDATE customers
SET licences = (
    SELECT coalesce(json_agg(jsonb_set(e, '{seats_used}', '0'::jsonb) ORDER BY o), '[]')::text
    FROM jsonb_array_elements(licences::jsonb) WITH ORDINALITY AS t (e, o)
)
WHERE licences <> '[]';
