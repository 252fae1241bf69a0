-- 0003-customers: customer billing profiles, partner <-> customer
-- relationships, customer agreements (MCA), own-use tenants.

-- Billing profile of a customer (Partner Center CustomerBillingProfile).
ALTER TABLE customers ADD COLUMN billing_json TEXT;
ALTER TABLE customers ADD COLUMN billing_version INTEGER NOT NULL DEFAULT 1;
-- The partner organization whose own-use tenant this is (R-SELF-1..3), or NULL.
ALTER TABLE customers ADD COLUMN owner_org_id TEXT REFERENCES partner_orgs(id) ON DELETE SET NULL;
ALTER TABLE customers ADD COLUMN created_by TEXT; -- tenant that created it

-- A partner's reseller relationship with a customer (R-CUS-*, R-EXT-*).
--   role: 'direct'   a direct-bill partner (or direct reseller) of the customer
--         'reseller' an indirect reseller of the customer
--         'provider' an indirect provider of the customer
--   acquired: how it came: 'created', 'invitation', 'extension', 'fixtures'
--   via_tenant_id: for a provider, the reseller it serves the customer for;
--                  for a reseller, its provider
CREATE TABLE customer_relationships (
  customer_tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  partner_tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  role               TEXT NOT NULL CHECK (role IN ('direct', 'reseller', 'provider')),
  acquired           TEXT NOT NULL,
  via_tenant_id      TEXT,
  delegated_admin    INTEGER NOT NULL DEFAULT 0,
  state              TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'removed')),
  created_ms         INTEGER NOT NULL,
  removed_ms         INTEGER,
  PRIMARY KEY (customer_tenant_id, partner_tenant_id, role)
) WITHOUT ROWID;
CREATE INDEX customer_relationships_partner ON customer_relationships(partner_tenant_id, customer_tenant_id);

-- Customer agreements: the customer's own acceptance (partner_tenant_id NULL)
-- or a partner's attestation in its own name (R-MCA-1, R-MCA-2).
CREATE TABLE customer_agreements (
  id                 TEXT PRIMARY KEY,
  customer_tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  partner_tenant_id  TEXT REFERENCES tenants(id) ON DELETE CASCADE,
  type               TEXT NOT NULL,
  template_id        TEXT NOT NULL,
  date_agreed_ms     INTEGER NOT NULL,
  user_id            TEXT,
  contact_first      TEXT, contact_last TEXT, contact_email TEXT, contact_phone TEXT,
  created_ms         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX customer_agreements_customer ON customer_agreements(customer_tenant_id, created_ms);
