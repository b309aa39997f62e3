-- "Contains" ignores case: each text column a partner searches has a lower-cased copy, which
-- the name index (the grid's default order) carries, so that a page of any "contains" filter,
-- sorted by name, is found from that index alone (PostgreSQL's migration says why). SQLite
-- adds generated columns only as VIRTUAL: the copies are kept in the index, not the row.
-- SQLite's lower() folds ASCII letters only, as its LIKE does.
ALTER TABLE customers ADD COLUMN name_lower TEXT GENERATED ALWAYS AS (lower(name)) VIRTUAL;
ALTER TABLE customers ADD COLUMN ref_lower TEXT GENERATED ALWAYS AS (lower(ref)) VIRTUAL;
ALTER TABLE customers ADD COLUMN website_lower TEXT GENERATED ALWAYS AS (lower(website)) VIRTUAL;
ALTER TABLE customers ADD COLUMN contact_name_lower TEXT GENERATED ALWAYS AS (lower(contact_name)) VIRTUAL;
ALTER TABLE customers ADD COLUMN contact_email_lower TEXT GENERATED ALWAYS AS (lower(contact_email)) VIRTUAL;
DROP INDEX customers_grid_name;
CREATE INDEX customers_grid_name ON customers (partner_id, name, id, status, active, account_state,
    name_lower, ref_lower, website_lower, contact_name_lower, contact_email_lower);
