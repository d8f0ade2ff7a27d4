-- Journey-level headline per revisit: relationship NPS and overall satisfaction (questions without a touchpoint).
CREATE OR REPLACE TABLE marts.revisit_headline AS
WITH source AS (
    SELECT v.revisit_id, a.source_id, a.response_id, a.metric, a.score, q.scale_max
    FROM core.answers a
    JOIN core.responses r USING (source_id, response_id)
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.revisits v ON r.responded_at >= v.start_date AND r.responded_at < v.end_date + INTERVAL 1 DAY
    WHERE a.touchpoint_id IS NULL AND NOT a.is_na AND a.metric IN ('nps', 'overall')
), renamed AS (
    SELECT
        revisit_id,
        count(*) FILTER (metric = 'nps') AS n_nps,
        avg((score >= 9)::INTEGER) FILTER (metric = 'nps') AS promoter_share,
        avg((score <= 6)::INTEGER) FILTER (metric = 'nps') AS detractor_share,
        count(*) FILTER (metric = 'overall') AS n_overall,
        avg(score) FILTER (metric = 'overall') AS overall_mean,
        avg((score >= scale_max - 1)::INTEGER) FILTER (metric = 'overall') AS overall_top2_share
    FROM source
    GROUP BY revisit_id
), final AS (
    SELECT
        v.revisit_id, v.start_date AS revisit_start, v.end_date AS revisit_end,
        coalesce(m.n_nps, 0) AS n_nps, 100 * (m.promoter_share - m.detractor_share) AS nps,
        m.promoter_share, m.detractor_share,
        coalesce(m.n_overall, 0) AS n_overall, m.overall_mean, m.overall_top2_share
    FROM core.revisits v
    LEFT JOIN renamed m USING (revisit_id)
)
SELECT * FROM final
ORDER BY revisit_start;

COMMENT ON TABLE marts.revisit_headline IS 'Journey-level NPS and overall satisfaction per revisit.';
COMMENT ON COLUMN marts.revisit_headline.nps IS 'Net Promoter Score, % promoters (9-10) minus % detractors (0-6), -100..100.';
COMMENT ON COLUMN marts.revisit_headline.overall_top2_share IS 'Share of overall-satisfaction answers in the top two boxes.';
