-- Up Migration

-- What an Update sent under an Idempotency-Key answered, by its update id (api/updates.ts sendUpdate).
-- Temporal takes an update id once per run only, so a retry after the workflow continued as new ran
-- the input again; the answer kept here is what a retry gets, however late, without a second send.
CREATE TABLE update_outcomes (
  update_id text PRIMARY KEY,
  outcome jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE update_outcomes;
