-- 0002-program: program memberships, MPA, enrollments, partnership
-- invitations, revenue, scheduled jobs, notifications, webhooks.

-- The global account's program anniversary date and e-mail (MPN account).
ALTER TABLE partner_orgs ADD COLUMN anniversary TEXT; -- 'YYYY-MM-DD'
ALTER TABLE partner_orgs ADD COLUMN email TEXT;

-- Program memberships of a partner tenant (a tenant may hold several).
CREATE TABLE memberships (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  program   TEXT NOT NULL CHECK (program IN ('direct_bill', 'indirect_provider', 'indirect_reseller')),
  state     TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'active', 'restricted', 'rejected')),
  since_ms  INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, program)
) WITHOUT ROWID;

CREATE TABLE membership_history (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  program    TEXT NOT NULL,
  from_state TEXT,
  to_state   TEXT NOT NULL,
  at_ms      INTEGER NOT NULL,
  reason     TEXT
);
CREATE INDEX membership_history_tenant ON membership_history(tenant_id, id);

-- Microsoft Partner Agreement signatures, per partner tenant (R-MPA-*).
CREATE TABLE mpa_signatures (
  tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  signer_name  TEXT NOT NULL,
  signer_email TEXT NOT NULL,
  signed_ms    INTEGER NOT NULL,
  user_id      TEXT
) WITHOUT ROWID;

-- Enrollments into a program (the transition: direct-bill -> indirect reseller).
CREATE TABLE enrollments (
  id                     TEXT PRIMARY KEY,
  tenant_id              TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  program                TEXT NOT NULL,
  state                  TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'active', 'rejected')),
  contact_email          TEXT NOT NULL,
  form_json              TEXT NOT NULL,
  submitted_ms           INTEGER NOT NULL,
  submitted_by           TEXT,
  decided_ms             INTEGER,
  decided_by             TEXT,
  agreement_accepted_ms  INTEGER,
  agreement_accepted_by  TEXT,
  version                INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE UNIQUE INDEX enrollments_one_per_program ON enrollments(tenant_id, program);
CREATE INDEX enrollments_state ON enrollments(state, submitted_ms);

-- Provider -> reseller partnership invitations (R-PRT-2).
CREATE TABLE invitations (
  id                 TEXT PRIMARY KEY,
  provider_tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  reseller_mpn_id    TEXT,
  reseller_email     TEXT,
  state              TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'revoked')),
  created_ms         INTEGER NOT NULL,
  accepted_ms        INTEGER,
  accepted_tenant_id TEXT,
  version            INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX invitations_provider ON invitations(provider_tenant_id, id);
CREATE INDEX invitations_mpn ON invitations(reseller_mpn_id);

ALTER TABLE partnerships ADD COLUMN ended_ms INTEGER;

-- CSP revenue of a partner organization, in USD minor units (R-DB-1).
CREATE TABLE revenue_entries (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id       TEXT NOT NULL REFERENCES partner_orgs(id) ON DELETE CASCADE,
  tenant_id    TEXT,
  period       TEXT NOT NULL, -- 'YYYY-MM'
  amount_minor INTEGER NOT NULL,
  currency     TEXT NOT NULL,
  usd_minor    INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('cloud', 'perpetual_software')),
  source       TEXT NOT NULL,
  created_ms   INTEGER NOT NULL
);
CREATE INDEX revenue_entries_org ON revenue_entries(org_id, period);

-- Currency -> USD rates in parts per million (1 EUR = 1080000 => 1.08 USD).
CREATE TABLE fx_rates (
  currency   TEXT PRIMARY KEY,
  usd_ppm    INTEGER NOT NULL CHECK (usd_ppm > 0),
  exponent   INTEGER NOT NULL DEFAULT 2,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Work scheduled on the cspd clock.
CREATE TABLE jobs (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,
  ref        TEXT,
  due_ms     INTEGER NOT NULL,
  state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
  created_ms INTEGER NOT NULL,
  done_ms    INTEGER
);
CREATE INDEX jobs_due ON jobs(state, due_ms);
CREATE UNIQUE INDEX jobs_one_pending ON jobs(kind, ref) WHERE state = 'pending';

-- E-mail outbox.
CREATE TABLE notifications (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT, -- recipient tenant, when known
  recipient       TEXT NOT NULL,
  kind            TEXT NOT NULL,
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'stored')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER,
  last_error      TEXT,
  created_ms      INTEGER NOT NULL,
  sent_ms         INTEGER
) WITHOUT ROWID;
CREATE INDEX notifications_tenant ON notifications(tenant_id, created_ms);
CREATE INDEX notifications_due ON notifications(status, next_attempt_ms);

-- Webhook registrations (one per partner tenant, as Partner Center) and deliveries.
CREATE TABLE webhook_registrations (
  tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  url        TEXT NOT NULL,
  events     TEXT NOT NULL, -- JSON array of event names
  secret     TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE webhook_deliveries (
  id                TEXT PRIMARY KEY,
  tenant_id         TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  event_name        TEXT NOT NULL,
  payload           TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms   INTEGER,
  last_status_code  INTEGER,
  last_error        TEXT,
  created_ms        INTEGER NOT NULL,
  delivered_ms      INTEGER
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries(tenant_id, created_ms);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_ms);

-- Idempotent replays repeat the Location header of a 201 too.
ALTER TABLE idempotency ADD COLUMN location TEXT;
