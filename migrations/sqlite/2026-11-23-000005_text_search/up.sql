-- PostgreSQL gets trigram indexes for the "contains" filters in this migration. SQLite keeps
-- scanning the name index in order and filtering, which meets the target for the benchmark's
-- query (bench/RESULTS.md); an FTS5 trigram table would serve rare text and is left for later.
SELECT 1;
