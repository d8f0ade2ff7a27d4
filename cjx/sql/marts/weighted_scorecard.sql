-- Weighted headlines of marts.touchpoint_scorecard for the revisits raked to the journey's weighting margins
-- (core.respondent_weights, cjx.segments.weights); run by cjx.metrics.marts only when some revisit is weighted, so
-- an unweighted journey's scorecard is exactly the unweighted one. Every answer carries its respondent's weight w:
--   share = sum w [in the box] / sum w; mean = sum w x / sum w; NPS = 100 (weighted promoter - detractor share);
--   sd = sqrt(sum w (x - mean)^2 / (V1 - V2 / V1)), V1 = sum w, V2 = sum w^2 (reliability weights: the usual n - 1
--   sd when every w = 1);
--   effective base n_eff = V1^2 / V2 (Kish 1965, Survey Sampling, sec. 11.7: the design effect of unequal weights,
--   1 + cv(w)^2, is n / n_eff).
-- Intervals are the unweighted ones with n_eff in place of n (the effective-sample-size approximation: Kish 1965;
-- Korn & Graubard 1998 for shares): Wilson with k = share x n_eff, t with n_eff - 1 degrees of freedom and
-- sd / sqrt(n_eff), Rocks' adjusted Wald with promoters and detractors at their shares x n_eff. The n_* columns stay
-- counts of answers; low base is judged on n_eff_headline.
CREATE OR REPLACE TEMP TABLE weighted_scorecard AS
WITH source AS (
    SELECT coalesce(a.touchpoint_id, rv.touchpoint_id) AS touchpoint_id, rv.revisit_id, a.metric, a.score,
           q.scale_min, q.scale_max, w.weight AS w,
           100.0 * (a.score - q.scale_min) / (q.scale_max - q.scale_min) AS score_100,
           a.score >= q.scale_max - q.top_box + 1 AS is_top_box,
           a.score > (q.scale_min + q.scale_max) / 2 AS is_easy
    FROM core.answers_keyed a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.response_revisits rv ON rv.response_key = a.response_key
    JOIN core.respondent_weights w ON w.respondent_id = rv.respondent_id AND w.revisit_id = rv.revisit_id
    WHERE coalesce(a.touchpoint_id, rv.touchpoint_id) IS NOT NULL AND NOT a.is_na
), means AS (
    SELECT touchpoint_id, revisit_id, metric, sum(w) AS v1, sum(w * w) AS v2, sum(w * score) / sum(w) AS mean
    FROM source
    GROUP BY ALL
), sums AS (
    SELECT s.touchpoint_id, s.revisit_id, s.metric, m.v1, m.v2, m.v1 * m.v1 / m.v2 AS n_eff, m.mean,
           sqrt(sum(s.w * (s.score - m.mean) ^ 2) / nullif(m.v1 - m.v2 / m.v1, 0)) AS sd,
           sum(s.w * s.score_100) / m.v1 AS mean_100,
           sum(s.w) FILTER (s.is_top_box) / m.v1 AS top_share,
           sum(s.w) FILTER (s.is_easy) / m.v1 AS easy_share,
           coalesce(sum(s.w) FILTER (s.score >= 9), 0) / m.v1 AS promoter_share,
           coalesce(sum(s.w) FILTER (s.score <= 6), 0) / m.v1 AS detractor_share
    FROM source s
    JOIN means m USING (touchpoint_id, revisit_id, metric)
    GROUP BY s.touchpoint_id, s.revisit_id, s.metric, m.v1, m.v2, m.mean
), wide AS (
    SELECT touchpoint_id, revisit_id,
           any_value(n_eff) FILTER (metric = 'csat') AS n_eff_csat,
           any_value(mean) FILTER (metric = 'csat') AS csat_mean,
           any_value(sd) FILTER (metric = 'csat') AS csat_sd,
           any_value(mean_100) FILTER (metric = 'csat') AS csat_mean_100,
           coalesce(any_value(top_share) FILTER (metric = 'csat'), 0) AS csat_top2_share,
           any_value(n_eff) FILTER (metric = 'ces') AS n_eff_ces,
           any_value(mean) FILTER (metric = 'ces') AS ces_mean,
           any_value(sd) FILTER (metric = 'ces') AS ces_sd,
           any_value(mean_100) FILTER (metric = 'ces') AS ces_mean_100,
           coalesce(any_value(easy_share) FILTER (metric = 'ces'), 0) AS ces_easy_share,
           any_value(n_eff) FILTER (metric = 'binary') AS n_eff_binary,
           coalesce(any_value(top_share) FILTER (metric = 'binary'), 0) AS binary_share,
           any_value(n_eff) FILTER (metric = 'nps') AS n_eff_nps,
           any_value(promoter_share) FILTER (metric = 'nps') AS promoter_share,
           any_value(detractor_share) FILTER (metric = 'nps') AS detractor_share
    FROM sums
    GROUP BY ALL
), weighted AS (
    SELECT
        s.* REPLACE (
            -- a mean on its own scale only where the unweighted one is (every answer on one scale)
            CASE WHEN s.csat_mean IS NOT NULL THEN w.csat_mean END AS csat_mean,
            CASE WHEN s.csat_mean IS NOT NULL THEN w.csat_mean - t_quantile(0.975, w.n_eff_csat - 1) * w.csat_sd
                / sqrt(w.n_eff_csat) END AS csat_mean_ci_low,
            CASE WHEN s.csat_mean IS NOT NULL THEN w.csat_mean + t_quantile(0.975, w.n_eff_csat - 1) * w.csat_sd
                / sqrt(w.n_eff_csat) END AS csat_mean_ci_high,
            CASE WHEN s.csat_sd IS NOT NULL THEN w.csat_sd END AS csat_sd,
            CASE WHEN s.n_csat > 0 THEN w.csat_top2_share END AS csat_top2_share,
            core.wilson_low(w.csat_top2_share * w.n_eff_csat, w.n_eff_csat) AS csat_top2_ci_low,
            core.wilson_high(w.csat_top2_share * w.n_eff_csat, w.n_eff_csat) AS csat_top2_ci_high,
            w.csat_mean_100 AS csat_mean_100,
            CASE WHEN s.ces_mean IS NOT NULL THEN w.ces_mean END AS ces_mean,
            CASE WHEN s.ces_mean IS NOT NULL THEN w.ces_mean - t_quantile(0.975, w.n_eff_ces - 1) * w.ces_sd
                / sqrt(w.n_eff_ces) END AS ces_mean_ci_low,
            CASE WHEN s.ces_mean IS NOT NULL THEN w.ces_mean + t_quantile(0.975, w.n_eff_ces - 1) * w.ces_sd
                / sqrt(w.n_eff_ces) END AS ces_mean_ci_high,
            CASE WHEN s.ces_sd IS NOT NULL THEN w.ces_sd END AS ces_sd,
            CASE WHEN s.n_ces > 0 THEN w.ces_easy_share END AS ces_easy_share,
            core.wilson_low(w.ces_easy_share * w.n_eff_ces, w.n_eff_ces) AS ces_easy_ci_low,
            core.wilson_high(w.ces_easy_share * w.n_eff_ces, w.n_eff_ces) AS ces_easy_ci_high,
            w.ces_mean_100 AS ces_mean_100,
            CASE WHEN s.n_binary > 0 THEN w.binary_share END AS binary_share,
            core.wilson_low(w.binary_share * w.n_eff_binary, w.n_eff_binary) AS binary_ci_low,
            core.wilson_high(w.binary_share * w.n_eff_binary, w.n_eff_binary) AS binary_ci_high,
            100 * (w.promoter_share - w.detractor_share) AS nps,
            core.nps_se(w.promoter_share, w.detractor_share, w.n_eff_nps) AS nps_se,
            w.promoter_share AS promoter_share,
            w.detractor_share AS detractor_share,
            CASE WHEN w.n_eff_nps > 0 THEN core.nps_adj_ci_low(w.promoter_share * w.n_eff_nps,
                w.detractor_share * w.n_eff_nps, w.n_eff_nps) END AS nps_ci_low,
            CASE WHEN w.n_eff_nps > 0 THEN core.nps_adj_ci_high(w.promoter_share * w.n_eff_nps,
                w.detractor_share * w.n_eff_nps, w.n_eff_nps) END AS nps_ci_high,
            coalesce(w.n_eff_csat, 0) AS n_eff_csat,
            coalesce(w.n_eff_ces, 0) AS n_eff_ces,
            coalesce(w.n_eff_binary, 0) AS n_eff_binary,
            coalesce(w.n_eff_nps, 0) AS n_eff_nps,
            true AS is_weighted
        )
    FROM marts.touchpoint_scorecard s
    JOIN (SELECT revisit_id FROM core.weighting_revisits WHERE status = 'weighted') r USING (revisit_id)
    LEFT JOIN wide w USING (touchpoint_id, revisit_id)
)
SELECT
    * REPLACE (
        CASE headline_metric WHEN 'csat' THEN csat_top2_share WHEN 'ces' THEN ces_easy_share
                             WHEN 'binary' THEN binary_share WHEN 'nps' THEN nps END AS headline_value,
        CASE headline_metric WHEN 'csat' THEN csat_top2_ci_low WHEN 'ces' THEN ces_easy_ci_low
                             WHEN 'binary' THEN binary_ci_low WHEN 'nps' THEN nps_ci_low END AS headline_ci_low,
        CASE headline_metric WHEN 'csat' THEN csat_top2_ci_high WHEN 'ces' THEN ces_easy_ci_high
                             WHEN 'binary' THEN binary_ci_high WHEN 'nps' THEN nps_ci_high END AS headline_ci_high,
        coalesce(CASE headline_metric WHEN 'csat' THEN n_eff_csat WHEN 'ces' THEN n_eff_ces
                                      WHEN 'binary' THEN n_eff_binary WHEN 'nps' THEN n_eff_nps END, 0)
            AS n_eff_headline
    )
FROM weighted;

-- in place, so the mart keeps its column order and comments
UPDATE marts.touchpoint_scorecard s SET
    csat_mean = w.csat_mean, csat_mean_ci_low = w.csat_mean_ci_low, csat_mean_ci_high = w.csat_mean_ci_high,
    csat_sd = w.csat_sd, csat_top2_share = w.csat_top2_share, csat_top2_ci_low = w.csat_top2_ci_low,
    csat_top2_ci_high = w.csat_top2_ci_high, csat_mean_100 = w.csat_mean_100,
    ces_mean = w.ces_mean, ces_mean_ci_low = w.ces_mean_ci_low, ces_mean_ci_high = w.ces_mean_ci_high,
    ces_sd = w.ces_sd, ces_easy_share = w.ces_easy_share, ces_easy_ci_low = w.ces_easy_ci_low,
    ces_easy_ci_high = w.ces_easy_ci_high, ces_mean_100 = w.ces_mean_100,
    binary_share = w.binary_share, binary_ci_low = w.binary_ci_low, binary_ci_high = w.binary_ci_high,
    nps = w.nps, nps_se = w.nps_se, promoter_share = w.promoter_share, detractor_share = w.detractor_share,
    nps_ci_low = w.nps_ci_low, nps_ci_high = w.nps_ci_high,
    headline_value = w.headline_value, headline_ci_low = w.headline_ci_low, headline_ci_high = w.headline_ci_high,
    n_eff_csat = w.n_eff_csat, n_eff_ces = w.n_eff_ces, n_eff_binary = w.n_eff_binary, n_eff_nps = w.n_eff_nps,
    n_eff_headline = w.n_eff_headline, is_low_base = w.n_eff_headline < w.min_base, is_weighted = true
FROM (SELECT *, (SELECT min_base FROM core.journey) AS min_base FROM weighted_scorecard) w
WHERE s.touchpoint_id = w.touchpoint_id AND s.revisit_id = w.revisit_id;

DROP TABLE weighted_scorecard;
