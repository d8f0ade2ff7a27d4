-- What a revisit's numbers rest on: the files (and row counts) whose responses and events fall in its period.
WITH period AS (
    SELECT start_at, end_at FROM core.revisits WHERE revisit_id = $revisit_id
), rows_in_period AS (
    SELECT 'response' AS kind, file_id FROM core.responses, period
    WHERE responded_at >= start_at AND responded_at < end_at
    UNION ALL
    SELECT 'event', file_id FROM core.events, period
    WHERE occurred_at >= start_at AND occurred_at < end_at
)
SELECT md5(coalesce(string_agg(kind || ':' || file_id || ':' || n, ',' ORDER BY kind, file_id), '')) AS fingerprint
FROM (SELECT kind, file_id, count(*) AS n FROM rows_in_period GROUP BY ALL)
