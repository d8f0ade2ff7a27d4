-- Importance per segment value, computed in Python (cjx.segments.priority, the journey's own driver analysis on
-- the value's respondents) and registered as segment_importance_df.
CREATE OR REPLACE TABLE marts.segment_importance AS
SELECT
    revisit_id::VARCHAR AS revisit_id, segment_id::VARCHAR AS segment_id, segment_value::VARCHAR AS segment_value,
    touchpoint_id::VARCHAR AS touchpoint_id, method::VARCHAR AS method,
    importance::DOUBLE AS importance, share::DOUBLE AS share, ci_low::DOUBLE AS ci_low, ci_high::DOUBLE AS ci_high,
    rank::INTEGER AS rank, rank_ci_low::INTEGER AS rank_ci_low, rank_ci_high::INTEGER AS rank_ci_high,
    n::BIGINT AS n, pearson_r::DOUBLE AS pearson_r, spearman_rho::DOUBLE AS spearman_rho, r2::DOUBLE AS r2,
    n_respondents::BIGINT AS n_respondents, n_resamples::INTEGER AS n_resamples,
    share_ci_low::DOUBLE AS share_ci_low, share_ci_high::DOUBLE AS share_ci_high,
    corr_repaired::BOOLEAN AS corr_repaired, n_failed_resamples::INTEGER AS n_failed_resamples,
    method_detail::VARCHAR AS method_detail, sampling_se::DOUBLE AS sampling_se, n_used::BIGINT AS n_used,
    model_note::VARCHAR AS model_note
FROM segment_importance_df
ORDER BY revisit_id, segment_id, segment_value, method, rank;

COMMENT ON TABLE marts.segment_importance IS 'Importance of each touchpoint for the outcome among one segment value''s respondents, per revisit: the journey''s key-driver analysis (lmg, rwa, bootstrap intervals) with the same guards; a value whose base does not allow it has no rows.';
COMMENT ON COLUMN marts.segment_importance.segment_id IS 'Segment key from journey.yml (core.segments).';
COMMENT ON COLUMN marts.segment_importance.segment_value IS 'The segment value whose respondents the model rests on.';
COMMENT ON COLUMN marts.segment_importance.n_respondents IS 'Outcome respondents with this segment value in the revisit.';
COMMENT ON COLUMN marts.segment_importance.share IS 'importance / r2: the touchpoint''s share of what the value''s model explains.';
COMMENT ON COLUMN marts.segment_importance.rank IS '1 = most important for this segment value; rank_ci_* is its bootstrap 95% interval.';
COMMENT ON COLUMN marts.segment_importance.share_ci_low IS 'Percentile bootstrap 95% interval of share, over each resample''s own share.';
COMMENT ON COLUMN marts.segment_importance.share_ci_high IS 'Upper bound of the percentile bootstrap 95% interval of share.';
COMMENT ON COLUMN marts.segment_importance.corr_repaired IS 'True when the value''s pairwise correlation matrix was indefinite and replaced by the nearest correlation matrix (Higham 2002), moving R2 by less than 0.02.';
COMMENT ON COLUMN marts.segment_importance.n_failed_resamples IS 'Bootstrap resamples skipped as degenerate; the interval rests on n_resamples - n_failed_resamples.';
COMMENT ON COLUMN marts.segment_importance.method_detail IS 'exact (all subsets), sampled (LMG over random orderings above 24 drivers) or complete-case (only respondents who answered every driver).';
COMMENT ON COLUMN marts.segment_importance.sampling_se IS 'Monte-Carlo standard error of a sampled LMG weight (NULL when exact).';
COMMENT ON COLUMN marts.segment_importance.n_used IS 'Respondents the value''s model rests on: all its outcome respondents (pairwise deletion) or the complete cases.';
COMMENT ON COLUMN marts.segment_importance.model_note IS 'Why the model is not the plain pairwise one, and which touchpoints were left out for this value and why (too few joint answers).';
