-- Loads the accepted rows of temp table landed_rows (one file, or a whole source on reprocess) into core: respondents, responses, answers, measures, comments.
-- Cells carry their row's record id, so they are filtered by the few rows that are not loaded (an anti-join on a
-- small set) instead of being joined to every row of the batch; each cell's row is in landed_rows.
INSERT INTO core.respondents (respondent_id, first_seen_at)
SELECT respondent_id, min(at_utc)
FROM landed_rows
WHERE status = 'loaded' AND respondent_id NOT IN (SELECT respondent_id FROM core.respondents)
GROUP BY respondent_id;

-- response_key: file_seq * 2^32 + row number (migration 090), so the answers, comments and attributes below need
-- no join with the rows
INSERT INTO core.responses (source_id, response_id, respondent_id, responded_at, file_id, row_number, response_key)
SELECT $source_id, record_id, respondent_id, at_utc, file_id, row_number, file_seq * 4294967296 + row_number
FROM landed_rows
WHERE status = 'loaded';

INSERT INTO core.partial_responses (source_id, response_id)
SELECT $source_id, record_id
FROM landed_rows
WHERE status = 'loaded' AND is_partial;

-- the columns these answers were given to, numbered once (core.answer_columns is only ever appended to)
INSERT INTO core.answer_columns
SELECT (SELECT coalesce(max(column_key), 0) FROM core.answer_columns)
       + row_number() OVER (ORDER BY column_name, metric, touchpoint_id NULLS FIRST),
       $source_id, column_name, metric, touchpoint_id
FROM (SELECT DISTINCT column_name, metric, touchpoint_id FROM landed_cells WHERE metric <> 'measure') c
WHERE NOT EXISTS (
    SELECT 1 FROM core.answer_columns k
    WHERE k.source_id = $source_id AND k.column_name = c.column_name AND k.metric = c.metric
      AND k.touchpoint_id IS NOT DISTINCT FROM c.touchpoint_id
);

INSERT INTO core.answer_values (response_key, column_key, value, score, is_na)
SELECT
    c.file_seq * 4294967296 + c.row_number, k.column_key,
    CASE WHEN NOT c.is_na THEN c.number END,
    CASE WHEN c.is_na THEN NULL
         WHEN c.is_reversed THEN c.scale_min + c.scale_max - c.number
         ELSE c.number END,
    c.is_na
FROM landed_cells c
JOIN core.answer_columns k
    ON k.source_id = $source_id AND k.column_name = c.column_name AND k.metric = c.metric
   AND k.touchpoint_id IS NOT DISTINCT FROM c.touchpoint_id
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number)
WHERE c.metric <> 'measure';

-- measures the survey file carries (a declared `measures` column: delay minutes), not answers
INSERT INTO core.response_measures (source_id, response_id, measure, value)
SELECT $source_id, c.record_id, c.column_name, c.number
FROM landed_cells c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number)
WHERE c.metric = 'measure' AND NOT c.is_na AND c.number IS NOT NULL;

INSERT INTO core.comment_texts (response_key, column_name, touchpoint_id, comment)
SELECT c.file_seq * 4294967296 + c.row_number, c.column_name, c.touchpoint_id, c.value
FROM landed_comments c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number)
WHERE NOT c.is_na;

INSERT INTO core.attribute_values (response_key, column_name, value)
SELECT c.file_seq * 4294967296 + c.row_number, c.column_name, c.value
FROM landed_attributes c
ANTI JOIN (SELECT file_seq, row_number FROM landed_rows WHERE status <> 'loaded') r USING (file_seq, row_number);
