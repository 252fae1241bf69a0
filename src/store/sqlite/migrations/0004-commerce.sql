-- 0004-commerce: the catalog, orders, subscriptions and their history,
-- usage records, invoices.

CREATE TABLE offers (
  id             TEXT PRIMARY KEY COLLATE NOCASE,
  doc            TEXT NOT NULL, -- the offer as in the catalog document
  position       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX offers_position ON offers(position);

CREATE TABLE orders (
  id                    TEXT PRIMARY KEY,
  customer_tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  partner_tenant_id     TEXT NOT NULL, -- who bought: the direct-bill partner or the provider
  reference_customer_id TEXT,
  billing_cycle         TEXT NOT NULL,
  status                TEXT NOT NULL,
  source                TEXT NOT NULL DEFAULT 'order', -- order, transfer
  created_ms            INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX orders_customer ON orders(customer_tenant_id, id);

CREATE TABLE subscriptions (
  id                     TEXT PRIMARY KEY,
  customer_tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  order_id               TEXT NOT NULL,
  line_item_number       INTEGER NOT NULL,
  offer_id               TEXT NOT NULL,
  offer_name             TEXT NOT NULL,
  friendly_name          TEXT NOT NULL,
  quantity               INTEGER NOT NULL,
  unit_type              TEXT NOT NULL,
  parent_subscription_id TEXT,
  status                 TEXT NOT NULL,
  auto_renew             INTEGER NOT NULL,
  billing_type           TEXT NOT NULL, -- license, usage, none
  billing_cycle          TEXT NOT NULL,
  transfer_class         TEXT NOT NULL,
  partner_id_on_record   TEXT,          -- a reseller's PartnerID, or NULL
  holder_tenant_id       TEXT NOT NULL, -- who is billed: direct-bill partner or provider
  reseller_tenant_id     TEXT,          -- the indirect reseller, for indirect subscriptions
  entitlement_id         TEXT NOT NULL,
  currency               TEXT NOT NULL,
  unit_price_minor       INTEGER NOT NULL,
  created_ms             INTEGER NOT NULL,
  effective_start_ms     INTEGER NOT NULL,
  commitment_end_ms      INTEGER NOT NULL,
  listed                 INTEGER NOT NULL DEFAULT 1, -- 0: moved away, no longer shown
  version                INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX subscriptions_customer ON subscriptions(customer_tenant_id, id);
CREATE INDEX subscriptions_parent ON subscriptions(parent_subscription_id);

-- Every status or quantity change, for prorated billing.
CREATE TABLE subscription_history (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  at_ms           INTEGER NOT NULL,
  status          TEXT NOT NULL,
  quantity        INTEGER NOT NULL
);
CREATE INDEX subscription_history_sub ON subscription_history(subscription_id, id);

CREATE TABLE usage_records (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  usage_ms        INTEGER NOT NULL,
  amount_minor    INTEGER NOT NULL,
  resource        TEXT,
  created_ms      INTEGER NOT NULL
);
CREATE INDEX usage_records_sub ON usage_records(subscription_id, usage_ms);

CREATE TABLE invoices (
  id               TEXT PRIMARY KEY,
  billed_tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  period           TEXT NOT NULL, -- YYYY-MM
  currency         TEXT NOT NULL,
  total_minor      INTEGER NOT NULL,
  start_ms         INTEGER NOT NULL,
  end_ms           INTEGER NOT NULL,
  created_ms       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX invoices_one_per_period ON invoices(billed_tenant_id, period, currency);

CREATE TABLE invoice_lines (
  invoice_id         TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
  line               INTEGER NOT NULL,
  customer_tenant_id TEXT NOT NULL,
  customer_name      TEXT NOT NULL,
  subscription_id    TEXT NOT NULL,
  offer_id           TEXT NOT NULL,
  offer_name         TEXT NOT NULL,
  kind               TEXT NOT NULL, -- license, usage, one_time
  quantity           INTEGER NOT NULL,
  start_ms           INTEGER NOT NULL,
  end_ms             INTEGER NOT NULL,
  unit_price_minor   INTEGER NOT NULL,
  amount_minor       INTEGER NOT NULL,
  PRIMARY KEY (invoice_id, line)
) WITHOUT ROWID;
