-- 0005-transfers: subscription transfers, direct-bill partner -> indirect provider.

CREATE TABLE transfers (
  id                 TEXT PRIMARY KEY,
  customer_tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  source_tenant_id   TEXT NOT NULL,
  target_tenant_id   TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('Active', 'Complete', 'PartiallyComplete', 'Reject', 'Withdrawn')),
  created_ms         INTEGER NOT NULL,
  modified_ms        INTEGER NOT NULL,
  modified_by        TEXT,
  lines_json         TEXT NOT NULL, -- the line items with their add-on items and outcomes
  version            INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX transfers_customer ON transfers(customer_tenant_id, id);

-- A subscription is in at most one Active transfer (R-TRF-9): the primary
-- key refuses a second one even when two requests race.
CREATE TABLE transfer_locks (
  subscription_id TEXT PRIMARY KEY,
  transfer_id     TEXT NOT NULL REFERENCES transfers(id) ON DELETE CASCADE
                  DEFERRABLE INITIALLY DEFERRED /* locked before the transfer row is written */
) WITHOUT ROWID;
CREATE INDEX transfer_locks_transfer ON transfer_locks(transfer_id);
