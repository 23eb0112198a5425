-- Up Migration

-- Workflows' live state as readers see it, so a GET never waits on a query (a replay whenever the
-- workflow is not in a worker's cache). The worker writes it through a sink at the end of every
-- workflow activation that changed the state, before the activation's answer leaves the worker:
-- whatever an Update answered is here by the time its caller hears it. No history events.
--
-- A state is stored in parts (its top-level keys; long arrays element by element) so an act that
-- touches one candidate of a thousand writes one row. `seq` counts the sends of one run: a send
-- that does not follow the stored one (a lost write, a retried task) marks the projection stale
-- and readers fall back to the workflow until the next full send (at each run's start and
-- periodically) replaces every part.
CREATE TABLE workflow_projections (
  workflow_id text PRIMARY KEY,
  run_id      text,
  seq         integer NOT NULL,
  stale       boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE workflow_state_parts (
  workflow_id text NOT NULL REFERENCES workflow_projections (workflow_id) ON DELETE CASCADE,
  part        text NOT NULL,
  value       jsonb NOT NULL,
  PRIMARY KEY (workflow_id, part)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON workflow_projections, workflow_state_parts TO huanjie_app;

-- Down Migration
DROP TABLE workflow_state_parts;
DROP TABLE workflow_projections;
