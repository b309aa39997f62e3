-- PostgreSQL's listing compares customer IDs in byte order from this migration on; SQLite's
-- text compares so already (BINARY), and its primary key never served the listing's order.
SELECT 1;
