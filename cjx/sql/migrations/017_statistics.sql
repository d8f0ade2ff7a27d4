-- Statistics that stay honest on real data (issue 18): the driver guard of importance.
ALTER TABLE core.journey ADD COLUMN min_driver_pairs INTEGER;
COMMENT ON COLUMN core.journey.min_driver_pairs IS 'Joint answers a touchpoint needs with the outcome and with every other touchpoint to enter importance; NULL: min_base.';

-- Adjusted-Wald interval of NPS (Rocks 2016, as his R package nps: 0.75, 1.5, 0.75 pseudo-observations added to
-- detractors, passives, promoters, then a Wald interval), -100..100. Plain Wald covers 84-90% at n = 30-50 near
-- NPS 85; this one is near 95% and never has zero width.
CREATE OR REPLACE MACRO core.nps_adj_centre(promoters, detractors, n) AS
    100 * ((promoters + 0.75) - (detractors + 0.75)) / (n + 3);
CREATE OR REPLACE MACRO core.nps_adj_se(promoters, detractors, n) AS
    100 * sqrt(greatest(
        ((promoters + detractors + 1.5) / (n + 3) - ((promoters - detractors) / (n + 3)) ^ 2) / (n + 3), 0));
CREATE OR REPLACE MACRO core.nps_adj_ci_low(promoters, detractors, n) AS
    CASE WHEN n > 0 THEN greatest(core.nps_adj_centre(promoters, detractors, n)
        - 1.959963984540054 * core.nps_adj_se(promoters, detractors, n), -100) END;
CREATE OR REPLACE MACRO core.nps_adj_ci_high(promoters, detractors, n) AS
    CASE WHEN n > 0 THEN least(core.nps_adj_centre(promoters, detractors, n)
        + 1.959963984540054 * core.nps_adj_se(promoters, detractors, n), 100) END;

-- A behavioural outcome from operational data (journey outcome: {behaviour, within_days, event_types}).
ALTER TABLE core.journey ADD COLUMN outcome_behaviour VARCHAR;
ALTER TABLE core.journey ADD COLUMN outcome_within_days INTEGER;
ALTER TABLE core.journey ADD COLUMN outcome_event_types VARCHAR[];
COMMENT ON COLUMN core.journey.outcome_behaviour IS 'repurchase or churn: importance explains this 0/1 behaviour after each response instead of a survey question; NULL: the survey outcome.';
COMMENT ON COLUMN core.journey.outcome_within_days IS 'Days after the response within which the behaviour counts (repurchase: an event of outcome_event_types; churn: none).';
COMMENT ON COLUMN core.journey.outcome_event_types IS 'Operational event types that count as a purchase for the behavioural outcome.';
