-- (measure, score) pairs in one revisit for the effect of operational measures (e.g. delay minutes):
-- on the rating of a touchpoint, for answers attributed to an event (x = that event's measure), and
-- on the outcome, for outcome-survey respondents (x = the mean of the measure over their events in the revisit).
WITH in_revisit AS (
    SELECT start_at, end_at FROM core.revisits WHERE revisit_id = $revisit_id
), touchpoint_pairs AS (
    SELECT em.measure, m.touchpoint_id AS target_touchpoint_id, a.metric AS target, em.value AS x, a.score AS y
    FROM core.answer_touchpoints m
    JOIN core.answers a USING (source_id, response_id, column_name)
    JOIN core.responses r USING (source_id, response_id)
    JOIN core.event_measures em ON em.source_id = m.event_source_id AND em.event_id = m.event_id
    WHERE m.mapped_by = 'event' AND NOT a.is_na AND a.metric IN ('csat', 'ces', 'nps')
      AND r.responded_at >= (SELECT start_at FROM in_revisit) AND r.responded_at < (SELECT end_at FROM in_revisit)
), respondent_measures AS (
    SELECT e.respondent_id, em.measure, avg(em.value) AS x
    FROM core.events e
    JOIN core.event_measures em USING (source_id, event_id)
    WHERE e.occurred_at >= (SELECT start_at FROM in_revisit) AND e.occurred_at < (SELECT end_at FROM in_revisit)
    GROUP BY ALL
), outcome_pairs AS (
    SELECT rm.measure, NULL AS target_touchpoint_id, 'outcome' AS target, rm.x, a.score AS y
    FROM core.answers a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.responses r USING (source_id, response_id)
    JOIN respondent_measures rm USING (respondent_id)
    WHERE q.is_outcome AND NOT a.is_na
      AND r.responded_at >= (SELECT start_at FROM in_revisit) AND r.responded_at < (SELECT end_at FROM in_revisit)
)
SELECT * FROM touchpoint_pairs
UNION ALL
SELECT * FROM outcome_pairs
