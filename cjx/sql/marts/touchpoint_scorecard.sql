-- Performance per touchpoint and revisit with bases and 95% intervals: one row for every touchpoint of the
-- journey in every revisit, including touchpoints with no feedback (n = 0), so blind spots stay visible.
-- Intervals: Wilson for shares, t for means (t_quantile is registered by cjx.metrics.marts), Rocks (2016) for NPS.
-- Headlines hold on every scale: the satisfied box is the question's top_box points (core.questions.top_box: by
-- scale length unless declared), a binary question's headline is its share of yes (1), and a mean is given on its
-- own scale only when every answer shares one scale (else NULL, with the 0-100 mean beside it): never pooled.
-- An interval is NULL wherever its estimate is.
CREATE OR REPLACE TABLE marts.touchpoint_scorecard AS
WITH source AS (
    -- one pass: each answer joined once with its response's revisit and mapping (core.response_revisits)
    SELECT coalesce(a.touchpoint_id, rv.touchpoint_id) AS touchpoint_id, rv.revisit_id, a.source_id, a.column_name,
           a.response_key, a.metric, a.score
    FROM core.answers_keyed a
    JOIN core.response_revisits rv ON rv.response_key = a.response_key
    WHERE coalesce(a.touchpoint_id, rv.touchpoint_id) IS NOT NULL AND NOT a.is_na
), cells AS (
    -- ... down to one row per touchpoint, revisit, question and score value: what every statistic below needs
    SELECT touchpoint_id, revisit_id, source_id, column_name, metric, score, count(*) AS n
    FROM source
    GROUP BY ALL
), scored AS (
    -- question facts once per cell, not per answer
    SELECT c.*, q.scale_min, q.scale_max, q.top_box,
           100.0 * (c.score - q.scale_min) / (q.scale_max - q.scale_min) AS score_100,
           c.score >= q.scale_max - q.top_box + 1 AS is_top_box,
           q.scale_min || '-' || q.scale_max AS scale,
           CASE WHEN q.top_box = 1 THEN q.scale_max::VARCHAR ELSE (q.scale_max - q.top_box + 1) || '-' || q.scale_max END
               || ' on ' || q.scale_min || '-' || q.scale_max AS box,
           -- the group mean of the metric, for the standard deviation about it (two passes over the cells)
           sum(c.n * c.score) OVER w / sum(c.n) OVER w AS group_mean
    FROM cells c
    JOIN core.questions q USING (source_id, column_name)
    WINDOW w AS (PARTITION BY c.touchpoint_id, c.revisit_id, c.metric)
), ambiguous AS (
    -- a response answers each question once, so with one question per source, touchpoint and revisit its answers
    -- are its responses; only where two or more questions feed one touchpoint are responses counted distinct
    SELECT touchpoint_id, revisit_id, source_id FROM cells GROUP BY ALL HAVING count(DISTINCT column_name) > 1
), distinct_responses AS (
    SELECT touchpoint_id, revisit_id, source_id, count(DISTINCT response_key) AS n_responses
    FROM source
    JOIN ambiguous USING (touchpoint_id, revisit_id, source_id)
    GROUP BY ALL
), responses AS (
    SELECT touchpoint_id, revisit_id,
           sum(coalesce(d.n_responses, c.n_answers))::BIGINT AS n_responses,
           list(source_id ORDER BY source_id) AS sources
    FROM (SELECT touchpoint_id, revisit_id, source_id, sum(n) AS n_answers FROM cells GROUP BY ALL) c
    LEFT JOIN distinct_responses d USING (touchpoint_id, revisit_id, source_id)
    GROUP BY ALL
), renamed AS (
    SELECT
        touchpoint_id, revisit_id,
        any_value(r.n_responses) AS n_responses,
        any_value(r.sources) AS sources,
        coalesce(sum(n) FILTER (metric = 'csat'), 0)::BIGINT AS n_csat,
        count(DISTINCT scale) FILTER (metric = 'csat') AS n_csat_scales,
        sum(n * score) FILTER (metric = 'csat') / sum(n) FILTER (metric = 'csat') AS csat_pooled_mean,
        sqrt(sum(n * (score - group_mean) ^ 2) FILTER (metric = 'csat') / nullif(sum(n) FILTER (metric = 'csat') - 1, 0))
            AS csat_pooled_sd,
        sum(n * score_100) FILTER (metric = 'csat') / sum(n) FILTER (metric = 'csat') AS csat_mean_100,
        string_agg(DISTINCT scale, ', ' ORDER BY scale) FILTER (metric = 'csat') AS csat_scale,
        string_agg(DISTINCT box, ', ' ORDER BY box)
            FILTER (metric = 'csat') AS csat_box,
        coalesce(sum(n) FILTER (metric = 'csat' AND is_top_box), 0)::BIGINT AS n_csat_top2,
        coalesce(sum(n) FILTER (metric = 'ces'), 0)::BIGINT AS n_ces,
        count(DISTINCT scale) FILTER (metric = 'ces') AS n_ces_scales,
        sum(n * score) FILTER (metric = 'ces') / sum(n) FILTER (metric = 'ces') AS ces_pooled_mean,
        sqrt(sum(n * (score - group_mean) ^ 2) FILTER (metric = 'ces') / nullif(sum(n) FILTER (metric = 'ces') - 1, 0))
            AS ces_pooled_sd,
        sum(n * score_100) FILTER (metric = 'ces') / sum(n) FILTER (metric = 'ces') AS ces_mean_100,
        string_agg(DISTINCT scale, ', ' ORDER BY scale) FILTER (metric = 'ces') AS ces_scale,
        coalesce(sum(n) FILTER (metric = 'ces' AND score > (scale_min + scale_max) / 2), 0)::BIGINT AS n_ces_easy,
        coalesce(sum(n) FILTER (metric = 'binary'), 0)::BIGINT AS n_binary,
        coalesce(sum(n) FILTER (metric = 'binary' AND is_top_box), 0)::BIGINT AS n_binary_yes,
        coalesce(sum(n) FILTER (metric = 'nps'), 0)::BIGINT AS n_nps,
        coalesce(sum(n) FILTER (metric = 'nps' AND score >= 9), 0)::BIGINT AS n_promoters,
        coalesce(sum(n) FILTER (metric = 'nps' AND score <= 6), 0)::BIGINT AS n_detractors
    FROM scored
    JOIN responses r USING (touchpoint_id, revisit_id)
    GROUP BY touchpoint_id, revisit_id
), measured AS (
    SELECT
        *,
        CASE WHEN n_csat_scales = 1 THEN csat_pooled_mean END AS csat_mean,
        CASE WHEN n_csat_scales = 1 THEN csat_pooled_sd END AS csat_sd,
        CASE WHEN n_ces_scales = 1 THEN ces_pooled_mean END AS ces_mean,
        CASE WHEN n_ces_scales = 1 THEN ces_pooled_sd END AS ces_sd,
        n_binary_yes / nullif(n_binary, 0) AS binary_share,
        n_csat_top2 / nullif(n_csat, 0) AS csat_top2_share,
        n_ces_easy / nullif(n_ces, 0) AS ces_easy_share,
        n_promoters / nullif(n_nps, 0) AS promoter_share,
        n_detractors / nullif(n_nps, 0) AS detractor_share
    FROM renamed
), final AS (
    SELECT
        v.revisit_id, v.start_date AS revisit_start, v.end_date AS revisit_end,
        s.stage_id, s.name AS stage_name, s.position AS stage_position,
        t.touchpoint_id, t.name AS touchpoint_name, t.position AS touchpoint_position, t.owner, t.is_critical,
        t.target_metric, t.target_value,
        coalesce(m.n_responses, 0) AS n_responses,
        coalesce(m.n_csat, 0) AS n_csat, m.csat_mean,
        m.csat_mean - t_quantile(0.975, m.n_csat - 1) * m.csat_sd / sqrt(m.n_csat) AS csat_mean_ci_low,
        m.csat_mean + t_quantile(0.975, m.n_csat - 1) * m.csat_sd / sqrt(m.n_csat) AS csat_mean_ci_high,
        m.csat_top2_share,
        core.wilson_low(m.n_csat_top2, m.n_csat) AS csat_top2_ci_low,
        core.wilson_high(m.n_csat_top2, m.n_csat) AS csat_top2_ci_high,
        coalesce(m.n_ces, 0) AS n_ces, m.ces_mean,
        m.ces_mean - t_quantile(0.975, m.n_ces - 1) * m.ces_sd / sqrt(m.n_ces) AS ces_mean_ci_low,
        m.ces_mean + t_quantile(0.975, m.n_ces - 1) * m.ces_sd / sqrt(m.n_ces) AS ces_mean_ci_high,
        m.ces_easy_share,
        core.wilson_low(m.n_ces_easy, m.n_ces) AS ces_easy_ci_low,
        core.wilson_high(m.n_ces_easy, m.n_ces) AS ces_easy_ci_high,
        m.csat_mean_100, m.csat_scale, m.csat_box, m.ces_mean_100, m.ces_scale,
        coalesce(m.n_binary, 0) AS n_binary, m.n_binary_yes, m.binary_share,
        core.wilson_low(m.n_binary_yes, m.n_binary) AS binary_ci_low,
        core.wilson_high(m.n_binary_yes, m.n_binary) AS binary_ci_high,
        coalesce(m.n_nps, 0) AS n_nps,
        100 * (m.promoter_share - m.detractor_share) AS nps,
        -- sufficient statistics, so revisits can be compared from their snapshots alone
        m.csat_sd, m.n_csat_top2, m.ces_sd, m.n_ces_easy, m.n_promoters, m.n_detractors,
        core.nps_se(m.promoter_share, m.detractor_share, m.n_nps) AS nps_se,
        m.promoter_share, m.detractor_share,
        m.sources,
        j.min_base
    FROM core.revisits v
    CROSS JOIN core.touchpoints t
    JOIN core.stages s USING (stage_id)
    CROSS JOIN core.journey j
    LEFT JOIN measured m ON m.touchpoint_id = t.touchpoint_id AND m.revisit_id = v.revisit_id
)
SELECT
    * EXCLUDE (min_base),
    -- adjusted Wald (Rocks 2016; migration 017): plain Wald undercovers near the ends of the scale; NULL without NPS
    CASE WHEN nps IS NOT NULL THEN core.nps_adj_ci_low(n_promoters, n_detractors, n_nps) END AS nps_ci_low,
    CASE WHEN nps IS NOT NULL THEN core.nps_adj_ci_high(n_promoters, n_detractors, n_nps) END AS nps_ci_high,
    -- The headline is the target's metric where one is declared, else the first metric measured.
    coalesce(target_metric, CASE WHEN n_csat > 0 THEN 'csat' WHEN n_ces > 0 THEN 'ces' WHEN n_binary > 0 THEN 'binary'
                                 WHEN n_nps > 0 THEN 'nps' END) AS headline_metric,
    CASE headline_metric WHEN 'csat' THEN csat_top2_share WHEN 'ces' THEN ces_easy_share WHEN 'binary' THEN binary_share
                         WHEN 'nps' THEN nps END AS headline_value,
    CASE headline_metric WHEN 'csat' THEN csat_top2_ci_low WHEN 'ces' THEN ces_easy_ci_low WHEN 'binary' THEN binary_ci_low
                         WHEN 'nps' THEN nps_ci_low END AS headline_ci_low,
    CASE headline_metric WHEN 'csat' THEN csat_top2_ci_high WHEN 'ces' THEN ces_easy_ci_high
                         WHEN 'binary' THEN binary_ci_high WHEN 'nps' THEN nps_ci_high END AS headline_ci_high,
    CASE headline_metric WHEN 'csat' THEN n_csat WHEN 'ces' THEN n_ces WHEN 'binary' THEN n_binary WHEN 'nps' THEN n_nps END
        AS n_headline,
    -- low base on the headline's own base, not on all responses of the touchpoint
    coalesce(n_headline, 0) < min_base AS is_low_base,
    -- Kish effective bases: the counts themselves here; a weighted revisit's are set by marts/weighted_scorecard.sql
    n_csat::DOUBLE AS n_eff_csat, n_ces::DOUBLE AS n_eff_ces, n_binary::DOUBLE AS n_eff_binary,
    n_nps::DOUBLE AS n_eff_nps, n_headline::DOUBLE AS n_eff_headline, false AS is_weighted
FROM final
ORDER BY revisit_id, stage_position, touchpoint_position;

COMMENT ON TABLE marts.touchpoint_scorecard IS 'Performance per touchpoint and revisit with bases (n) and 95% intervals; scores have direction applied (higher is better). One row per touchpoint x revisit.';
COMMENT ON COLUMN marts.touchpoint_scorecard.n_responses IS 'Base: responses with at least one rated (non-N/A) answer for the touchpoint in the revisit.';
COMMENT ON COLUMN marts.touchpoint_scorecard.csat_mean IS 'Mean CSAT on its declared scale (csat_scale); NULL when the answers come from more than one scale (see csat_mean_100); csat_mean_ci_* is the 95% t interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.csat_top2_share IS 'Share of CSAT answers in the top box of their scale (csat_box: 4-5 on 1-5, 6-7 on 1-7, 8-10 on 1-10, 1 on 0-1, or as declared by top_box); csat_top2_ci_* is the 95% Wilson interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.ces_mean IS 'Mean CES with direction applied (high = easy) on its declared scale (ces_scale); NULL when the answers come from more than one scale (see ces_mean_100); ces_mean_ci_* is the 95% t interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.csat_mean_100 IS 'Mean CSAT on the common 0-100 scale ((score - min) / (max - min) x 100), valid across scales.';
COMMENT ON COLUMN marts.touchpoint_scorecard.ces_mean_100 IS 'Mean CES on the common 0-100 scale ((score - min) / (max - min) x 100), valid across scales.';
COMMENT ON COLUMN marts.touchpoint_scorecard.csat_scale IS 'Scale(s) of the CSAT answers (1-5; several, comma-separated, when sources differ).';
COMMENT ON COLUMN marts.touchpoint_scorecard.ces_scale IS 'Scale(s) of the CES answers (1-7; several, comma-separated, when sources differ).';
COMMENT ON COLUMN marts.touchpoint_scorecard.csat_box IS 'Which answers count as satisfied, per scale (4-5 on 1-5).';
COMMENT ON COLUMN marts.touchpoint_scorecard.n_binary IS 'Base: answers to binary (yes/no) questions of the touchpoint (N/A excluded).';
COMMENT ON COLUMN marts.touchpoint_scorecard.n_binary_yes IS 'Binary answers that are yes (1).';
COMMENT ON COLUMN marts.touchpoint_scorecard.binary_share IS 'Share of yes among binary answers; binary_ci_* is the 95% Wilson interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.binary_ci_low IS 'Lower end of the 95% Wilson interval of binary_share.';
COMMENT ON COLUMN marts.touchpoint_scorecard.binary_ci_high IS 'Upper end of the 95% Wilson interval of binary_share.';
COMMENT ON COLUMN marts.touchpoint_scorecard.ces_easy_share IS 'Share of CES answers above the scale midpoint (5-7 on CES 2.0 1-7); ces_easy_ci_* is the 95% Wilson interval.';
COMMENT ON COLUMN marts.touchpoint_scorecard.nps IS 'Net Promoter Score, % promoters (9-10) minus % detractors (0-6), -100..100.';
COMMENT ON COLUMN marts.touchpoint_scorecard.nps_se IS 'Standard error of NPS, sqrt(((pP + pD) - (pP - pD)^2) / n) x 100 (Rocks 2016); nps_ci_* is the adjusted-Wald 95% interval (Rocks 2016: 0.75/1.5/0.75 pseudo-observations), NULL without NPS.';
COMMENT ON COLUMN marts.touchpoint_scorecard.headline_metric IS 'csat, ces, binary or nps: the target metric if declared, else the first measured.';
COMMENT ON COLUMN marts.touchpoint_scorecard.headline_value IS 'Top-box share (csat), share easy (ces), share of yes (binary) or NPS (nps); compare with target_value. headline_ci_* is its 95% interval (NULL when the value is).';
COMMENT ON COLUMN marts.touchpoint_scorecard.is_low_base IS 'True when n_headline (the base of the headline metric) is below core.journey.min_base: show as low base, not as a finding.';
COMMENT ON COLUMN marts.touchpoint_scorecard.n_eff_headline IS 'Kish effective base of the headline, (sum w)^2 / sum w^2 over its answers'' weights; equals n_headline unweighted. Low base and the intervals rest on it when is_weighted.';
COMMENT ON COLUMN marts.touchpoint_scorecard.is_weighted IS 'True when the revisit is raked to the journey''s weighting margins (core.weighting_revisits): shares, means, NPS and their intervals are weighted, the n_* columns stay counts of answers.';
COMMENT ON COLUMN marts.touchpoint_scorecard.sources IS 'Sources (survey tools) with a rated answer for the touchpoint in the revisit, sorted; a comparison notes when they differ between revisits.';
