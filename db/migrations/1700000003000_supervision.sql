-- Up Migration

-- The risk register (风险隐患台账), filed upward: an upper level reads its subtree.
CREATE TABLE risks (
  id               text PRIMARY KEY,
  jurisdiction_id  text NOT NULL REFERENCES jurisdictions (id),
  cycle_id         text,
  stage            text NOT NULL,
  category         text NOT NULL,
  level            text NOT NULL CHECK (level IN ('low', 'medium', 'high')),
  description      text NOT NULL,
  measures         jsonb NOT NULL,
  owner            text NOT NULL,
  status           text NOT NULL CHECK (status IN ('open', 'resolved')),
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL,
  deadline         timestamptz,
  overdue_at       timestamptz,
  escalated_at     timestamptz,
  addressed_at     text,
  resolution       text,
  resolved_by      text,
  resolved_at      timestamptz
);
CREATE INDEX risks_register ON risks (jurisdiction_id, level, status);
CREATE INDEX risks_cycle ON risks (cycle_id, level, status);

-- Checkpoints (督查) of each cycle's supervision, findings with their rectification (整改), and
-- the monitoring points' scores (百点监测).
CREATE TABLE supervision_checkpoints (
  cycle_id      text NOT NULL,
  phase         text NOT NULL CHECK (phase IN ('launch', 'inspection', 'election')),
  jurisdiction_id text NOT NULL REFERENCES jurisdictions (id),
  opened_at     timestamptz NOT NULL,
  deadline      timestamptz,
  agenda        jsonb NOT NULL DEFAULT '[]',
  overdue_at    timestamptz,
  escalated_at  timestamptz,
  filed_at      timestamptz,
  filed_by      text,
  checklist     jsonb,
  PRIMARY KEY (cycle_id, phase)
);

CREATE TABLE supervision_findings (
  id            text PRIMARY KEY,
  cycle_id      text NOT NULL,
  phase         text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  description   text NOT NULL,
  status        text NOT NULL CHECK (status IN ('recorded', 'rectifying', 'accepted')),
  owner         text,
  deadline      timestamptz,
  overdue_at    timestamptz,
  escalated_at  timestamptz,
  accepted_at   timestamptz,
  accepted_by   text,
  note          text
);
CREATE INDEX supervision_findings_cycle ON supervision_findings (cycle_id);

CREATE TABLE monitoring_scores (
  cycle_id      text NOT NULL,
  point         text NOT NULL,
  stage         text NOT NULL,
  scores        jsonb NOT NULL,
  submitted_by  text NOT NULL,
  submitted_at  timestamptz NOT NULL,
  PRIMARY KEY (cycle_id, point, stage)
);

-- Down Migration
DROP TABLE monitoring_scores;
DROP TABLE supervision_findings;
DROP TABLE supervision_checkpoints;
DROP TABLE risks;
