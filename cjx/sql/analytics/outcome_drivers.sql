-- Long frame for key-driver analysis in one revisit: per response of the outcome survey, its outcome score and
-- its (non-N/A) touchpoint ratings. cjx.metrics.drivers pivots it to one column per touchpoint.
-- Ratings are read only for the revisit's outcome responses (a semi-join first), not aggregated over all answers.
WITH outcome AS (
    SELECT a.source_id, a.response_id, a.score AS outcome
    FROM core.answers a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.responses r USING (source_id, response_id)
    JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
    WHERE q.is_outcome AND NOT a.is_na AND v.revisit_id = $revisit_id
), ratings AS (
    SELECT a.source_id, a.response_id, m.touchpoint_id, avg(a.score) AS score
    FROM core.answers a
    SEMI JOIN outcome o USING (source_id, response_id)
    JOIN core.answer_touchpoints m USING (source_id, response_id, column_name)
    WHERE a.metric IN ('csat', 'ces') AND NOT a.is_na AND m.touchpoint_id IS NOT NULL
    GROUP BY ALL
)
SELECT o.response_id, o.outcome, r.touchpoint_id, r.score
FROM outcome o
LEFT JOIN ratings r USING (source_id, response_id)
