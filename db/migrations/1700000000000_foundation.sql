-- Up Migration

-- The administrative tree. `ancestors` holds every id from the root down to the row itself, so
-- "is X inside scope S" and "everything under S" are one indexed lookup.
CREATE TABLE jurisdictions (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  level       text NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
  parent_id   text REFERENCES jurisdictions (id),
  ancestors   text[] NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jurisdictions_ancestors ON jurisdictions USING gin (ancestors);
CREATE INDEX jurisdictions_parent ON jurisdictions (parent_id);

-- The cycle read model: written only by the cycle workflow's activities; `version` orders writes so
-- a late retry never overwrites a newer state.
CREATE TABLE cycles (
  id               text PRIMARY KEY,
  jurisdiction_id  text NOT NULL REFERENCES jurisdictions (id),
  term             text NOT NULL,
  level            text NOT NULL,
  stage            text NOT NULL,
  status           text NOT NULL,
  waiting_for      text NOT NULL DEFAULT '',
  deadline         timestamptz,
  version          integer NOT NULL,
  state            jsonb NOT NULL,
  results          jsonb,
  outcome          jsonb,
  started_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  closed_at        timestamptz
);
CREATE INDEX cycles_jurisdiction ON cycles (jurisdiction_id);
CREATE INDEX cycles_stage_status ON cycles (stage, status);

-- Candidates and nominees, one row per person per cycle, from the cycle's state.
CREATE TABLE cycle_people (
  cycle_id     text NOT NULL REFERENCES cycles (id),
  person_id    text NOT NULL,
  name         text NOT NULL,
  position_id  text NOT NULL,
  candidate_status text,
  nominee_status   text,
  detail       jsonb NOT NULL,
  PRIMARY KEY (cycle_id, person_id)
);

-- The audit trail: append-only and hash-chained. Each row's hash covers its content and the
-- previous row's hash; writers take one advisory lock so the chain never forks.
CREATE TABLE audit_events (
  id              bigserial PRIMARY KEY,
  idem_key        text NOT NULL UNIQUE,
  at              timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  actor           text NOT NULL,
  role            text NOT NULL,
  request_id      text,
  subject_type    text NOT NULL,
  subject_id      text NOT NULL,
  cycle_id        text,
  jurisdiction_id text,
  action          text NOT NULL,
  before          jsonb,
  after           jsonb,
  detail          jsonb,
  prev_hash       text NOT NULL,
  hash            text NOT NULL
);
CREATE INDEX audit_events_cycle ON audit_events (cycle_id, id);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Down Migration
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE cycle_people;
DROP TABLE cycles;
DROP TABLE jurisdictions;
