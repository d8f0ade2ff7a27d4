-- Journey-level headline per revisit: relationship NPS and overall satisfaction (answers with no touchpoint),
-- with bases and 95% intervals (Rocks 2016 for NPS, Wilson for the top-box share). Overall satisfaction is the
-- journey-level 'overall' question, or a binary outcome question (satisfied yes/no): its top box is the
-- question's top_box (one point on a 0-1 or two-point scale, so the share is never "every answer"). Its mean is
-- on its own scale only when every answer shares one; an interval is NULL wherever its estimate is.
CREATE OR REPLACE TABLE marts.revisit_headline AS
WITH source AS (
    SELECT rv.revisit_id, CASE WHEN a.metric = 'binary' THEN 'overall' ELSE a.metric END AS metric, a.score,
           q.scale_max, q.top_box, a.score >= q.scale_max - q.top_box + 1 AS is_top_box, q.scale_min || '-' || q.scale_max AS scale,
           CASE WHEN q.top_box = 1 THEN q.scale_max::VARCHAR ELSE (q.scale_max - q.top_box + 1) || '-' || q.scale_max END
               || ' on ' || q.scale_min || '-' || q.scale_max AS box
    FROM core.answers_keyed a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.response_revisits rv ON rv.response_key = a.response_key
    -- journey-level: no touchpoint of its own, and its response is not one a mapping rule failed to place
    WHERE a.touchpoint_id IS NULL AND rv.touchpoint_id IS NULL AND rv.unmapped_reason IS NULL AND NOT a.is_na
      AND (a.metric IN ('nps', 'overall') OR (a.metric = 'binary' AND q.is_outcome))
), renamed AS (
    SELECT
        revisit_id,
        count(*) FILTER (metric = 'nps') AS n_nps,
        count(*) FILTER (metric = 'nps' AND score >= 9) AS n_promoters,
        count(*) FILTER (metric = 'nps' AND score <= 6) AS n_detractors,
        count(*) FILTER (metric = 'nps' AND score >= 9) / nullif(count(*) FILTER (metric = 'nps'), 0) AS promoter_share,
        count(*) FILTER (metric = 'nps' AND score <= 6) / nullif(count(*) FILTER (metric = 'nps'), 0) AS detractor_share,
        count(*) FILTER (metric = 'overall') AS n_overall,
        CASE WHEN count(DISTINCT scale) FILTER (metric = 'overall') = 1 THEN avg(score) FILTER (metric = 'overall') END
            AS overall_mean,
        string_agg(DISTINCT scale, ', ' ORDER BY scale) FILTER (metric = 'overall') AS overall_scale,
        string_agg(DISTINCT box, ', ' ORDER BY box) FILTER (metric = 'overall') AS overall_box,
        count(*) FILTER (metric = 'overall' AND is_top_box) AS n_overall_top2
    FROM source
    GROUP BY revisit_id
), final AS (
    SELECT
        v.revisit_id, v.start_date AS revisit_start, v.end_date AS revisit_end,
        coalesce(m.n_nps, 0) AS n_nps, 100 * (m.promoter_share - m.detractor_share) AS nps,
        core.nps_se(m.promoter_share, m.detractor_share, m.n_nps) AS nps_se,
        m.promoter_share, m.detractor_share, m.n_promoters, m.n_detractors,
        coalesce(m.n_overall, 0) AS n_overall, m.overall_mean, m.overall_scale, m.overall_box,
        m.n_overall_top2 / nullif(m.n_overall, 0) AS overall_top2_share,
        core.wilson_low(m.n_overall_top2, m.n_overall) AS overall_top2_ci_low,
        core.wilson_high(m.n_overall_top2, m.n_overall) AS overall_top2_ci_high
    FROM core.revisits v
    LEFT JOIN renamed m USING (revisit_id)
)
SELECT
    *,
    -- the adjusted-Wald interval of the touchpoint scorecard (Rocks 2016); NULL where there is no NPS
    CASE WHEN nps IS NOT NULL THEN core.nps_adj_ci_low(n_promoters, n_detractors, n_nps) END AS nps_ci_low,
    CASE WHEN nps IS NOT NULL THEN core.nps_adj_ci_high(n_promoters, n_detractors, n_nps) END AS nps_ci_high,
    -- Kish effective bases: the counts here; a weighted revisit's are set by marts/weighted_headline.sql
    n_nps::DOUBLE AS n_eff_nps, n_overall::DOUBLE AS n_eff_overall, false AS is_weighted
FROM final
ORDER BY revisit_start;

COMMENT ON TABLE marts.revisit_headline IS 'Journey-level NPS and overall satisfaction per revisit, with bases and 95% intervals.';
COMMENT ON COLUMN marts.revisit_headline.nps IS 'Net Promoter Score, % promoters (9-10) minus % detractors (0-6), -100..100.';
COMMENT ON COLUMN marts.revisit_headline.nps_se IS 'Standard error of NPS x 100 (Rocks 2016); nps_ci_* is the adjusted-Wald 95% interval (Rocks 2016: 0.75/1.5/0.75 pseudo-observations), NULL without NPS.';
COMMENT ON COLUMN marts.revisit_headline.overall_top2_share IS 'Share of overall-satisfaction answers in the top box of their scale (4-5 on 1-5, 1 on a 0-1 or yes/no outcome; core.questions.top_box); overall_top2_ci_* is the Wilson interval.';
COMMENT ON COLUMN marts.revisit_headline.overall_box IS 'Which answers count as satisfied, per scale (4-5 on 1-5, 1 on 0-1).';
COMMENT ON COLUMN marts.revisit_headline.overall_scale IS 'Scale(s) of the overall-satisfaction answers (1-5; several, comma-separated, when sources differ).';
COMMENT ON COLUMN marts.revisit_headline.overall_mean IS 'Mean overall satisfaction on its scale (overall_scale); NULL when answers come from more than one scale';
COMMENT ON COLUMN marts.revisit_headline.n_eff_nps IS 'Kish effective base of the NPS, (sum w)^2 / sum w^2; equals n_nps unweighted (n_eff_overall likewise for overall satisfaction).';
COMMENT ON COLUMN marts.revisit_headline.is_weighted IS 'True when the revisit is raked to the journey''s weighting margins: NPS, overall satisfaction and their intervals are weighted (intervals on the effective base).';
