ALTER TABLE customers DROP COLUMN name_lower;
ALTER TABLE customers DROP COLUMN ref_lower;
ALTER TABLE customers DROP COLUMN website_lower;
ALTER TABLE customers DROP COLUMN contact_name_lower;
ALTER TABLE customers DROP COLUMN contact_email_lower;
