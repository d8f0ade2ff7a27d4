-- Weighted journey headline of marts.revisit_headline for the revisits raked to the journey's weighting margins:
-- the same estimates and intervals as marts/weighted_scorecard.sql (weighted shares and mean, Wilson and Rocks'
-- adjusted Wald on the Kish effective base n_eff = (sum w)^2 / sum w^2), in place. Run only when a revisit is weighted.
CREATE OR REPLACE TEMP TABLE weighted_headline AS
WITH source AS (
    SELECT rv.revisit_id, CASE WHEN a.metric = 'binary' THEN 'overall' ELSE a.metric END AS metric, a.score,
           a.score >= q.scale_max - q.top_box + 1 AS is_top_box, w.weight AS w
    FROM core.answers_keyed a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.response_revisits rv ON rv.response_key = a.response_key
    JOIN core.respondent_weights w ON w.respondent_id = rv.respondent_id AND w.revisit_id = rv.revisit_id
    WHERE a.touchpoint_id IS NULL AND rv.touchpoint_id IS NULL AND rv.unmapped_reason IS NULL AND NOT a.is_na
      AND (a.metric IN ('nps', 'overall') OR (a.metric = 'binary' AND q.is_outcome))
), sums AS (
    SELECT revisit_id, metric, sum(w) ^ 2 / sum(w * w) AS n_eff, sum(w * score) / sum(w) AS mean,
           coalesce(sum(w) FILTER (is_top_box), 0) / sum(w) AS top_share,
           coalesce(sum(w) FILTER (score >= 9), 0) / sum(w) AS promoter_share,
           coalesce(sum(w) FILTER (score <= 6), 0) / sum(w) AS detractor_share
    FROM source
    GROUP BY ALL
)
SELECT h.revisit_id,
       n.n_eff AS n_eff_nps, n.promoter_share, n.detractor_share,
       100 * (n.promoter_share - n.detractor_share) AS nps,
       core.nps_se(n.promoter_share, n.detractor_share, n.n_eff) AS nps_se,
       CASE WHEN n.n_eff > 0 THEN core.nps_adj_ci_low(n.promoter_share * n.n_eff, n.detractor_share * n.n_eff, n.n_eff)
           END AS nps_ci_low,
       CASE WHEN n.n_eff > 0 THEN core.nps_adj_ci_high(n.promoter_share * n.n_eff, n.detractor_share * n.n_eff, n.n_eff)
           END AS nps_ci_high,
       o.n_eff AS n_eff_overall,
       CASE WHEN h.overall_mean IS NOT NULL THEN o.mean END AS overall_mean,
       o.top_share AS overall_top2_share,
       core.wilson_low(o.top_share * o.n_eff, o.n_eff) AS overall_top2_ci_low,
       core.wilson_high(o.top_share * o.n_eff, o.n_eff) AS overall_top2_ci_high
FROM marts.revisit_headline h
JOIN core.weighting_revisits r ON r.revisit_id = h.revisit_id AND r.status = 'weighted'
LEFT JOIN sums n ON n.revisit_id = h.revisit_id AND n.metric = 'nps'
LEFT JOIN sums o ON o.revisit_id = h.revisit_id AND o.metric = 'overall';

UPDATE marts.revisit_headline h SET
    n_eff_nps = coalesce(w.n_eff_nps, 0), promoter_share = w.promoter_share, detractor_share = w.detractor_share,
    nps = w.nps, nps_se = w.nps_se, nps_ci_low = w.nps_ci_low, nps_ci_high = w.nps_ci_high,
    n_eff_overall = coalesce(w.n_eff_overall, 0), overall_mean = w.overall_mean,
    overall_top2_share = w.overall_top2_share, overall_top2_ci_low = w.overall_top2_ci_low,
    overall_top2_ci_high = w.overall_top2_ci_high, is_weighted = true
FROM weighted_headline w
WHERE h.revisit_id = w.revisit_id;

DROP TABLE weighted_headline;
