-- Loads the accepted rows of temp table landed_rows (one file, or a whole source on reprocess) into core: respondents, responses, answers, measures, comments.
-- Cells carry their row's record id, so they are filtered by the few rows that are not loaded (an anti-join on a
-- small set) instead of being joined to every row of the batch; each cell's row is in landed_rows.
INSERT INTO core.respondents (respondent_id, first_seen_at)
SELECT respondent_id, min(at_utc)
FROM landed_rows
WHERE status = 'loaded' AND respondent_id NOT IN (SELECT respondent_id FROM core.respondents)
GROUP BY respondent_id;

INSERT INTO core.responses (source_id, response_id, respondent_id, responded_at, file_id, row_number)
SELECT $source_id, record_id, respondent_id, at_utc, file_id, row_number
FROM landed_rows
WHERE status = 'loaded';

INSERT INTO core.partial_responses (source_id, response_id)
SELECT $source_id, record_id
FROM landed_rows
WHERE status = 'loaded' AND is_partial;

INSERT INTO core.answers (source_id, response_id, column_name, metric, touchpoint_id, value, score, is_na)
SELECT
    $source_id, c.record_id, c.column_name, c.metric, c.touchpoint_id,
    CASE WHEN NOT c.is_na THEN c.number END,
    CASE WHEN c.is_na THEN NULL
         WHEN c.is_reversed THEN c.scale_min + c.scale_max - c.number
         ELSE c.number END,
    c.is_na
FROM landed_cells c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number)
WHERE c.metric <> 'measure';

-- measures the survey file carries (a declared `measures` column: delay minutes), not answers
INSERT INTO core.response_measures (source_id, response_id, measure, value)
SELECT $source_id, c.record_id, c.column_name, c.number
FROM landed_cells c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number)
WHERE c.metric = 'measure' AND NOT c.is_na AND c.number IS NOT NULL;

INSERT INTO core.comments (source_id, response_id, column_name, touchpoint_id, comment)
SELECT $source_id, c.record_id, c.column_name, c.touchpoint_id, c.value
FROM landed_comments c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number)
WHERE NOT c.is_na;

INSERT INTO core.response_attributes (source_id, response_id, column_name, value)
SELECT $source_id, c.record_id, c.column_name, c.value
FROM landed_attributes c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number);
