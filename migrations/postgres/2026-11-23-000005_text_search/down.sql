DROP INDEX customers_ref_trgm;
DROP INDEX customers_name_trgm;
DROP EXTENSION IF EXISTS pg_trgm;
