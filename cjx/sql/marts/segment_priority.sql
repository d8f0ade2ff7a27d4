-- Importance-performance and priority rank per segment value, as marts.touchpoint_priority does for the journey:
-- performance = the value's headline on 0..1 (marts.segment_scorecard; NPS as (NPS + 100) / 200), importance =
-- the value's LMG share (marts.segment_importance), reach = the journey's (marts.touchpoint_reach: not known per
-- segment), crosshairs as core.journey.ipa_crosshair over the value's touchpoints. Low-base cells and touchpoints
-- without importance get no rank.
CREATE OR REPLACE TABLE marts.segment_priority AS
WITH source AS (
    SELECT
        s.revisit_id, s.segment_id, s.segment_name, s.segment_value, s.segment_position, s.stage_name,
        s.stage_position, s.touchpoint_id, s.touchpoint_name, s.touchpoint_position, s.owner, s.is_critical,
        s.is_low_base, s.n_headline, s.headline_metric, s.headline_value, s.headline_ci_low, s.headline_ci_high,
        CASE WHEN s.headline_metric = 'nps' THEN (s.headline_value + 100) / 200 ELSE s.headline_value END AS performance,
        i.share AS importance, i.share_ci_low AS importance_ci_low, i.share_ci_high AS importance_ci_high,
        i.rank AS importance_rank, r.reach
    FROM marts.segment_scorecard s
    LEFT JOIN marts.segment_importance i
        ON i.revisit_id = s.revisit_id AND i.segment_id = s.segment_id AND i.segment_value = s.segment_value
       AND i.touchpoint_id = s.touchpoint_id AND i.method = 'lmg'
    LEFT JOIN marts.touchpoint_reach r ON r.revisit_id = s.revisit_id AND r.touchpoint_id = s.touchpoint_id
), crosshairs AS (
    SELECT
        revisit_id, segment_id, segment_value,
        CASE j.ipa_crosshair WHEN 'median' THEN median(importance) ELSE avg(importance) END AS importance_crosshair,
        CASE j.ipa_crosshair WHEN 'median' THEN median(performance) WHEN 'midpoint' THEN 0.5
             ELSE avg(performance) END AS performance_crosshair
    FROM source
    CROSS JOIN core.journey j
    WHERE NOT is_low_base AND importance IS NOT NULL
    GROUP BY revisit_id, segment_id, segment_value, j.ipa_crosshair
), placed AS (
    SELECT s.*, c.importance_crosshair, c.performance_crosshair,
           CASE WHEN NOT s.is_low_base THEN s.importance * (1 - s.performance) * coalesce(s.reach, 1) END
               AS priority_score
    FROM source s
    LEFT JOIN crosshairs c USING (revisit_id, segment_id, segment_value)
), final AS (
    SELECT *,
        CASE
            WHEN priority_score IS NULL THEN NULL
            WHEN importance >= importance_crosshair AND performance < performance_crosshair THEN 'Concentrate here'
            WHEN importance >= importance_crosshair THEN 'Keep up the good work'
            WHEN performance < performance_crosshair THEN 'Low priority'
            ELSE 'Possible overkill'
        END AS quadrant
    FROM placed
)
SELECT *,
    CASE WHEN priority_score IS NOT NULL
         THEN rank() OVER (PARTITION BY revisit_id, segment_id, segment_value, priority_score IS NULL
                           ORDER BY priority_score DESC) END AS priority_rank
FROM final
ORDER BY revisit_id, segment_position, segment_value, priority_rank NULLS LAST, stage_position, touchpoint_position;

COMMENT ON TABLE marts.segment_priority IS 'Importance-performance quadrant and priority rank of each touchpoint within one segment value and revisit (as marts.touchpoint_priority, on the value''s own headline and importance; reach is the journey''s).';
COMMENT ON COLUMN marts.segment_priority.segment_id IS 'Segment key from journey.yml (core.segments).';
COMMENT ON COLUMN marts.segment_priority.segment_name IS 'Segment label as declared (its id when none).';
COMMENT ON COLUMN marts.segment_priority.segment_value IS 'The segment value.';
COMMENT ON COLUMN marts.segment_priority.segment_position IS 'Order of the segment in journey.yml.';
COMMENT ON COLUMN marts.segment_priority.performance IS 'The value''s headline on 0..1: top-box share, share easy, or (NPS + 100) / 200.';
COMMENT ON COLUMN marts.segment_priority.importance IS 'LMG share of R2 among the value''s respondents (marts.segment_importance).';
COMMENT ON COLUMN marts.segment_priority.priority_score IS 'importance x (1 - performance) x reach (the journey''s reach; 1 when unknown); NULL for low-base cells.';
COMMENT ON COLUMN marts.segment_priority.priority_rank IS '1 = act here first for this segment value; low-base and unestimated touchpoints are not ranked.';
COMMENT ON COLUMN marts.segment_priority.quadrant IS 'Concentrate here (important, weak), Keep up the good work, Low priority, Possible overkill; crosshairs over this value''s touchpoints.';
