-- The headline of a behavioural outcome (journey outcome: {behaviour: repurchase | churn, within_days}) per revisit:
-- of the respondents who answered a survey in the revisit (first response each), the share who repurchased (churn:
-- did not) within the window, with a Wilson interval. Respondents whose window runs past the data are censored.
CREATE OR REPLACE TABLE marts.outcome_behaviour AS
WITH j AS (
    SELECT outcome_behaviour AS behaviour, outcome_within_days AS days, outcome_event_types AS types
    FROM core.journey WHERE outcome_behaviour IS NOT NULL
), purchases AS (
    SELECT e.respondent_id, e.occurred_at FROM core.events e, j WHERE list_contains(j.types, e.event_type)
), firsts AS (
    SELECT v.revisit_id, r.respondent_id, min(r.responded_at) AS responded_at
    FROM core.responses r
    JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
    WHERE EXISTS (SELECT 1 FROM j)
    GROUP BY ALL
), judged AS (
    SELECT f.revisit_id, f.respondent_id,
           f.responded_at + to_days(j.days) > (SELECT max(occurred_at) FROM purchases) AS is_censored,
           bool_or(p.occurred_at IS NOT NULL) AS bought
    FROM firsts f
    CROSS JOIN j
    LEFT JOIN purchases p
        ON p.respondent_id = f.respondent_id AND p.occurred_at > f.responded_at
       AND p.occurred_at <= f.responded_at + to_days(j.days)
    GROUP BY ALL
), counted AS (
    SELECT revisit_id,
           count(*) FILTER (NOT is_censored) AS n_respondents,
           count(*) FILTER (is_censored) AS n_censored,
           count(*) FILTER (NOT is_censored AND bought = ((SELECT behaviour FROM j) = 'repurchase')) AS n_outcome
    FROM judged
    GROUP BY revisit_id
)
SELECT
    c.revisit_id, j.behaviour, j.days AS within_days, c.n_respondents, c.n_censored, c.n_outcome,
    c.n_outcome / nullif(c.n_respondents, 0) AS share,
    core.wilson_low(c.n_outcome, c.n_respondents) AS ci_low,
    core.wilson_high(c.n_outcome, c.n_respondents) AS ci_high
FROM counted c
CROSS JOIN j
ORDER BY c.revisit_id;

COMMENT ON TABLE marts.outcome_behaviour IS 'Headline of the behavioural outcome per revisit: share of respondents (first response in the revisit) who repurchased (or, for churn, did not) within within_days, with a 95% Wilson interval. Empty when the journey''s outcome is a survey question.';
COMMENT ON COLUMN marts.outcome_behaviour.behaviour IS 'repurchase (an event of core.journey.outcome_event_types within the window after the response) or churn (none).';
COMMENT ON COLUMN marts.outcome_behaviour.within_days IS 'Days after the response within which the behaviour counts.';
COMMENT ON COLUMN marts.outcome_behaviour.n_respondents IS 'Respondents whose window is complete in the data (the base of share).';
COMMENT ON COLUMN marts.outcome_behaviour.n_censored IS 'Respondents left out because their window runs past the last purchase event in the data.';
COMMENT ON COLUMN marts.outcome_behaviour.n_outcome IS 'Respondents who repurchased (repurchase) or did not (churn) within the window.';
COMMENT ON COLUMN marts.outcome_behaviour.share IS 'n_outcome / n_respondents.';
COMMENT ON COLUMN marts.outcome_behaviour.ci_low IS '95% Wilson interval of share (lower bound; ci_high the upper).';
COMMENT ON COLUMN marts.outcome_behaviour.ci_high IS '95% Wilson interval of share (upper bound).';
