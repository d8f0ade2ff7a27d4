-- Long frame for key-driver analysis of a behavioural outcome (core.journey.outcome_behaviour) in one revisit:
-- per survey response in the revisit with at least one touchpoint rating, outcome = 1 when its respondent
-- repurchased (an event of outcome_event_types within outcome_within_days after the response; churn: none), else 0.
-- Responses whose window runs past the last such event in the data are censored (left out): not yet knowable.
WITH j AS (
    SELECT outcome_behaviour AS behaviour, outcome_within_days AS days, outcome_event_types AS types FROM core.journey
), purchases AS (
    SELECT e.respondent_id, e.occurred_at FROM core.events e, j WHERE list_contains(j.types, e.event_type)
), in_revisit AS (
    SELECT r.source_id, r.response_id, r.respondent_id, r.responded_at
    FROM core.responses r
    JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
    CROSS JOIN j
    WHERE v.revisit_id = $revisit_id
      AND r.responded_at + to_days(j.days) <= (SELECT max(occurred_at) FROM purchases)
), ratings AS (
    SELECT a.source_id, a.response_id, m.touchpoint_id, avg(a.score) AS score
    FROM core.answers a
    SEMI JOIN in_revisit o USING (source_id, response_id)
    JOIN core.answer_touchpoints m USING (source_id, response_id, column_name)
    WHERE a.metric IN ('csat', 'ces') AND NOT a.is_na AND m.touchpoint_id IS NOT NULL
    GROUP BY ALL
), outcome AS (
    SELECT o.source_id, o.response_id,
           CASE WHEN (SELECT behaviour FROM j) = 'churn' THEN 1 - bool_or(p.occurred_at IS NOT NULL)::INTEGER
                ELSE bool_or(p.occurred_at IS NOT NULL)::INTEGER END::DOUBLE AS outcome
    FROM in_revisit o
    SEMI JOIN ratings USING (source_id, response_id)
    CROSS JOIN j
    LEFT JOIN purchases p
        ON p.respondent_id = o.respondent_id AND p.occurred_at > o.responded_at
       AND p.occurred_at <= o.responded_at + to_days(j.days)
    GROUP BY o.source_id, o.response_id
)
SELECT o.response_id, o.outcome, r.touchpoint_id, r.score
FROM outcome o
LEFT JOIN ratings r USING (source_id, response_id)
