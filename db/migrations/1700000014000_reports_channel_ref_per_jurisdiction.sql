-- Up Migration

-- A channel reference identifies a report only inside the jurisdiction the report is about (its
-- target's jurisdiction, `reports.jurisdiction_id`): the key is (channel, channel_ref,
-- jurisdiction_id). The same letter number or call id in another jurisdiction is another report,
-- and linking it there would drop its text and reporter and reveal the other jurisdiction's report id.
DROP INDEX reports_channel_ref;
CREATE UNIQUE INDEX reports_channel_ref ON reports (channel, channel_ref, jurisdiction_id) WHERE channel_ref IS NOT NULL;

-- Down Migration
-- Fails (23505) once two jurisdictions hold the same channel reference: that is the point of the change.
DROP INDEX reports_channel_ref;
CREATE UNIQUE INDEX reports_channel_ref ON reports (channel, channel_ref) WHERE channel_ref IS NOT NULL;
