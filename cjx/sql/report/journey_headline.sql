-- Journey-level headline per revisit with data, oldest first: relationship NPS and overall satisfaction
-- (marts.revisit_headline), and CES share easy pooled over every CES answer of the revisit
-- (marts.touchpoint_scorecard; the base counts answers, not customers).
WITH ces AS (
    SELECT revisit_id, sum(n_ces_easy) AS n_ces_easy, sum(n_ces) AS n_ces
    FROM marts.touchpoint_scorecard
    GROUP BY revisit_id
), final AS (
    SELECT h.revisit_id, h.revisit_start, h.revisit_end,
           h.nps, h.nps_se, h.nps_ci_low, h.nps_ci_high, h.n_nps,
           h.overall_top2_share, h.overall_top2_ci_low, h.overall_top2_ci_high, h.overall_mean, h.overall_scale, h.overall_box, h.n_overall,
           round(h.overall_top2_share * h.n_overall)::BIGINT AS n_overall_top2,
           c.n_ces_easy, c.n_ces,
           CASE WHEN c.n_ces > 0 THEN c.n_ces_easy / c.n_ces END AS ces_easy_share,
           core.wilson_low(c.n_ces_easy, c.n_ces) AS ces_easy_ci_low,
           core.wilson_high(c.n_ces_easy, c.n_ces) AS ces_easy_ci_high
    FROM marts.revisit_headline h
    LEFT JOIN ces c USING (revisit_id)
)
SELECT * FROM final
ORDER BY revisit_start;
