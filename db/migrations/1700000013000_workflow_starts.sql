-- Up Migration

-- The outbox of workflow starts. Report and risk intake write their row and the start they need in
-- ONE transaction; the API then starts the workflow at once, and the worker's starter retries every
-- start still pending (a crash, or Temporal down, between the commit and the start), so no report
-- goes without its workflow and no high risk without its gate. The input holds ids and
-- classifications only, never sealed text (the same input goes to Temporal).
CREATE TABLE workflow_starts (
  workflow_id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('report', 'risk')),
  task_queue text NOT NULL,
  input jsonb NOT NULL,
  summary text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX workflow_starts_pending ON workflow_starts (task_queue, created_at) WHERE started_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON workflow_starts TO huanjie_app;

-- Down Migration
DROP TABLE workflow_starts;
