-- Up Migration

-- The report ledger (举报台账). What identifies the reporter, the text and an official's name are
-- sealed; everything the ledger counts is in clear.
CREATE TABLE reports (
  id               text PRIMARY KEY,
  channel          text NOT NULL,
  channel_ref      text,
  category         text NOT NULL,
  target_type      text NOT NULL CHECK (target_type IN ('candidate', 'official', 'jurisdiction')),
  target_cycle_id  text,
  target_person_id text,
  jurisdiction_id  text NOT NULL REFERENCES jurisdictions (id),
  text_sealed      text NOT NULL,
  reporter_sealed  text,
  target_sealed    text,
  received_at      timestamptz NOT NULL,
  registered_by    text NOT NULL,
  triage           text CHECK (triage IN ('important', 'directCheck', 'supervised')),
  triage_rule      text,
  unit             text,
  deadline         timestamptz,
  status           text NOT NULL CHECK (status IN ('registered', 'verifying', 'closed')),
  overdue_at       timestamptz,
  escalated_at     timestamptz,
  hold             text,
  finding          text CHECK (finding IN ('substantiated', 'partly', 'unsubstantiated', 'malicious')),
  consequence      text,
  summary          text,
  effect           text,
  closed_at        timestamptz,
  closed_on_time   boolean,
  duplicates       integer NOT NULL DEFAULT 0
);
-- One report per channel reference: a second intake is linked to the first.
CREATE UNIQUE INDEX reports_channel_ref ON reports (channel, channel_ref) WHERE channel_ref IS NOT NULL;
CREATE INDEX reports_ledger ON reports (jurisdiction_id, received_at);
CREATE INDEX reports_open ON reports (status, deadline);

-- Down Migration
DROP TABLE reports;
