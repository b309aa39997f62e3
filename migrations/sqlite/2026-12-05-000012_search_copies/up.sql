-- The lower-cased copies PostgreSQL's "contains" compares (its migration says why), here only
-- so that both databases have one schema: SQLite's LIKE ignores the case of ASCII letters
-- itself, as its lower() folds no others, so its listing compares the columns as they are.
-- The copies are VIRTUAL and in no index: nothing is stored, and a write costs nothing more
-- (carried by the name index, they cost creates 14 %).
ALTER TABLE customers ADD COLUMN name_lower TEXT GENERATED ALWAYS AS (lower(name)) VIRTUAL;
ALTER TABLE customers ADD COLUMN ref_lower TEXT GENERATED ALWAYS AS (lower(ref)) VIRTUAL;
ALTER TABLE customers ADD COLUMN website_lower TEXT GENERATED ALWAYS AS (lower(website)) VIRTUAL;
ALTER TABLE customers ADD COLUMN contact_name_lower TEXT GENERATED ALWAYS AS (lower(contact_name)) VIRTUAL;
ALTER TABLE customers ADD COLUMN contact_email_lower TEXT GENERATED ALWAYS AS (lower(contact_email)) VIRTUAL;
