-- Journey-level headline per revisit with data, oldest first: relationship NPS and overall satisfaction
-- (marts.revisit_headline), and CES share easy pooled over every CES answer of the revisit
-- (marts.touchpoint_scorecard; the base counts answers, not customers). In a revisit raked to the journey's
-- weighting margins the CES share is the weighted one over the same answers, with Wilson on its Kish effective base
-- (as marts/weighted_scorecard.sql), and the bases' effective sizes come along (n_eff_*).
WITH ces AS (
    SELECT revisit_id, sum(n_ces_easy) AS n_ces_easy, sum(n_ces) AS n_ces
    FROM marts.touchpoint_scorecard
    GROUP BY revisit_id
), ces_weighted AS (
    SELECT rv.revisit_id,
           coalesce(sum(w.weight) FILTER (a.score > (q.scale_min + q.scale_max) / 2), 0) / sum(w.weight) AS share,
           sum(w.weight) ^ 2 / sum(w.weight * w.weight) AS n_eff
    FROM core.answers_keyed a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.response_revisits rv ON rv.response_key = a.response_key
    JOIN core.respondent_weights w ON w.respondent_id = rv.respondent_id AND w.revisit_id = rv.revisit_id
    WHERE a.metric = 'ces' AND NOT a.is_na AND coalesce(a.touchpoint_id, rv.touchpoint_id) IS NOT NULL
    GROUP BY rv.revisit_id
), final AS (
    SELECT h.revisit_id, h.revisit_start, h.revisit_end,
           h.nps, h.nps_se, h.nps_ci_low, h.nps_ci_high, h.n_nps,
           h.overall_top2_share, h.overall_top2_ci_low, h.overall_top2_ci_high, h.overall_mean, h.overall_scale, h.overall_box, h.n_overall,
           round(h.overall_top2_share * h.n_overall)::BIGINT AS n_overall_top2,
           c.n_ces_easy, c.n_ces,
           CASE WHEN h.is_weighted THEN cw.share WHEN c.n_ces > 0 THEN c.n_ces_easy / c.n_ces END AS ces_easy_share,
           CASE WHEN h.is_weighted THEN core.wilson_low(cw.share * cw.n_eff, cw.n_eff)
                ELSE core.wilson_low(c.n_ces_easy, c.n_ces) END AS ces_easy_ci_low,
           CASE WHEN h.is_weighted THEN core.wilson_high(cw.share * cw.n_eff, cw.n_eff)
                ELSE core.wilson_high(c.n_ces_easy, c.n_ces) END AS ces_easy_ci_high,
           h.is_weighted, h.n_eff_nps, h.n_eff_overall,
           CASE WHEN h.is_weighted THEN coalesce(cw.n_eff, 0) ELSE c.n_ces::DOUBLE END AS n_eff_ces
    FROM marts.revisit_headline h
    LEFT JOIN ces c USING (revisit_id)
    LEFT JOIN ces_weighted cw USING (revisit_id)
)
SELECT * FROM final
ORDER BY revisit_start;
