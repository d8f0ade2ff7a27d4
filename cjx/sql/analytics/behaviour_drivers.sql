-- Long frame for key-driver analysis of a behavioural outcome (core.journey.outcome_behaviour), for every revisit in
-- $revisits, in the shape of outcome_drivers.sql: per survey response in the revisit with at least one touchpoint
-- rating, one row with outcome = 1 when its respondent repurchased (an event of outcome_event_types within
-- outcome_within_days after the response; churn: none), else 0, and one row per CSAT/CES rating.
-- Responses whose window runs past the last such event in the data are censored (left out): not yet knowable.
-- The response's rank is in (response id, source) order: two surveys' responses with the same id stay two rows.
WITH j AS (
    SELECT outcome_behaviour AS behaviour, outcome_within_days AS days, outcome_event_types AS types FROM core.journey
), purchases AS (
    SELECT e.respondent_id, e.occurred_at FROM core.events e, j WHERE list_contains(j.types, e.event_type)
), in_revisit AS (
    SELECT rv.revisit_id, rv.source_id, rv.response_id, rv.response_key, rv.respondent_id, rv.responded_at, rv.touchpoint_id
    FROM core.response_revisits rv
    CROSS JOIN j
    WHERE list_contains($revisits, rv.revisit_id)
      AND rv.responded_at + to_days(j.days) <= (SELECT max(occurred_at) FROM purchases)
), ratings AS (
    SELECT o.revisit_id, a.source_id, o.response_id, o.response_key,
           coalesce(a.touchpoint_id, o.touchpoint_id) AS touchpoint_id,
           a.score
    FROM core.answers_keyed a
    JOIN in_revisit o ON o.response_key = a.response_key
    WHERE a.metric IN ('csat', 'ces') AND NOT a.is_na AND coalesce(a.touchpoint_id, o.touchpoint_id) IS NOT NULL
), outcome AS (
    SELECT o.revisit_id, o.source_id, o.response_id, o.response_key,
           CASE WHEN (SELECT behaviour FROM j) = 'churn' THEN 1 - bool_or(p.occurred_at IS NOT NULL)::INTEGER
                ELSE bool_or(p.occurred_at IS NOT NULL)::INTEGER END::DOUBLE AS outcome
    FROM in_revisit o
    SEMI JOIN ratings USING (revisit_id, source_id, response_id)
    CROSS JOIN j
    LEFT JOIN purchases p
        ON p.respondent_id = o.respondent_id AND p.occurred_at > o.responded_at
       AND p.occurred_at <= o.responded_at + to_days(j.days)
    GROUP BY o.revisit_id, o.source_id, o.response_id, o.response_key
)
, ranks AS (
    SELECT response_key, row_number() OVER (ORDER BY response_id, source_id) - 1 AS response_rank
    FROM core.responses
)
SELECT list_position($revisits, revisit_id) - 1 AS revisit_position, response_key, response_rank, outcome,
       NULL::VARCHAR AS touchpoint_id, NULL::DOUBLE AS score
FROM outcome JOIN ranks USING (response_key)
UNION ALL
SELECT list_position($revisits, revisit_id) - 1, response_key, response_rank, NULL, touchpoint_id, score
FROM ratings JOIN ranks USING (response_key)
