-- Importance-performance analysis (Martilla & James 1977) and priority per touchpoint and revisit.
-- performance: the headline on a 0..1 scale (shares as they are, NPS as (NPS + 100) / 200);
-- importance: LMG share of R2; crosshairs per core.journey.ipa_crosshair (mean or median over touchpoints
-- with a base, the scale midpoint 0.5, or each touchpoint's target); priority = importance x shortfall x reach.
CREATE OR REPLACE TABLE marts.touchpoint_priority AS
WITH source AS (
    SELECT
        s.revisit_id, s.stage_name, s.stage_position, s.touchpoint_id, s.touchpoint_name, s.touchpoint_position,
        s.owner, s.is_critical, s.is_low_base, s.n_headline, s.headline_metric, s.headline_value,
        s.headline_ci_low, s.headline_ci_high, s.target_value,
        CASE WHEN s.headline_metric = 'nps' THEN (s.headline_value + 100) / 200 ELSE s.headline_value END AS performance,
        CASE WHEN s.headline_metric = 'nps' THEN (s.target_value + 100) / 200 ELSE s.target_value END AS target,
        -- the share's own bootstrap percentiles (not the weight's interval divided by the full-sample R2)
        i.share AS importance, i.share_ci_low AS importance_ci_low,
        i.share_ci_high AS importance_ci_high, i.rank AS importance_rank,
        -- what the model had to do to give the importance, for the flags beside it on the pages
        i.corr_repaired, i.n_failed_resamples, i.n_resamples, i.method_detail,
        i.sampling_se / nullif(i.r2, 0) AS importance_sampling_se, i.n_used AS importance_n_used,
        r.reach, r.reach_basis,
        -- Kish effective base beside n, for the pages when the revisit is weighted (journey weighting:)
        s.n_eff_headline, s.is_weighted
    FROM marts.touchpoint_scorecard s
    LEFT JOIN marts.touchpoint_importance i
        ON i.revisit_id = s.revisit_id AND i.touchpoint_id = s.touchpoint_id AND i.method = 'lmg'
    LEFT JOIN marts.touchpoint_reach r ON r.revisit_id = s.revisit_id AND r.touchpoint_id = s.touchpoint_id
), crosshairs AS (
    SELECT
        revisit_id,
        CASE j.ipa_crosshair WHEN 'median' THEN median(importance) ELSE avg(importance) END AS importance_crosshair,
        CASE j.ipa_crosshair WHEN 'median' THEN median(performance) WHEN 'midpoint' THEN 0.5
             ELSE avg(performance) END AS performance_crosshair
    FROM source
    CROSS JOIN core.journey j
    WHERE NOT is_low_base AND importance IS NOT NULL
    GROUP BY revisit_id, j.ipa_crosshair
), placed AS (
    SELECT
        s.*, c.importance_crosshair,
        CASE WHEN j.ipa_crosshair = 'target' THEN coalesce(s.target, c.performance_crosshair)
             ELSE c.performance_crosshair END AS performance_crosshair,
        s.performance - s.target AS gap_to_target,
        s.importance * (1 - s.performance) * coalesce(s.reach, 1) AS priority_score
    FROM source s
    CROSS JOIN core.journey j
    LEFT JOIN crosshairs c USING (revisit_id)
), final AS (
    SELECT
        *,
        CASE
            WHEN importance IS NULL OR performance IS NULL THEN NULL
            WHEN importance >= importance_crosshair AND performance < performance_crosshair THEN 'Concentrate here'
            WHEN importance >= importance_crosshair THEN 'Keep up the good work'
            WHEN performance < performance_crosshair THEN 'Low priority'
            ELSE 'Possible overkill'
        END AS quadrant
    FROM placed
)
SELECT
    *,
    CASE WHEN priority_score IS NOT NULL AND NOT is_low_base
         THEN rank() OVER (PARTITION BY revisit_id, priority_score IS NULL OR is_low_base ORDER BY priority_score DESC)
    END AS priority_rank
FROM final
ORDER BY revisit_id, priority_rank NULLS LAST, stage_position, touchpoint_position;

COMMENT ON TABLE marts.touchpoint_priority IS 'Importance-performance quadrant and priority per touchpoint and revisit (Martilla & James 1977): act first on important, weak, much-reached touchpoints.';
COMMENT ON COLUMN marts.touchpoint_priority.performance IS 'Headline on 0..1: top-2-box share, share easy, or (NPS + 100) / 200.';
COMMENT ON COLUMN marts.touchpoint_priority.importance IS 'LMG share of R2 from marts.touchpoint_importance.';
COMMENT ON COLUMN marts.touchpoint_priority.quadrant IS 'Concentrate here (important, weak), Keep up the good work (important, strong), Low priority (less important, weak), Possible overkill (less important, strong).';
COMMENT ON COLUMN marts.touchpoint_priority.gap_to_target IS 'performance - target (negative: short of the service promise).';
COMMENT ON COLUMN marts.touchpoint_priority.priority_score IS 'importance x (1 - performance) x reach (reach 1 when unknown): the expected gain from lifting the touchpoint.';
COMMENT ON COLUMN marts.touchpoint_priority.priority_rank IS '1 = act here first; low-base touchpoints are not ranked.';
COMMENT ON COLUMN marts.touchpoint_priority.corr_repaired IS 'The importance rests on a repaired correlation matrix (marts.touchpoint_importance.corr_repaired).';
COMMENT ON COLUMN marts.touchpoint_priority.n_failed_resamples IS 'Bootstrap resamples of the importance skipped as degenerate (marts.touchpoint_importance.n_failed_resamples).';
COMMENT ON COLUMN marts.touchpoint_priority.n_resamples IS 'Bootstrap resamples behind the importance interval.';
COMMENT ON COLUMN marts.touchpoint_priority.method_detail IS 'exact, sampled or complete-case: how the LMG importance was computed (marts.touchpoint_importance.method_detail).';
COMMENT ON COLUMN marts.touchpoint_priority.importance_sampling_se IS 'Monte-Carlo standard error of a sampled LMG share (sampling_se / r2; NULL when exact).';
COMMENT ON COLUMN marts.touchpoint_priority.importance_n_used IS 'Respondents the importance model rests on (all outcome respondents, or the complete cases).';
