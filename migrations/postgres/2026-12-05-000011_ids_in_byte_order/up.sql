-- The listing orders and compares customer IDs in byte order (`COLLATE "C"`) on PostgreSQL,
-- and every index it walks holds the ID so. An ID is upper-case ASCII letters, which every
-- collation orders alike, so no order a client sees changes. The point is the primary key:
-- ordered by the ID in the database's collation, it served "sort by ID", and every sort whose
-- column a filter fixes to one value (`status=established&sort=-status` is ordered by the ID
-- alone), reading the IDs of every partner in turn past the other partners' customers (10 250
-- rows for a page of PARTDEMO, 8.8 ms); the partner's own index (`customers_grid_id`) reads
-- 50. The primary key cannot be told apart by cost (its table order is the same), only by an
-- order it does not hold. Byte order also compares without the C library's collation.
DROP INDEX customers_grid_name;
CREATE INDEX customers_grid_name ON customers (partner_id, name, (id COLLATE "C"), status, active, account_state);
DROP INDEX customers_grid_active;
CREATE INDEX customers_grid_active ON customers (partner_id, active, (id COLLATE "C"), status);
DROP INDEX customers_grid_status;
CREATE INDEX customers_grid_status ON customers (partner_id, status, (id COLLATE "C"));
DROP INDEX customers_grid_product_plan;
CREATE INDEX customers_grid_product_plan ON customers (partner_id, (product_plan IS NULL), product_plan, (id COLLATE "C"), status);
DROP INDEX customers_grid_sector;
CREATE INDEX customers_grid_sector ON customers (partner_id, (sector IS NULL), sector, (id COLLATE "C"), status);
DROP INDEX customers_grid_termset;
CREATE INDEX customers_grid_termset ON customers (partner_id, termset, (id COLLATE "C"), status);
DROP INDEX customers_grid_website;
CREATE INDEX customers_grid_website ON customers (partner_id, (website IS NULL), website, (id COLLATE "C"), status);
DROP INDEX customers_grid_contact_name;
CREATE INDEX customers_grid_contact_name ON customers (partner_id, (contact_name IS NULL), contact_name, (id COLLATE "C"), status);
DROP INDEX customers_grid_contact_email;
CREATE INDEX customers_grid_contact_email ON customers (partner_id, (contact_email IS NULL), contact_email, (id COLLATE "C"), status);
DROP INDEX customers_grid_requires_access_permission;
CREATE INDEX customers_grid_requires_access_permission ON customers (partner_id, requires_access_permission, (id COLLATE "C"), status);
DROP INDEX customers_grid_iframe_embedding;
CREATE INDEX customers_grid_iframe_embedding ON customers (partner_id, iframe_embedding, (id COLLATE "C"), status);
DROP INDEX customers_grid_membership_end_date;
CREATE INDEX customers_grid_membership_end_date ON customers (partner_id, (membership_end_date IS NULL), membership_end_date, (id COLLATE "C"), status);
DROP INDEX customers_grid_locations;
CREATE INDEX customers_grid_locations ON customers (partner_id, (locations IS NULL), locations, (id COLLATE "C"), status);
DROP INDEX customers_grid_account_type;
CREATE INDEX customers_grid_account_type ON customers (partner_id, account_type, (id COLLATE "C"), status);
DROP INDEX customers_grid_billing_recipient;
CREATE INDEX customers_grid_billing_recipient ON customers (partner_id, (billing_recipient IS NULL), billing_recipient, (id COLLATE "C"), status);
DROP INDEX customers_grid_compliance_percent;
CREATE INDEX customers_grid_compliance_percent ON customers (partner_id, (compliance_percent IS NULL), compliance_percent, (id COLLATE "C"), status);
DROP INDEX customers_grid_workers;
CREATE INDEX customers_grid_workers ON customers (partner_id, (workers IS NULL), workers, (id COLLATE "C"), status);
DROP INDEX customers_grid_next_renewal_date;
CREATE INDEX customers_grid_next_renewal_date ON customers (partner_id, (next_renewal_date IS NULL), next_renewal_date, (id COLLATE "C"), status);
DROP INDEX customers_grid_account_state;
CREATE INDEX customers_grid_account_state ON customers (partner_id, account_state, (id COLLATE "C"), status);
DROP INDEX customers_grid_last_login_at;
CREATE INDEX customers_grid_last_login_at ON customers (partner_id, (last_login_at IS NULL), last_login_at, (id COLLATE "C"), status);
DROP INDEX customers_grid_created_at;
CREATE INDEX customers_grid_created_at ON customers (partner_id, created_at, (id COLLATE "C"), status);
DROP INDEX customers_grid_updated_at;
CREATE INDEX customers_grid_updated_at ON customers (partner_id, updated_at, (id COLLATE "C"), status);
DROP INDEX customers_grid_entity_count;
CREATE INDEX customers_grid_entity_count ON customers (partner_id, entity_count, (id COLLATE "C"), status);
DROP INDEX customers_grid_user_count;
CREATE INDEX customers_grid_user_count ON customers (partner_id, user_count, (id COLLATE "C"), status);
DROP INDEX customers_grid_id;
CREATE INDEX customers_grid_id ON customers (partner_id, (id COLLATE "C"), status);
DROP INDEX customers_partner_status_name;
CREATE INDEX customers_partner_status_name ON customers (partner_id, status, name, (id COLLATE "C"));
