-- Up Migration

-- The daily ledger (一天一呈报): per jurisdiction and day, its own figures and its subtree's.
CREATE TABLE ledger_snapshots (
  day              date NOT NULL,
  jurisdiction_id  text NOT NULL REFERENCES jurisdictions (id),
  own              jsonb NOT NULL,
  subtree          jsonb NOT NULL,
  computed_at      timestamptz NOT NULL,
  PRIMARY KEY (day, jurisdiction_id)
);
CREATE INDEX audit_events_action_at ON audit_events (action, at);

-- Down Migration
DROP INDEX audit_events_action_at;
DROP TABLE ledger_snapshots;
