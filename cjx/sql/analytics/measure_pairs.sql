-- (measure, score) pairs, for every revisit in $revisits in one pass, for the effect of operational measures (e.g.
-- delay minutes): on the rating of a touchpoint, for answers attributed to an event (x = that event's measure), and
-- on the outcome, for outcome-survey respondents (x = the mean of the measure over their events in the revisit).
WITH touchpoint_pairs AS (
    SELECT rv.revisit_id, em.measure, rv.touchpoint_id AS target_touchpoint_id, a.metric AS target,
           em.value AS x, a.score AS y
    FROM core.answers a
    JOIN core.response_revisits rv USING (source_id, response_id)
    JOIN core.event_measures em ON em.source_id = rv.event_source_id AND em.event_id = rv.event_id
    WHERE a.touchpoint_id IS NULL AND rv.mapped_by = 'event' AND NOT a.is_na AND a.metric IN ('csat', 'ces', 'nps')
      AND list_contains($revisits, rv.revisit_id)
), respondent_measures AS (
    SELECT v.revisit_id, e.respondent_id, em.measure, avg(em.value) AS x
    FROM core.events e
    JOIN core.event_measures em USING (source_id, event_id)
    JOIN core.revisits v ON e.occurred_at >= v.start_at AND e.occurred_at < v.end_at
    WHERE list_contains($revisits, v.revisit_id)
    GROUP BY ALL
), outcome_pairs AS (
    SELECT rv.revisit_id, rm.measure, NULL AS target_touchpoint_id, 'outcome' AS target, rm.x, a.score AS y
    FROM core.answers a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.response_revisits rv USING (source_id, response_id)
    JOIN respondent_measures rm ON rm.revisit_id = rv.revisit_id AND rm.respondent_id = rv.respondent_id
    WHERE q.is_outcome AND NOT a.is_na
)
SELECT * FROM touchpoint_pairs
UNION ALL
SELECT * FROM outcome_pairs
