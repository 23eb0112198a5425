-- Up Migration

-- Sensitive details are sealed here by the API before anything reaches Temporal; the workflow gets
-- only the row's id (and whatever non-sensitive classification it needs to decide). The writer's
-- key (kind, subject, idem_key) makes a retried request find its first row instead of adding one.
CREATE TABLE sealed_details (
  id          text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('personalMatters', 'findingSummary')),
  -- What the details belong to ('<cycleId>/<personId>' or a report id): a reference is only ever
  -- used for its own subject.
  subject     text NOT NULL,
  idem_key    text NOT NULL,
  sealed      text NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, subject, idem_key)
);

-- A finding's summary can name the reporter or the official: sealed like the report's text. Rows
-- closed before this migration keep their clear summary in `summary` (the API shows it only to
-- the roles that read the text); new findings write only `summary_sealed`.
ALTER TABLE reports ADD COLUMN summary_sealed text;

-- Down Migration
ALTER TABLE reports DROP COLUMN summary_sealed;
DROP TABLE sealed_details;
