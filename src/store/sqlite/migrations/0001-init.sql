-- 0001-init: identities, settings, idempotency, audit.
-- Times are unix milliseconds (INTEGER); identifiers are lower-case GUIDs.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tenants (
  id           TEXT PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('operator', 'partner', 'customer')),
  name         TEXT NOT NULL,
  country      TEXT,
  sandbox_only INTEGER NOT NULL DEFAULT 0,
  created_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX tenants_one_operator ON tenants(kind) WHERE kind = 'operator';

-- A partner organization: the global account with the global PartnerID.
CREATE TABLE partner_orgs (
  id         TEXT PRIMARY KEY,
  mpn_id     TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  version    INTEGER NOT NULL DEFAULT 1,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- A partner location: one CSP tenant of an organization in one country.
CREATE TABLE partner_locations (
  tenant_id     TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  org_id        TEXT NOT NULL REFERENCES partner_orgs(id) ON DELETE CASCADE,
  mpn_id        TEXT NOT NULL UNIQUE,
  company_name  TEXT NOT NULL,
  country       TEXT NOT NULL,
  address_line1 TEXT, address_line2 TEXT, city TEXT, state TEXT, postal_code TEXT,
  contact_first TEXT, contact_last TEXT, contact_email TEXT, contact_phone TEXT,
  version       INTEGER NOT NULL DEFAULT 1,
  created_ms    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX partner_locations_org ON partner_locations(org_id, tenant_id);

CREATE TABLE customers (
  tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  company_name TEXT NOT NULL,
  domain       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  country      TEXT NOT NULL,
  version      INTEGER NOT NULL DEFAULT 1,
  created_ms   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  roles         INTEGER NOT NULL,
  sandbox_only  INTEGER NOT NULL DEFAULT 0,
  created_ms    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX users_tenant ON users(tenant_id, id);

CREATE TABLE apps (
  client_id    TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  secret_hash  TEXT NOT NULL,
  roles        INTEGER NOT NULL,
  sandbox_only INTEGER NOT NULL DEFAULT 0,
  created_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX apps_tenant ON apps(tenant_id, client_id);

-- Provider <-> indirect reseller relationships (R-PRT-*).
CREATE TABLE partnerships (
  provider_tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  reseller_tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  state              TEXT NOT NULL DEFAULT 'active',
  created_ms         INTEGER NOT NULL,
  PRIMARY KEY (provider_tenant_id, reseller_tenant_id)
) WITHOUT ROWID;
CREATE INDEX partnerships_reseller ON partnerships(reseller_tenant_id, provider_tenant_id);

-- Responses of successful idempotent requests, by caller tenant and MS-RequestId.
CREATE TABLE idempotency (
  scope      TEXT NOT NULL,
  request_id TEXT NOT NULL,
  method     TEXT NOT NULL,
  path       TEXT NOT NULL,
  status     INTEGER NOT NULL,
  body       BLOB NOT NULL,
  etag       TEXT,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (scope, request_id)
) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency(created_ms);

CREATE TABLE audit_records (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  ts_ms          INTEGER NOT NULL,
  tenant_id      TEXT,
  user_id        TEXT,
  app_id         TEXT,
  operation      TEXT NOT NULL,
  resource_type  TEXT NOT NULL,
  resource_id    TEXT,
  before_json    TEXT,
  after_json     TEXT,
  request_id     TEXT,
  correlation_id TEXT
);
CREATE INDEX audit_records_ts ON audit_records(ts_ms);
