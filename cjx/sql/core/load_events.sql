-- Loads the accepted rows of temp table landed_rows (one file, or a whole source on reprocess) into core: respondents, events, event measures.
INSERT INTO core.respondents (respondent_id, first_seen_at)
SELECT respondent_id, min(at_utc)
FROM landed_rows
WHERE status = 'loaded' AND respondent_id NOT IN (SELECT respondent_id FROM core.respondents)
GROUP BY respondent_id;

INSERT INTO core.events (source_id, event_id, event_type, touchpoint_id, respondent_id, occurred_at, file_id, row_number)
SELECT $source_id, record_id, $event_type, $touchpoint_id, respondent_id, at_utc, file_id, row_number
FROM landed_rows
WHERE status = 'loaded';

INSERT INTO core.event_measures (source_id, event_id, measure, value)
SELECT $source_id, c.record_id, c.column_name, c.number
FROM landed_cells c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number)
WHERE NOT c.is_na;
