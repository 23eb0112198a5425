-- Up Migration

-- Which copy of the run wrote the stored send (the history length at that copy's first live send) and
-- at which history length. A workflow task that timed out after its sends were written is retried by a
-- copy rebuilt from history that numbers its sends as the refused one did: by number alone its whole
-- send looked older than the refused attempt's and was dropped, and its next send, with other content
-- (an input that came meanwhile), marked the projection stale — every read then asked the workflow.
-- 0: written before this, or the start's own projection.
ALTER TABLE workflow_projections ADD COLUMN send_copy integer NOT NULL DEFAULT 0;
ALTER TABLE workflow_projections ADD COLUMN send_at integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE workflow_projections DROP COLUMN send_at;
ALTER TABLE workflow_projections DROP COLUMN send_copy;
