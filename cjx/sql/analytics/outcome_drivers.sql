-- Long frame for key-driver analysis, for every revisit in $revisits in one pass over the outcome survey's answers:
-- per response, one row with its (non-N/A) outcome score (touchpoint_id NULL), and one per (non-N/A) CSAT/CES
-- rating of a touchpoint (outcome NULL). cjx.metrics.drivers keeps the responses with an outcome and pivots the
-- ratings to one column per touchpoint. Each answer is joined once with its response's revisit and mapping.
-- The revisit comes as its place in $revisits (0, 1, ...) and the response as its key and its rank in response id
-- order (response_rank: the frame's row order), so no id text has to leave DuckDB.
WITH outcome_source AS (
    SELECT source_id FROM core.questions WHERE is_outcome
), ranks AS (
    SELECT response_key, row_number() OVER (ORDER BY response_id, source_id) - 1 AS response_rank
    FROM core.responses
    WHERE source_id IN (FROM outcome_source)
)
SELECT list_position($revisits, rv.revisit_id) - 1 AS revisit_position, rv.response_key, k.response_rank,
       CASE WHEN q.is_outcome THEN a.score END AS outcome,
       CASE WHEN NOT q.is_outcome THEN coalesce(a.touchpoint_id, rv.touchpoint_id) END AS touchpoint_id,
       CASE WHEN NOT q.is_outcome THEN a.score END AS score
FROM core.answers_keyed a
JOIN core.questions q USING (source_id, column_name)
JOIN core.response_revisits rv ON rv.response_key = a.response_key
JOIN ranks k ON k.response_key = a.response_key
WHERE NOT a.is_na
  AND a.source_id IN (FROM outcome_source)
  AND list_contains($revisits, rv.revisit_id)
  AND (q.is_outcome OR (a.metric IN ('csat', 'ces') AND coalesce(a.touchpoint_id, rv.touchpoint_id) IS NOT NULL))
