-- The fate of the rows of one newly landed file ($file_id), against what core already holds: quarantined
-- (a problem), duplicate (the same response/event id recorded later in this file, or loaded before with a
-- later time, or the same time when $later_wins is false: duplicates: first_seen) or loaded (possibly
-- superseding an older version: supersedes_file_id; a corrected re-export with the same time wins by default).
-- Reads temp view staged_row_checks (staging.<source>__row_checks of this file); the same rules as
-- staging.<source>__row_fate, applied incrementally.
CREATE OR REPLACE TEMP TABLE landed_rows AS
WITH checked AS MATERIALIZED (
    SELECT * FROM staged_row_checks WHERE file_id = $file_id
), already_loaded AS (
    SELECT response_id AS loaded_id, responded_at AS loaded_at, file_id AS loaded_file_id
    FROM core.responses WHERE source_id = $source_id
    UNION ALL
    SELECT event_id, occurred_at, file_id FROM core.events WHERE source_id = $source_id
), repeated AS (
    -- ids that occur more than once among this file's good rows: only they need ranking
    SELECT record_id FROM checked WHERE reason IS NULL GROUP BY record_id HAVING count(*) > 1
), ranked AS (
    -- overlapping exports: the latest recorded version of a response wins; on a tie, the first seen
    SELECT row_number, row_number() OVER (PARTITION BY record_id ORDER BY at_utc DESC, row_number) AS rank_in_file
    FROM checked SEMI JOIN repeated USING (record_id)
    WHERE reason IS NULL
), candidates AS (
    SELECT c.*, CASE WHEN c.reason IS NULL THEN coalesce(k.rank_in_file, 1) END AS rank_in_file
    FROM checked c
    LEFT JOIN ranked k USING (row_number)
)
SELECT
    c.file_id, c.row_number, c.file_seq, c.record_id, c.respondent_id, c.at_utc, c.is_partial, c.reason, c.message,
    CASE
        WHEN c.reason IS NOT NULL THEN 'quarantined'
        WHEN c.rank_in_file > 1 THEN 'duplicate'
        WHEN a.loaded_id IS NOT NULL AND (a.loaded_at > c.at_utc OR (a.loaded_at = c.at_utc AND NOT $later_wins))
            THEN 'duplicate'
        ELSE 'loaded'
    END AS status,
    CASE WHEN c.reason IS NULL AND c.rank_in_file = 1
              AND (a.loaded_at < c.at_utc OR (a.loaded_at = c.at_utc AND $later_wins)) THEN a.loaded_file_id END
        AS supersedes_file_id
FROM candidates c
-- the few rows whose id core already holds, found by an inner join and attached by row number: a left join of
-- every row to core's ids costs a third of this statement on a 1 M-row file (an empty core included)
LEFT JOIN (SELECT k.row_number, a.* FROM checked k JOIN already_loaded a ON a.loaded_id = k.record_id) a USING (row_number);
