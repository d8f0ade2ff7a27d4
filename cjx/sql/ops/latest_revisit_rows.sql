-- Rows each source got for the latest revisit with any data (responses or events in its period, its bounds
-- in the journey's time zone: core.revisits.start_at / end_at), and the outcome question's answers there; a run
-- that finds zero for a declared source or the outcome
-- ends "completed with warnings" (cjx.pipeline.run_warnings). One row per source with rows in the database;
-- sources with none at all are filled in by the caller from the journey.
WITH dated AS (
    SELECT source_id, responded_at AS ts FROM core.responses
    UNION ALL
    SELECT source_id, occurred_at AS ts FROM core.events
),
latest AS (
    SELECT v.revisit_id, v.start_date, v.end_date, v.start_at, v.end_at
    FROM core.revisits v
    WHERE EXISTS (SELECT 1 FROM dated WHERE ts >= v.start_at AND ts < v.end_at)
    ORDER BY v.start_date DESC
    LIMIT 1
)
SELECT
    l.revisit_id,
    l.start_date,
    l.end_date,
    s.source_id,
    (SELECT count(*) FROM dated x WHERE x.source_id = s.source_id AND x.ts >= l.start_at AND x.ts < l.end_at) AS n_rows,
    (
        SELECT count(*)
        FROM core.answers_keyed a
        JOIN core.responses r ON r.response_key = a.response_key
        WHERE a.source_id = s.source_id AND a.column_name = $outcome_column AND NOT a.is_na
          AND r.responded_at >= l.start_at AND r.responded_at < l.end_at
    ) AS n_outcome_answers
FROM latest l
CROSS JOIN (SELECT DISTINCT source_id FROM dated) s
ORDER BY s.source_id
