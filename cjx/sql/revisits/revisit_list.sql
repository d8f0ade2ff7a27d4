-- `cjx revisit list`: every declared revisit, its current snapshot, and how many survey responses it holds
-- (responses within its period, its days local to the journey's time zone; one per response, however many questions it answered).
SELECT
    v.revisit_id,
    v.start_date,
    v.end_date,
    s.computed_at,
    s.journey_version,
    (
        SELECT count(*)
        FROM core.responses r
        WHERE r.responded_at >= v.start_at AND r.responded_at < v.end_at
    ) AS n_responses
FROM core.revisits v
LEFT JOIN core.revisit_snapshots s ON s.revisit_id = v.revisit_id AND s.is_current
ORDER BY v.start_date
