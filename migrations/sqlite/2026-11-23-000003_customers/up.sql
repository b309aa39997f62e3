-- Customer accounts (DOMAIN.md §3, §6): the catalogues the platform keeps, the customer record,
-- its entities, which partner users are assigned to it, and the partner's white-label settings.

-- One table for every list the platform keeps; `kind` is sector | product_plan | add_on |
-- entity_type | product. Items are retired (active = false), never deleted: customers keep them.
CREATE TABLE catalogue_items (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, code)
);

INSERT INTO catalogue_items (kind, code, label, active, position, updated_at) VALUES
    ('sector', 'accounting', 'Accounting', TRUE, 1, '2026-11-23 00:00:00'),
    ('sector', 'construction', 'Construction', TRUE, 2, '2026-11-23 00:00:00'),
    ('sector', 'education', 'Education', TRUE, 3, '2026-11-23 00:00:00'),
    ('sector', 'healthcare', 'Healthcare', TRUE, 4, '2026-11-23 00:00:00'),
    ('sector', 'hospitality', 'Hospitality', TRUE, 5, '2026-11-23 00:00:00'),
    ('sector', 'manufacturing', 'Manufacturing', TRUE, 6, '2026-11-23 00:00:00'),
    ('sector', 'professional_services', 'Professional services', TRUE, 7, '2026-11-23 00:00:00'),
    ('sector', 'retail', 'Retail', TRUE, 8, '2026-11-23 00:00:00'),
    ('sector', 'technology', 'Technology', TRUE, 9, '2026-11-23 00:00:00'),
    ('sector', 'other', 'Other', TRUE, 10, '2026-11-23 00:00:00'),
    ('product_plan', 'essentials', 'Essentials', TRUE, 1, '2026-11-23 00:00:00'),
    ('product_plan', 'professional', 'Professional', TRUE, 2, '2026-11-23 00:00:00'),
    ('product_plan', 'enterprise', 'Enterprise', TRUE, 3, '2026-11-23 00:00:00'),
    ('add_on', 'advanced_reporting', 'Advanced reporting', TRUE, 1, '2026-11-23 00:00:00'),
    ('add_on', 'api_access', 'API access', TRUE, 2, '2026-11-23 00:00:00'),
    ('add_on', 'single_sign_on', 'Single sign-on', TRUE, 3, '2026-11-23 00:00:00'),
    ('add_on', 'payroll', 'Payroll', TRUE, 4, '2026-11-23 00:00:00'),
    ('add_on', 'inventory', 'Inventory', TRUE, 5, '2026-11-23 00:00:00'),
    ('entity_type', 'site', 'Site', TRUE, 1, '2026-11-23 00:00:00'),
    ('entity_type', 'office', 'Office', TRUE, 2, '2026-11-23 00:00:00'),
    ('entity_type', 'store', 'Store', TRUE, 3, '2026-11-23 00:00:00'),
    ('entity_type', 'clinic', 'Clinic', TRUE, 4, '2026-11-23 00:00:00'),
    ('entity_type', 'warehouse', 'Warehouse', TRUE, 5, '2026-11-23 00:00:00'),
    ('product', 'core', 'Hub Core', TRUE, 1, '2026-11-23 00:00:00'),
    ('product', 'analytics', 'Analytics', TRUE, 2, '2026-11-23 00:00:00'),
    ('product', 'forms', 'Forms', TRUE, 3, '2026-11-23 00:00:00'),
    ('product', 'training', 'Training', TRUE, 4, '2026-11-23 00:00:00');

-- Set by the platform: customers of a partner on price plan get a product plan, others add-ons.
ALTER TABLE partners ADD COLUMN on_price_plan BOOLEAN NOT NULL DEFAULT FALSE;
-- White label (seed 000 "Settings"): where the partner's customers' support requests go, and
-- the "Powered by" link; the images live in partner_images.
ALTER TABLE partners ADD COLUMN support_email TEXT;
ALTER TABLE partners ADD COLUMN powered_by_url TEXT;

-- slot: logo | powered_by_logo. Checked by content before it is stored (PNG, JPEG or WebP).
CREATE TABLE partner_images (
    partner_id TEXT NOT NULL REFERENCES partners (id),
    slot TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, slot)
);

CREATE TABLE customers (
    -- the login prefix, e.g. ACME: unique in the deployment, never changed
    id TEXT PRIMARY KEY NOT NULL,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    ref TEXT NOT NULL,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    website TEXT,
    contact_name TEXT,
    contact_email TEXT,
    termset TEXT NOT NULL,
    product_plan TEXT,
    -- JSON array of add-on codes
    add_ons TEXT NOT NULL,
    sector TEXT,
    -- lifecycle rank 0 (pre_sales) … 7 (churned): sorts in lifecycle order
    status INTEGER NOT NULL,
    requires_access_permission BOOLEAN NOT NULL,
    iframe_embedding BOOLEAN NOT NULL,
    -- JSON array of host names
    iframe_domains TEXT NOT NULL,
    membership_end_date DATE,
    locations INTEGER,
    account_type TEXT NOT NULL,
    billing_recipient TEXT,
    compliance_percent INTEGER,
    workers INTEGER,
    -- JSON array of licences; licensed_products (" code code ") and next_renewal_date are
    -- derived from it for the listing's filters and sorts
    licences TEXT NOT NULL,
    licensed_products TEXT NOT NULL,
    next_renewal_date DATE,
    account_state TEXT NOT NULL,
    last_login_at TIMESTAMP,
    -- kept here, in the transaction that changes an entity or user, so the listing only reads
    entity_count INTEGER NOT NULL,
    entity_counts TEXT NOT NULL,
    user_count INTEGER NOT NULL,
    user_counts TEXT NOT NULL,
    -- the next entity number to hand out: numbers never repeat and leave no gaps
    next_entity_number INTEGER NOT NULL,
    -- bumped by every change: the ETag
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (partner_id, ref)
);
CREATE INDEX customers_partner_name ON customers (partner_id, name, id);
CREATE INDEX customers_partner_status_name ON customers (partner_id, status, name, id);

CREATE TABLE entities (
    -- the customer ID and a 4-digit number: ACME0000 is the group layer
    id TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (customer_id, number)
);

-- A partner user of role `user` with assignments sees only the customers assigned to it.
CREATE TABLE customer_assignments (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (customer_id, user_id)
);
CREATE INDEX customer_assignments_user ON customer_assignments (user_id, customer_id);
