-- Touchpoint headlines per segment value, from segment_tests_df (cjx.segments.scorecard: the counts of
-- sql/segments/segment_cells.sql with each cell's test against the rest of the segment and its BH q-value).
-- Intervals with the scorecard's macros: Wilson for shares (migration 005), adjusted Wald for NPS (017).
CREATE OR REPLACE TABLE marts.segment_scorecard AS
WITH source AS (
    SELECT
        d.revisit_id::VARCHAR AS revisit_id, d.segment_id::VARCHAR AS segment_id,
        d.segment_value::VARCHAR AS segment_value, d.touchpoint_id::VARCHAR AS touchpoint_id,
        d.headline_metric::VARCHAR AS headline_metric,
        d.n::BIGINT AS n_headline, d.n_good::BIGINT AS n_good, d.n_detractors::BIGINT AS n_detractors,
        d.n_rest::BIGINT AS n_rest, d.n_good_rest::BIGINT AS n_good_rest,
        d.n_detractors_rest::BIGINT AS n_detractors_rest,
        d.status::VARCHAR AS status, d.note::VARCHAR AS note, d.difference::DOUBLE AS difference,
        d.diff_ci_low::DOUBLE AS difference_ci_low, d.diff_ci_high::DOUBLE AS difference_ci_high,
        d.statistic::DOUBLE AS statistic, d.p_value::DOUBLE AS p_value, d.q_value::DOUBLE AS q_value,
        d.is_significant::BOOLEAN AS is_significant, d.direction::VARCHAR AS direction,
        -- the effective counts of a weighted revisit (weighted share x Kish n_eff; the counts when unweighted)
        d.is_weighted::BOOLEAN AS is_weighted, d.n_eff::DOUBLE AS n_eff_headline, d.good_eff::DOUBLE AS good_eff,
        d.detractors_eff::DOUBLE AS detractors_eff, d.n_eff_rest::DOUBLE AS n_eff_rest,
        d.good_eff_rest::DOUBLE AS good_eff_rest, d.detractors_eff_rest::DOUBLE AS detractors_eff_rest
    FROM segment_tests_df d
), final AS (
    SELECT
        s.*, g.name AS segment_name, g.kind AS segment_kind, g.position AS segment_position,
        t.touchpoint_name, t.stage_id, t.stage_name, t.stage_position, t.touchpoint_position, t.owner, t.is_critical,
        -- a weighted revisit reads the effective counts, an unweighted one the counts (the same numbers there)
        CASE WHEN s.n_headline = 0 THEN NULL
             WHEN s.is_weighted AND s.headline_metric = 'nps' THEN 100.0 * (s.good_eff - s.detractors_eff) / s.n_eff_headline
             WHEN s.is_weighted THEN s.good_eff / s.n_eff_headline
             WHEN s.headline_metric = 'nps' THEN 100.0 * (s.n_good - s.n_detractors) / s.n_headline
             ELSE s.n_good / s.n_headline END AS headline_value,
        CASE WHEN s.is_weighted AND s.headline_metric = 'nps'
                 THEN core.nps_adj_ci_low(s.good_eff, s.detractors_eff, s.n_eff_headline)
             WHEN s.is_weighted THEN core.wilson_low(s.good_eff, s.n_eff_headline)
             WHEN s.headline_metric = 'nps' THEN core.nps_adj_ci_low(s.n_good, s.n_detractors, s.n_headline)
             ELSE core.wilson_low(s.n_good, s.n_headline) END AS headline_ci_low,
        CASE WHEN s.is_weighted AND s.headline_metric = 'nps'
                 THEN core.nps_adj_ci_high(s.good_eff, s.detractors_eff, s.n_eff_headline)
             WHEN s.is_weighted THEN core.wilson_high(s.good_eff, s.n_eff_headline)
             WHEN s.headline_metric = 'nps' THEN core.nps_adj_ci_high(s.n_good, s.n_detractors, s.n_headline)
             ELSE core.wilson_high(s.n_good, s.n_headline) END AS headline_ci_high,
        CASE WHEN s.n_rest = 0 THEN NULL
             WHEN s.is_weighted AND s.headline_metric = 'nps'
                 THEN 100.0 * (s.good_eff_rest - s.detractors_eff_rest) / s.n_eff_rest
             WHEN s.is_weighted THEN s.good_eff_rest / s.n_eff_rest
             WHEN s.headline_metric = 'nps' THEN 100.0 * (s.n_good_rest - s.n_detractors_rest) / s.n_rest
             ELSE s.n_good_rest / s.n_rest END AS rest_value,
        CASE WHEN s.is_weighted THEN s.n_eff_headline < j.min_base ELSE s.n_headline < j.min_base END AS is_low_base
    FROM source s
    JOIN core.segments g USING (segment_id)
    JOIN marts.touchpoint_scorecard t USING (revisit_id, touchpoint_id)
    CROSS JOIN core.journey j
)
SELECT
    revisit_id, segment_id, segment_name, segment_kind, segment_value, stage_id, stage_name, touchpoint_id,
    touchpoint_name, owner, is_critical, headline_metric, n_headline, headline_value, headline_ci_low,
    headline_ci_high, is_low_base, n_rest, rest_value, difference, difference_ci_low, difference_ci_high, status,
    note, statistic, p_value, q_value, is_significant, direction, n_good, n_detractors, n_good_rest,
    n_detractors_rest, segment_position, stage_position, touchpoint_position, n_eff_headline, n_eff_rest, is_weighted
FROM final
ORDER BY revisit_id, segment_position, segment_value, stage_position, touchpoint_position;

COMMENT ON TABLE marts.segment_scorecard IS 'Each touchpoint''s headline per segment value and revisit, with its base and 95% interval, and the difference from the rest of the segment''s respondents (every other value) with its test; q_value = Benjamini-Hochberg across one segment''s table in one revisit; low bases flagged and not tested. One row per revisit x segment value x touchpoint.';
COMMENT ON COLUMN marts.segment_scorecard.segment_id IS 'Segment key from journey.yml (core.segments).';
COMMENT ON COLUMN marts.segment_scorecard.segment_name IS 'Segment label as declared (its id when none).';
COMMENT ON COLUMN marts.segment_scorecard.segment_kind IS 'column (survey column), customer (customers table) or derived (new_vs_repeat).';
COMMENT ON COLUMN marts.segment_scorecard.segment_value IS 'The value of the segment (core.respondent_segments.value).';
COMMENT ON COLUMN marts.segment_scorecard.headline_metric IS 'The touchpoint''s headline metric (as in marts.touchpoint_scorecard), so every value is read on the same metric.';
COMMENT ON COLUMN marts.segment_scorecard.n_headline IS 'Base: answers of this value''s respondents on the headline metric (N/A excluded).';
COMMENT ON COLUMN marts.segment_scorecard.headline_value IS 'Top-box share (csat), share easy (ces), share of yes (binary) or NPS (nps) of this value''s answers; headline_ci_* is its 95% interval (Wilson; adjusted Wald for NPS, Rocks 2016).';
COMMENT ON COLUMN marts.segment_scorecard.is_low_base IS 'n_headline below core.journey.min_base: shown as low base, not tested.';
COMMENT ON COLUMN marts.segment_scorecard.n_rest IS 'Base of the rest: answers of the segment''s respondents with any other value, same touchpoint and revisit.';
COMMENT ON COLUMN marts.segment_scorecard.rest_value IS 'Headline of the rest (every other value of the segment).';
COMMENT ON COLUMN marts.segment_scorecard.difference IS 'headline_value - rest_value (share points as a fraction, or NPS points); difference_ci_*: 95% interval (Newcombe for shares, adjusted Wald for NPS).';
COMMENT ON COLUMN marts.segment_scorecard.difference_ci_low IS 'Lower end of the 95% interval of difference.';
COMMENT ON COLUMN marts.segment_scorecard.difference_ci_high IS 'Upper end of the 95% interval of difference.';
COMMENT ON COLUMN marts.segment_scorecard.status IS 'tested, low base (this value or the rest under min_base), not testable (see note) or no answers.';
COMMENT ON COLUMN marts.segment_scorecard.note IS 'Why a cell is not tested.';
COMMENT ON COLUMN marts.segment_scorecard.statistic IS 'z of the test against the rest: two-proportion (pooled SE) for shares, adjusted-Wald for NPS.';
COMMENT ON COLUMN marts.segment_scorecard.p_value IS 'Two-sided p of the test against the rest.';
COMMENT ON COLUMN marts.segment_scorecard.q_value IS 'Benjamini-Hochberg adjusted p across every tested cell of this segment in this revisit.';
COMMENT ON COLUMN marts.segment_scorecard.is_significant IS 'q_value < 0.05: this value differs from the rest at a 5% false discovery rate.';
COMMENT ON COLUMN marts.segment_scorecard.direction IS 'better or worse than the rest when significant; no significant difference when tested; NULL when not tested.';
COMMENT ON COLUMN marts.segment_scorecard.n_good IS 'Answers in the headline box (top box, easy, yes; promoters for NPS).';
COMMENT ON COLUMN marts.segment_scorecard.n_detractors IS 'NPS detractors (0-6) among this value''s answers; 0 for other metrics.';
COMMENT ON COLUMN marts.segment_scorecard.n_good_rest IS 'n_good of the rest.';
COMMENT ON COLUMN marts.segment_scorecard.n_detractors_rest IS 'n_detractors of the rest.';
COMMENT ON COLUMN marts.segment_scorecard.n_eff_headline IS 'Kish effective base of this value''s headline answers, (sum w)^2 / sum w^2 (= n_headline unweighted); in a weighted revisit the interval, the test and low base rest on it.';
COMMENT ON COLUMN marts.segment_scorecard.n_eff_rest IS 'Kish effective base of the rest (= n_rest unweighted).';
COMMENT ON COLUMN marts.segment_scorecard.is_weighted IS 'The revisit is raked to the journey''s weighting margins: headline, rest and test weighted (n_good etc. stay counts).';
COMMENT ON COLUMN marts.segment_scorecard.segment_position IS 'Order of the segment in journey.yml.';
