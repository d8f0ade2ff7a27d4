-- `cjx revisit list`: every declared revisit, its current snapshot, and how many survey responses it holds
-- (responses dated within its period, UTC dates; one per response, however many questions it answered).
SELECT
    v.revisit_id,
    v.start_date,
    v.end_date,
    s.computed_at,
    s.journey_version,
    (
        SELECT count(*)
        FROM core.responses r
        WHERE CAST(r.responded_at AS DATE) BETWEEN v.start_date AND v.end_date
    ) AS n_responses
FROM core.revisits v
LEFT JOIN core.revisit_snapshots s ON s.revisit_id = v.revisit_id AND s.is_current
ORDER BY v.start_date
