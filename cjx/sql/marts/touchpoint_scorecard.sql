-- Performance per touchpoint and revisit with bases and 95% intervals: one row for every touchpoint of the
-- journey in every revisit, including touchpoints with no feedback (n = 0), so blind spots stay visible.
-- Intervals: Wilson for shares, t for means (t_quantile is registered by cjx.metrics.marts), Rocks (2016) for NPS.
CREATE OR REPLACE TABLE marts.touchpoint_scorecard AS
WITH source AS (
    SELECT m.touchpoint_id, v.revisit_id, a.response_id, a.source_id, a.metric, a.score, q.scale_min, q.scale_max
    FROM core.answers a
    JOIN core.answer_touchpoints m USING (source_id, response_id, column_name)
    JOIN core.responses r USING (source_id, response_id)
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.revisits v ON r.responded_at >= v.start_date AND r.responded_at < v.end_date + INTERVAL 1 DAY
    WHERE m.touchpoint_id IS NOT NULL AND NOT a.is_na
), renamed AS (
    SELECT
        touchpoint_id, revisit_id,
        count(DISTINCT (source_id, response_id)) AS n_responses,
        count(*) FILTER (metric = 'csat') AS n_csat,
        avg(score) FILTER (metric = 'csat') AS csat_mean,
        stddev_samp(score) FILTER (metric = 'csat') AS csat_sd,
        count(*) FILTER (metric = 'csat' AND score >= scale_max - 1) AS n_csat_top2,
        count(*) FILTER (metric = 'ces') AS n_ces,
        avg(score) FILTER (metric = 'ces') AS ces_mean,
        stddev_samp(score) FILTER (metric = 'ces') AS ces_sd,
        count(*) FILTER (metric = 'ces' AND score > (scale_min + scale_max) / 2) AS n_ces_easy,
        count(*) FILTER (metric = 'nps') AS n_nps,
        count(*) FILTER (metric = 'nps' AND score >= 9) AS n_promoters,
        count(*) FILTER (metric = 'nps' AND score <= 6) AS n_detractors
    FROM source
    GROUP BY touchpoint_id, revisit_id
), measured AS (
    SELECT
        *,
        n_csat_top2 / nullif(n_csat, 0) AS csat_top2_share,
        n_ces_easy / nullif(n_ces, 0) AS ces_easy_share,
        n_promoters / nullif(n_nps, 0) AS promoter_share,
        n_detractors / nullif(n_nps, 0) AS detractor_share
    FROM renamed
), final AS (
    SELECT
        v.revisit_id, v.start_date AS revisit_start, v.end_date AS revisit_end,
        s.stage_id, s.name AS stage_name, s.position AS stage_position,
        t.touchpoint_id, t.name AS touchpoint_name, t.position AS touchpoint_position, t.owner, t.is_critical,
        t.target_metric, t.target_value,
        coalesce(m.n_responses, 0) AS n_responses,
        coalesce(m.n_csat, 0) AS n_csat, m.csat_mean,
        m.csat_mean - t_quantile(0.975, m.n_csat - 1) * m.csat_sd / sqrt(m.n_csat) AS csat_mean_ci_low,
        m.csat_mean + t_quantile(0.975, m.n_csat - 1) * m.csat_sd / sqrt(m.n_csat) AS csat_mean_ci_high,
        m.csat_top2_share,
        core.wilson_low(m.n_csat_top2, m.n_csat) AS csat_top2_ci_low,
        core.wilson_high(m.n_csat_top2, m.n_csat) AS csat_top2_ci_high,
        coalesce(m.n_ces, 0) AS n_ces, m.ces_mean,
        m.ces_mean - t_quantile(0.975, m.n_ces - 1) * m.ces_sd / sqrt(m.n_ces) AS ces_mean_ci_low,
        m.ces_mean + t_quantile(0.975, m.n_ces - 1) * m.ces_sd / sqrt(m.n_ces) AS ces_mean_ci_high,
        m.ces_easy_share,
        core.wilson_low(m.n_ces_easy, m.n_ces) AS ces_easy_ci_low,
        core.wilson_high(m.n_ces_easy, m.n_ces) AS ces_easy_ci_high,
        coalesce(m.n_nps, 0) AS n_nps,
        100 * (m.promoter_share - m.detractor_share) AS nps,
        -- sufficient statistics, so revisits can be compared from their snapshots alone
        m.csat_sd, m.n_csat_top2, m.ces_sd, m.n_ces_easy, m.n_promoters, m.n_detractors,
        core.nps_se(m.promoter_share, m.detractor_share, m.n_nps) AS nps_se,
        m.promoter_share, m.detractor_share,
        j.min_base
    FROM core.revisits v
    CROSS JOIN core.touchpoints t
    JOIN core.stages s USING (stage_id)
    CROSS JOIN core.journey j
    LEFT JOIN measured m ON m.touchpoint_id = t.touchpoint_id AND m.revisit_id = v.revisit_id
)
SELECT
    * EXCLUDE (min_base),
    -- adjusted Wald (Rocks 2016; migration 017): plain Wald undercovers near the ends of the scale
    core.nps_adj_ci_low(n_promoters, n_detractors, n_nps) AS nps_ci_low,
    core.nps_adj_ci_high(n_promoters, n_detractors, n_nps) AS nps_ci_high,
    -- The headline is the target's metric where one is declared, else the first metric measured.
    coalesce(target_metric, CASE WHEN n_csat > 0 THEN 'csat' WHEN n_ces > 0 THEN 'ces' WHEN n_nps > 0 THEN 'nps' END)
        AS headline_metric,
    CASE headline_metric WHEN 'csat' THEN csat_top2_share WHEN 'ces' THEN ces_easy_share WHEN 'nps' THEN nps END
        AS headline_value,
    CASE headline_metric WHEN 'csat' THEN csat_top2_ci_low WHEN 'ces' THEN ces_easy_ci_low WHEN 'nps' THEN nps_ci_low END
        AS headline_ci_low,
    CASE headline_metric WHEN 'csat' THEN csat_top2_ci_high WHEN 'ces' THEN ces_easy_ci_high WHEN 'nps' THEN nps_ci_high END
        AS headline_ci_high,
    CASE headline_metric WHEN 'csat' THEN n_csat WHEN 'ces' THEN n_ces WHEN 'nps' THEN n_nps END AS n_headline,
    -- low base on the headline's own base, not on all responses of the touchpoint
    coalesce(n_headline, 0) < min_base AS is_low_base
FROM final
ORDER BY revisit_id, stage_position, touchpoint_position;

COMMENT ON TABLE marts.touchpoint_scorecard IS 'Performance per touchpoint and revisit with bases (n) and 95% intervals; scores have direction applied (higher is better). One row per touchpoint x revisit.';
COMMENT ON COLUMN marts.touchpoint_scorecard.n_responses IS 'Base: responses with at least one rated (non-N/A) answer for the touchpoint in the revisit.';
COMMENT ON COLUMN marts.touchpoint_scorecard.csat_mean IS 'Mean CSAT on its declared scale; csat_mean_ci_* is the 95% t interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.csat_top2_share IS 'Share of CSAT answers in the top two boxes of the scale (4-5 on 1-5); csat_top2_ci_* is the 95% Wilson interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.ces_mean IS 'Mean CES with direction applied (high = easy); ces_mean_ci_* is the 95% t interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.ces_easy_share IS 'Share of CES answers above the scale midpoint (5-7 on CES 2.0 1-7); ces_easy_ci_* is the 95% Wilson interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.nps IS 'Net Promoter Score, % promoters (9-10) minus % detractors (0-6), -100..100.';
COMMENT ON COLUMN marts.touchpoint_scorecard.nps_se IS 'Standard error of NPS, sqrt(((pP + pD) - (pP - pD)^2) / n) x 100 (Rocks 2016); nps_ci_* is the adjusted-Wald 95% interval (Rocks 2016: 0.75/1.5/0.75 pseudo-observations).';
COMMENT ON COLUMN marts.touchpoint_scorecard.headline_metric IS 'csat, ces or nps: the target metric if declared, else the first measured.';
COMMENT ON COLUMN marts.touchpoint_scorecard.headline_value IS 'Top-2-box share (csat), share easy (ces) or NPS (nps); compare with target_value. headline_ci_* is its 95% interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.is_low_base IS 'True when n_headline (the base of the headline metric) is below core.journey.min_base: show as low base, not as a finding.';
