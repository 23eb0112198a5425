-- Up Migration

-- Each candidate's inspection as the API reads it: the state its workflow last recorded, written in
-- the same transaction as the act that changed it, so a GET answers from here and never waits on a
-- workflow query (a replay when the workflow is not cached, or a closed one). `version` counts the
-- workflow's changes: a write only moves forward, and the API waits for the version an input returned.
-- No foreign key to cycles: candidates can be inspected on their own (a workflow started directly).
CREATE TABLE candidate_states (
  cycle_id text NOT NULL,
  person_id text NOT NULL,
  jurisdiction_id text NOT NULL,
  status text NOT NULL,
  version integer NOT NULL,
  state jsonb NOT NULL,
  -- The rules its personal matters are classified by (the cycle's policy at the candidate's start):
  -- the API classifies and seals the details with them before the workflow hears of the check.
  personal_matters_rules jsonb,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (cycle_id, person_id)
);
GRANT SELECT, INSERT, UPDATE ON candidate_states TO huanjie_app;

-- Down Migration
DROP TABLE candidate_states;
