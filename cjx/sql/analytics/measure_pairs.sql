-- (measure, score) pairs in one revisit for the effect of measures (e.g. delay minutes):
-- on the rating of a touchpoint, for answers attributed to an event (x = that event's measure), and
-- on the outcome, for outcome-survey respondents (x = the mean of the measure over their events in the revisit).
-- A survey source's own measures (core.response_measures: delay minutes carried in the survey file) pair with
-- the ratings of the same response (its touchpoints) and with the outcome answered in the same response; when
-- the outcome is asked in another source, like an operational measure (the respondent's mean over the revisit).
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
), survey_measures AS (
    SELECT rm.source_id, rm.response_id, r.respondent_id, rm.measure, rm.value
    FROM core.response_measures rm
    JOIN core.responses r USING (source_id, response_id)
    WHERE r.responded_at >= (SELECT start_at FROM in_revisit) AND r.responded_at < (SELECT end_at FROM in_revisit)
), survey_touchpoint_pairs AS (
    SELECT sm.measure, m.touchpoint_id AS target_touchpoint_id, a.metric AS target, sm.value AS x, a.score AS y
    FROM survey_measures sm
    JOIN core.answers a USING (source_id, response_id)
    JOIN core.answer_touchpoints m USING (source_id, response_id, column_name)
    WHERE m.touchpoint_id IS NOT NULL AND NOT a.is_na AND a.metric IN ('csat', 'ces', 'nps')
), outcome_source AS (
    SELECT source_id FROM core.questions WHERE is_outcome
), respondent_measures AS (
    SELECT respondent_id, measure, avg(x) AS x
    FROM (
        SELECT e.respondent_id, em.measure, em.value AS x
        FROM core.events e
        JOIN core.event_measures em USING (source_id, event_id)
        WHERE e.occurred_at >= (SELECT start_at FROM in_revisit) AND e.occurred_at < (SELECT end_at FROM in_revisit)
        UNION ALL
        SELECT respondent_id, measure, value FROM survey_measures WHERE source_id NOT IN (FROM outcome_source)
    )
    GROUP BY ALL
), outcome_answers AS (
    SELECT a.source_id, a.response_id, r.respondent_id, a.score
    FROM core.answers a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.responses r USING (source_id, response_id)
    WHERE q.is_outcome AND NOT a.is_na
      AND r.responded_at >= (SELECT start_at FROM in_revisit) AND r.responded_at < (SELECT end_at FROM in_revisit)
), outcome_pairs AS (
    SELECT rm.measure, NULL AS target_touchpoint_id, 'outcome' AS target, rm.x, o.score AS y
    FROM outcome_answers o
    JOIN respondent_measures rm USING (respondent_id)
    UNION ALL
    SELECT sm.measure, NULL, 'outcome', sm.value, o.score
    FROM outcome_answers o
    JOIN survey_measures sm USING (source_id, response_id)
)
SELECT * FROM touchpoint_pairs
UNION ALL
SELECT * FROM survey_touchpoint_pairs
UNION ALL
SELECT * FROM outcome_pairs
