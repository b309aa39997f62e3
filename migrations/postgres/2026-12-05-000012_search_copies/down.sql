CREATE STATISTICS customers_contains_id ON (lower(id)) FROM customers;
CREATE STATISTICS customers_contains_website ON (lower(website)) FROM customers;
CREATE STATISTICS customers_contains_contact_name ON (lower(contact_name)) FROM customers;
CREATE STATISTICS customers_contains_contact_email ON (lower(contact_email)) FROM customers;
DROP INDEX customers_name_trgm;
DROP INDEX customers_ref_trgm;
DROP INDEX customers_grid_name;
ALTER TABLE customers
    DROP COLUMN name_lower,
    DROP COLUMN ref_lower,
    DROP COLUMN website_lower,
    DROP COLUMN contact_name_lower,
    DROP COLUMN contact_email_lower;
CREATE INDEX customers_name_trgm ON customers USING gin (lower(name) gin_trgm_ops);
CREATE INDEX customers_ref_trgm ON customers USING gin (lower(ref) gin_trgm_ops);
CREATE INDEX customers_grid_name ON customers (partner_id, name, (id COLLATE "C"), status, active, account_state);
