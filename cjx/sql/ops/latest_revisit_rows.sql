-- Rows each source got for the latest revisit with any data (responses or events dated in its period, UTC
-- dates), and the outcome question's answers there; a run that finds zero for a declared source or the outcome
-- ends "completed with warnings" (cjx.pipeline.run_warnings). One row per source with rows in the database;
-- sources with none at all are filled in by the caller from the journey.
WITH dated AS (
    SELECT source_id, CAST(responded_at AS DATE) AS d FROM core.responses
    UNION ALL
    SELECT source_id, CAST(occurred_at AS DATE) AS d FROM core.events
),
latest AS (
    SELECT v.revisit_id, v.start_date, v.end_date
    FROM core.revisits v
    WHERE EXISTS (SELECT 1 FROM dated WHERE d BETWEEN v.start_date AND v.end_date)
    ORDER BY v.start_date DESC
    LIMIT 1
)
SELECT
    l.revisit_id,
    l.start_date,
    l.end_date,
    s.source_id,
    (SELECT count(*) FROM dated x WHERE x.source_id = s.source_id AND x.d BETWEEN l.start_date AND l.end_date) AS n_rows,
    (
        SELECT count(*)
        FROM core.answers a
        JOIN core.responses r USING (source_id, response_id)
        WHERE a.source_id = s.source_id AND a.column_name = $outcome_column AND NOT a.is_na
          AND CAST(r.responded_at AS DATE) BETWEEN l.start_date AND l.end_date
    ) AS n_outcome_answers
FROM latest l
CROSS JOIN (SELECT DISTINCT source_id FROM dated) s
ORDER BY s.source_id
