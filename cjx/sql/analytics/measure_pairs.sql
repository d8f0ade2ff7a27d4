-- (measure, score) pairs for the effect of measures (e.g. delay minutes), for every revisit in $revisits in one
-- pass (revisit_id on every row):
-- on the rating of a touchpoint, for answers attributed to an event (x = that event's measure), and
-- on the outcome, for outcome-survey respondents (x = the mean of the measure over their events in the revisit).
-- A survey source's own measures (core.response_measures: delay minutes carried in the survey file) pair with
-- the ratings of the same response (its touchpoints) and with the outcome answered in the same response; when
-- the outcome is asked in another source, like an operational measure (the respondent's mean over the revisit).
-- A response's revisit and mapping come from core.response_revisits (an answer's own touchpoint first, as in
-- core.answer_touchpoints).
-- One row per (revisit, measure, target, touchpoint) with its pairs as two lists in (x, y) order (the order does
-- not depend on how DuckDB ran the query): a dozen rows to hand over, not millions.
WITH revisit_responses AS (
    SELECT * FROM core.response_revisits WHERE list_contains($revisits, revisit_id)
), touchpoint_pairs AS (
    -- answers without a touchpoint of their own, whose response was attributed to an event
    SELECT rv.revisit_id, em.measure, rv.touchpoint_id AS target_touchpoint_id, a.metric AS target, em.value AS x,
           a.score AS y
    FROM core.answers_keyed a
    JOIN revisit_responses rv ON rv.response_key = a.response_key
    JOIN core.event_measures em ON em.source_id = rv.event_source_id AND em.event_id = rv.event_id
    WHERE a.touchpoint_id IS NULL AND rv.mapped_by = 'event'
      AND NOT a.is_na AND a.metric IN ('csat', 'ces', 'nps')
), survey_measures AS (
    SELECT rv.revisit_id, rm.source_id, rv.response_key, rv.respondent_id, rv.touchpoint_id AS response_touchpoint_id,
           rm.measure, rm.value
    FROM core.response_measures rm
    JOIN revisit_responses rv USING (source_id, response_id)
), survey_touchpoint_pairs AS (
    SELECT sm.revisit_id, sm.measure, coalesce(a.touchpoint_id, sm.response_touchpoint_id) AS target_touchpoint_id,
           a.metric AS target, sm.value AS x, a.score AS y
    FROM survey_measures sm
    JOIN core.answers_keyed a ON a.response_key = sm.response_key
    WHERE coalesce(a.touchpoint_id, sm.response_touchpoint_id) IS NOT NULL AND NOT a.is_na
      AND a.metric IN ('csat', 'ces', 'nps')
), outcome_source AS (
    SELECT source_id FROM core.questions WHERE is_outcome
), respondent_measures AS (
    SELECT revisit_id, respondent_id, measure, avg(x) AS x
    FROM (
        SELECT v.revisit_id, e.respondent_id, em.measure, em.value AS x
        FROM core.events e
        JOIN core.event_measures em USING (source_id, event_id)
        JOIN core.revisits v ON e.occurred_at >= v.start_at AND e.occurred_at < v.end_at
        WHERE list_contains($revisits, v.revisit_id)
        UNION ALL
        SELECT revisit_id, respondent_id, measure, value FROM survey_measures WHERE source_id NOT IN (FROM outcome_source)
    )
    GROUP BY ALL
), outcome_answers AS (
    SELECT rv.revisit_id, a.source_id, a.response_key, rv.respondent_id, a.score
    FROM core.answers_keyed a
    JOIN core.questions q USING (source_id, column_name)
    JOIN revisit_responses rv ON rv.response_key = a.response_key
    WHERE q.is_outcome AND NOT a.is_na
), outcome_pairs AS (
    SELECT o.revisit_id, rm.measure, NULL AS target_touchpoint_id, 'outcome' AS target, rm.x, o.score AS y
    FROM outcome_answers o
    JOIN respondent_measures rm USING (revisit_id, respondent_id)
    UNION ALL
    SELECT o.revisit_id, sm.measure, NULL, 'outcome', sm.value, o.score
    FROM outcome_answers o
    JOIN survey_measures sm USING (revisit_id, source_id, response_key)
)
SELECT revisit_id, measure, target, target_touchpoint_id, list(x ORDER BY x, y) AS x, list(y ORDER BY x, y) AS y
FROM (
    SELECT * FROM touchpoint_pairs
    UNION ALL
    SELECT * FROM survey_touchpoint_pairs
    UNION ALL
    SELECT * FROM outcome_pairs
)
GROUP BY ALL
