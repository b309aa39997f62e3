DROP TABLE customer_assignments;
DROP TABLE entities;
DROP TABLE customers;
DROP TABLE partner_images;
ALTER TABLE partners DROP COLUMN powered_by_url;
ALTER TABLE partners DROP COLUMN support_email;
ALTER TABLE partners DROP COLUMN on_price_plan;
DROP TABLE catalogue_items;
