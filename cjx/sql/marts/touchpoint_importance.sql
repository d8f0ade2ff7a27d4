-- Derived importance per touchpoint and revisit, computed in Python (cjx.metrics.drivers) and registered as
-- importance_df: LMG (Shapley decomposition of R2) and Johnson's relative weights, with bootstrap intervals.
CREATE OR REPLACE TABLE marts.touchpoint_importance AS
SELECT
    revisit_id::VARCHAR AS revisit_id, touchpoint_id::VARCHAR AS touchpoint_id, method::VARCHAR AS method,
    importance::DOUBLE AS importance, share::DOUBLE AS share, ci_low::DOUBLE AS ci_low, ci_high::DOUBLE AS ci_high,
    rank::INTEGER AS rank, rank_ci_low::INTEGER AS rank_ci_low, rank_ci_high::INTEGER AS rank_ci_high,
    n::BIGINT AS n, pearson_r::DOUBLE AS pearson_r, spearman_rho::DOUBLE AS spearman_rho, r2::DOUBLE AS r2,
    n_respondents::BIGINT AS n_respondents, n_resamples::INTEGER AS n_resamples,
    share_ci_low::DOUBLE AS share_ci_low, share_ci_high::DOUBLE AS share_ci_high,
    corr_repaired::BOOLEAN AS corr_repaired, n_failed_resamples::INTEGER AS n_failed_resamples,
    method_detail::VARCHAR AS method_detail, sampling_se::DOUBLE AS sampling_se, n_used::BIGINT AS n_used,
    model_note::VARCHAR AS model_note
FROM importance_df
ORDER BY revisit_id, method, rank;

COMMENT ON TABLE marts.touchpoint_importance IS 'How much each touchpoint''s rating moves the outcome, per revisit: lmg (Lindeman, Merenda & Gold 1980; Shapley value of R2, from pairwise-complete correlations) and rwa (Johnson 2000 relative weights). Touchpoints under the minimum base are not estimated.';
COMMENT ON COLUMN marts.touchpoint_importance.importance IS 'Share of outcome variance (R2 units) attributed to the touchpoint; over touchpoints it sums to r2.';
COMMENT ON COLUMN marts.touchpoint_importance.share IS 'importance / r2: the touchpoint''s share of what the model explains.';
COMMENT ON COLUMN marts.touchpoint_importance.ci_low IS 'Percentile bootstrap 95% interval of importance (n_resamples resamples of respondents; Efron & Tibshirani 1993).';
COMMENT ON COLUMN marts.touchpoint_importance.rank IS '1 = most important; rank_ci_* is its bootstrap 95% interval.';
COMMENT ON COLUMN marts.touchpoint_importance.n IS 'Respondents who rated the touchpoint and answered the outcome.';
COMMENT ON COLUMN marts.touchpoint_importance.share_ci_low IS 'Percentile bootstrap 95% interval of share, over each resample''s own share (weight / that resample''s R2).';
COMMENT ON COLUMN marts.touchpoint_importance.share_ci_high IS 'Upper bound of the percentile bootstrap 95% interval of share (over the resamples'' own shares).';
COMMENT ON COLUMN marts.touchpoint_importance.corr_repaired IS 'True when the pairwise correlation matrix was indefinite and replaced by the nearest correlation matrix (Higham 2002), the repair moving R2 by less than 0.02.';
COMMENT ON COLUMN marts.touchpoint_importance.n_failed_resamples IS 'Bootstrap resamples skipped as degenerate (a touchpoint constant or missing in the resample, or an unrepairable matrix); the interval rests on n_resamples - n_failed_resamples.';
COMMENT ON COLUMN marts.touchpoint_importance.method_detail IS 'exact (all subsets), sampled (LMG over random orderings above 24 drivers; see sampling_se), complete-case (the pairwise matrix could not be repaired without moving R2, so only respondents who answered every driver are used).';
COMMENT ON COLUMN marts.touchpoint_importance.sampling_se IS 'Monte-Carlo standard error of a sampled LMG weight (NULL when exact).';
COMMENT ON COLUMN marts.touchpoint_importance.n_used IS 'Respondents the model rests on: all outcome respondents (pairwise deletion) or the complete cases.';
COMMENT ON COLUMN marts.touchpoint_importance.model_note IS 'Why the model is not the plain pairwise one, and which touchpoints were left out and why (too few joint answers).';

CREATE OR REPLACE TABLE marts.measure_effects AS
SELECT
    revisit_id::VARCHAR AS revisit_id, measure::VARCHAR AS measure, target::VARCHAR AS target,
    target_touchpoint_id::VARCHAR AS target_touchpoint_id, slope::DOUBLE AS slope,
    slope_ci_low::DOUBLE AS slope_ci_low, slope_ci_high::DOUBLE AS slope_ci_high, pearson_r::DOUBLE AS pearson_r,
    spearman_rho::DOUBLE AS spearman_rho, p_value::DOUBLE AS p_value, n::BIGINT AS n,
    slope_se::DOUBLE AS slope_se, q_value::DOUBLE AS q_value
FROM effects_df
ORDER BY revisit_id, measure, target;

COMMENT ON TABLE marts.measure_effects IS 'How much a measure (an operational event''s, e.g. delay_minutes, or one the survey file carries: core.response_measures) moves a touchpoint rating (answers attributed to the event, or of the same response) or the outcome (respondent''s mean over the revisit): OLS slope with a 95% t interval from the HC3 standard error (MacKinnon & White 1985), q_value = Benjamini-Hochberg over every measure effect of the run; marts.measure_bands has the binned view beside the slope.';
COMMENT ON COLUMN marts.measure_effects.slope_se IS 'HC3 heteroskedasticity-consistent standard error of the slope (ratings are bounded, so their spread changes with the measure); slope_ci_* = slope +/- t(n-2) x slope_se.';
COMMENT ON COLUMN marts.measure_effects.p_value IS 'Two-sided t-test of the slope with the HC3 standard error (n - 2 df).';
COMMENT ON COLUMN marts.measure_effects.q_value IS 'Benjamini-Hochberg adjusted p_value across every measure effect of the run (all revisits, measures and targets).';

CREATE OR REPLACE TABLE marts.measure_bands AS
SELECT
    revisit_id::VARCHAR AS revisit_id, measure::VARCHAR AS measure, target::VARCHAR AS target,
    target_touchpoint_id::VARCHAR AS target_touchpoint_id, band::INTEGER AS band, x_low::DOUBLE AS x_low,
    x_high::DOUBLE AS x_high, n::BIGINT AS n, mean::DOUBLE AS mean, ci_low::DOUBLE AS ci_low,
    ci_high::DOUBLE AS ci_high, difference::DOUBLE AS difference
FROM bands_df
ORDER BY revisit_id, measure, target, target_touchpoint_id, band;

COMMENT ON TABLE marts.measure_bands IS 'The effect of a measure (operational or survey-carried) per band (quartiles of the measure; fewer when values tie) beside the slope in marts.measure_effects: a threshold the slope averages away shows here.';
COMMENT ON COLUMN marts.measure_bands.target IS 'csat/ces/nps of target_touchpoint_id, or outcome.';
COMMENT ON COLUMN marts.measure_bands.difference IS 'mean - mean of band 1 (e.g. CSAT points lost from the shortest to this delay band).';
COMMENT ON COLUMN marts.measure_bands.band IS '1 = lowest quarter of the measure.';
COMMENT ON COLUMN marts.measure_bands.x_low IS 'Smallest value of the measure in the band; x_high the largest.';
COMMENT ON COLUMN marts.measure_bands.x_high IS 'Largest value of the measure in the band.';
COMMENT ON COLUMN marts.measure_bands.mean IS 'Mean score in the band; ci_low/ci_high its 95% t interval.';
COMMENT ON COLUMN marts.measure_effects.slope IS 'Change in the score per unit of the measure (e.g. CSAT points per minute of delay).';
COMMENT ON COLUMN marts.measure_effects.target IS 'csat/ces/nps of target_touchpoint_id, or outcome.';
