-- Up Migration

-- A fingerprint of the last send written, so the same send written again (the sink's own retry of a
-- write whose commit it did not hear, or the same activation's sinks called twice) is known for what
-- it is and changes nothing, where a send of the same number with other content (a failed workflow
-- task's attempt, then the retry's) still marks the projection stale. NULL: written before this.
ALTER TABLE workflow_projections ADD COLUMN send_hash text;

-- Down Migration
ALTER TABLE workflow_projections DROP COLUMN send_hash;
