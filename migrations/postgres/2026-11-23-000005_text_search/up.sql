-- "Contains" filters on a customer's name and ref (`lower(x) LIKE '%text%'`): trigram indexes
-- find rare text without reading every customer, and, being on the same expressions, they give
-- the planner statistics of lower(name) / lower(ref), so for common text it keeps
-- walking the name index in order and stops after a page. pg_trgm is a trusted extension
-- (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_name_trgm ON customers USING gin (lower(name) gin_trgm_ops);
CREATE INDEX customers_ref_trgm ON customers USING gin (lower(ref) gin_trgm_ops);
