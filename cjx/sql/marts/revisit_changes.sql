-- Revisit comparisons computed in Python (cjx.metrics.revisits) from the frozen snapshots.
CREATE OR REPLACE TABLE marts.revisit_changes AS
SELECT
    revisit_a::VARCHAR AS revisit_a, revisit_b::VARCHAR AS revisit_b, touchpoint_id::VARCHAR AS touchpoint_id,
    touchpoint_name::VARCHAR AS touchpoint_name, stage_name::VARCHAR AS stage_name, owner::VARCHAR AS owner,
    is_critical::BOOLEAN AS is_critical, metric::VARCHAR AS metric, status::VARCHAR AS status, note::VARCHAR AS note,
    n_a::BIGINT AS n_a, n_b::BIGINT AS n_b, value_a::DOUBLE AS value_a, value_b::DOUBLE AS value_b,
    difference::DOUBLE AS difference, ci_low::DOUBLE AS ci_low, ci_high::DOUBLE AS ci_high,
    statistic::DOUBLE AS statistic, p_value::DOUBLE AS p_value, q_value::DOUBLE AS q_value,
    is_significant::BOOLEAN AS is_significant, direction::VARCHAR AS direction, effect_size::DOUBLE AS effect_size
FROM changes_df;
COMMENT ON TABLE marts.revisit_changes IS 'Change per touchpoint and metric between consecutive computed revisits: two-proportion z (shares), Welch t (means), Rocks z (NPS); q_value = Benjamini-Hochberg across the comparison; low bases flagged, not tested.';
COMMENT ON COLUMN marts.revisit_changes.difference IS 'value_b - value_a; ci_low/ci_high: 95% interval (Newcombe for shares, Welch t for means, normal for NPS).';
COMMENT ON COLUMN marts.revisit_changes.effect_size IS 'Cohen''s h (shares), Hedges'' g (means), NPS points / 100 (nps).';
COMMENT ON COLUMN marts.revisit_changes.status IS 'tested, low base (a base under core.journey.min_base) or not comparable (see note).';
COMMENT ON COLUMN marts.revisit_changes.is_significant IS 'q_value < 0.05 (false discovery rate controlled at 5% across the touchpoints and metrics compared).';

CREATE OR REPLACE TABLE marts.quadrant_migrations AS
SELECT
    revisit_a::VARCHAR AS revisit_a, revisit_b::VARCHAR AS revisit_b, touchpoint_id::VARCHAR AS touchpoint_id,
    touchpoint_name_b::VARCHAR AS touchpoint_name, owner_b::VARCHAR AS owner,
    quadrant_a::VARCHAR AS quadrant_a, quadrant_b::VARCHAR AS quadrant_b,
    priority_rank_a::BIGINT AS priority_rank_a, priority_rank_b::BIGINT AS priority_rank_b,
    has_moved::BOOLEAN AS has_moved
FROM migrations_df;
COMMENT ON TABLE marts.quadrant_migrations IS 'Importance-performance quadrant of each touchpoint in consecutive revisits, and whether it moved.';

CREATE OR REPLACE TABLE marts.revisit_trends AS
SELECT
    touchpoint_id::VARCHAR AS touchpoint_id, touchpoint_name::VARCHAR AS touchpoint_name, metric::VARCHAR AS metric,
    n_revisits::INTEGER AS n_revisits, first_revisit::VARCHAR AS first_revisit, last_revisit::VARCHAR AS last_revisit,
    status::VARCHAR AS status, slope::DOUBLE AS slope, slope_se::DOUBLE AS slope_se, statistic::DOUBLE AS statistic,
    p_value::DOUBLE AS p_value, q_value::DOUBLE AS q_value, direction::VARCHAR AS direction
FROM trends_df;
COMMENT ON TABLE marts.revisit_trends IS 'Trend of each touchpoint''s headline over all computed revisits: weighted least squares slope per revisit (weights 1/SE^2), z-test, Benjamini-Hochberg across touchpoints.';

CREATE OR REPLACE TABLE marts.revisit_importance_changes AS
SELECT
    revisit_a::VARCHAR AS revisit_a, revisit_b::VARCHAR AS revisit_b, touchpoint_id::VARCHAR AS touchpoint_id,
    importance_a::DOUBLE AS importance_a, importance_b::DOUBLE AS importance_b, difference::DOUBLE AS difference,
    ci_low::DOUBLE AS ci_low, ci_high::DOUBLE AS ci_high, excludes_zero::BOOLEAN AS excludes_zero,
    n_a::BIGINT AS n_a, n_b::BIGINT AS n_b
FROM importance_changes_df;
COMMENT ON TABLE marts.revisit_importance_changes IS 'Change in LMG importance from the previous to the latest revisit with a percentile-bootstrap 95% interval of the difference (independent resamples of both revisits). Not adjusted for multiplicity: an interval excluding zero is a lead, not proof.';
