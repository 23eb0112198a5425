-- Up Migration
-- An Idempotency-Key bound to the body it first came with: the same key with another body is refused.
-- binding = sha256(caller, method, path, key), so keys of different callers never meet.
CREATE TABLE idempotency_keys (
  binding      text PRIMARY KEY,
  fingerprint  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE idempotency_keys;
