-- Up Migration

-- Each person's row carries the cycle version it was written at, so rows are written whenever they
-- change — even by a record that reaches Postgres after a newer one of the same cycle — and an
-- older write never overwrites a newer one of the same person.
ALTER TABLE cycle_people ADD COLUMN version integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE cycle_people DROP COLUMN version;
