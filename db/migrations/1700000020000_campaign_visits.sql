-- Up Migration

-- The places a campaign has met, each once (activities/campaign.ts): what it launched and what it found
-- started elsewhere. Targets are read in id order, so a place added behind the cursor is met only by the
-- campaign's last pass, which reads the places it has not met yet from here (found from outside: one
-- started directly meanwhile was counted in targets alone).
CREATE TABLE campaign_visits (
  campaign_id     text NOT NULL,
  jurisdiction_id text NOT NULL,
  cycle_id        text NOT NULL,
  mine            boolean NOT NULL,
  visited_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, jurisdiction_id)
);

-- Down Migration
DROP TABLE campaign_visits;
