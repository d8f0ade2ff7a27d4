-- What each run scrubbed: the files it ingested (one writer at a time: a file ingested between a run's start
-- and end belongs to it) and their ops.scrubbed_text counts.
CREATE VIEW ops.run_scrubbed AS
SELECT r.run_id, count(DISTINCT s.file_id) AS files, sum(s.emails)::BIGINT AS emails, sum(s.phones)::BIGINT AS phones,
       sum(s.numbers)::BIGINT AS numbers
FROM ops.runs r
JOIN ops.ingest_files f ON f.ingested_at >= r.started_at AND f.ingested_at <= coalesce(r.finished_at, f.ingested_at)
JOIN ops.scrubbed_text s ON s.file_id = f.file_id
GROUP BY r.run_id;
COMMENT ON VIEW ops.run_scrubbed IS 'Per run: e-mail addresses, phone numbers and long numbers replaced by tags in the comments of the files it ingested (settings.scrub_comments).';
