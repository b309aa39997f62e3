DROP INDEX audit_events_actor;
DROP TABLE partner_kit_items;
ALTER TABLE customers DROP COLUMN access_permission_locked;
DROP INDEX sessions_parent;
ALTER TABLE sessions DROP COLUMN parent_session_id;
ALTER TABLE sessions DROP COLUMN grant_id;
ALTER TABLE sessions DROP COLUMN acting_customer_id;
DROP TABLE access_requests;
DROP TABLE access_grants;
