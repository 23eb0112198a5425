-- Up Migration

-- Each department's inbox: one task per candidate per joint-review department (联审).
CREATE TABLE review_tasks (
  cycle_id         text NOT NULL,
  person_id        text NOT NULL,
  department       text NOT NULL,
  jurisdiction_id  text NOT NULL REFERENCES jurisdictions (id),
  position_id      text NOT NULL,
  candidate_name   text NOT NULL,
  status           text NOT NULL CHECK (status IN ('open', 'chased', 'escalated', 'answered', 'closed')),
  opened_at        timestamptz NOT NULL,
  chase_at         timestamptz,
  deadline         timestamptz,
  chased_at        timestamptz,
  escalated_at     timestamptz,
  verdict          text CHECK (verdict IN ('clear', 'concern', 'disqualifying')),
  reason           text,
  answered_by      text,
  answered_at      timestamptz,
  PRIMARY KEY (cycle_id, person_id, department)
);
CREATE INDEX review_tasks_inbox ON review_tasks (department, status, deadline);

-- Personal-matters verification (个人有关事项). The outcome is countable in clear; what was declared,
-- what was found and which rule classified it are sealed (AES-GCM, see activities/sealed.ts).
CREATE TABLE personal_matters_checks (
  cycle_id         text NOT NULL,
  person_id        text NOT NULL,
  jurisdiction_id  text NOT NULL REFERENCES jurisdictions (id),
  outcome          text NOT NULL CHECK (outcome IN ('consistent', 'omission', 'concealment')),
  consequence      text NOT NULL,
  details_sealed   text NOT NULL,
  checked_by       text NOT NULL,
  checked_at       timestamptz NOT NULL,
  PRIMARY KEY (cycle_id, person_id)
);
CREATE INDEX personal_matters_jurisdiction ON personal_matters_checks (jurisdiction_id, outcome);

-- Notices to people (a department chased, a level escalated to): an outbox a sender drains.
CREATE TABLE notifications (
  idem_key         text PRIMARY KEY,
  recipient        text NOT NULL,
  jurisdiction_id  text,
  subject          text NOT NULL,
  body             text NOT NULL,
  created_at       timestamptz NOT NULL,
  sent_at          timestamptz
);

-- Down Migration
DROP TABLE notifications;
DROP TABLE personal_matters_checks;
DROP TABLE review_tasks;
