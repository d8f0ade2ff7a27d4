-- Real exports (issue 11, item 7): revisits are dated in the journey's time zone (journey.timezone, default UTC).
-- start_at / end_at are a revisit's bounds in UTC, [local midnight of start_date, local midnight after end_date),
-- written by cjx.journey.sync; every join that assigns responses or events to revisits uses them.
ALTER TABLE core.revisits ADD COLUMN start_at TIMESTAMP;
ALTER TABLE core.revisits ADD COLUMN end_at TIMESTAMP;
UPDATE core.revisits SET start_at = start_date::TIMESTAMP, end_at = end_date::TIMESTAMP + INTERVAL 1 DAY;
COMMENT ON TABLE core.revisits IS 'Revisits (waves) of the journey: responses and events at or after start_at and before end_at (UTC) belong to it; start_date and end_date are local days in the journey''s time zone (core.journey.timezone).';
COMMENT ON COLUMN core.revisits.start_at IS 'UTC time of local midnight at the start of start_date, in the journey''s time zone.';
COMMENT ON COLUMN core.revisits.end_at IS 'UTC time of local midnight after end_date, in the journey''s time zone (exclusive).';
ALTER TABLE core.journey ADD COLUMN timezone VARCHAR DEFAULT 'UTC';
COMMENT ON COLUMN core.journey.timezone IS 'IANA time zone of the journey''s calendar: revisit days are local days in it.';
