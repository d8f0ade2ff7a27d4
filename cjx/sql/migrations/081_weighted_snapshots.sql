-- Weighted revisits (journey weighting:, migration 080) frozen with what their comparisons need: the Kish effective
-- bases and the weighted promoter and detractor shares, so cjx.metrics.revisits tests a weighted revisit on its
-- weighted estimates and effective bases (NULL in snapshots taken before; is_weighted NULL reads as unweighted).
ALTER TABLE core.revisit_snapshot_touchpoints ADD COLUMN n_eff_csat DOUBLE;
ALTER TABLE core.revisit_snapshot_touchpoints ADD COLUMN n_eff_ces DOUBLE;
ALTER TABLE core.revisit_snapshot_touchpoints ADD COLUMN n_eff_nps DOUBLE;
ALTER TABLE core.revisit_snapshot_touchpoints ADD COLUMN promoter_share DOUBLE;
ALTER TABLE core.revisit_snapshot_touchpoints ADD COLUMN detractor_share DOUBLE;
ALTER TABLE core.revisit_snapshot_touchpoints ADD COLUMN is_weighted BOOLEAN;
COMMENT ON COLUMN core.revisit_snapshot_touchpoints.n_eff_csat IS 'Kish effective base of the CSAT answers (= n_csat unweighted); n_eff_ces, n_eff_nps likewise.';
COMMENT ON COLUMN core.revisit_snapshot_touchpoints.is_weighted IS 'The revisit was raked to the journey''s weighting margins when frozen: its comparisons use the weighted estimates on the effective bases.';

CREATE OR REPLACE VIEW marts.revisit_snapshots AS
SELECT h.snapshot_id, h.start_date AS revisit_start, h.end_date AS revisit_end, h.journey_version, h.computed_at, t.*
    EXCLUDE (snapshot_id)
FROM core.revisit_snapshots h
JOIN core.revisit_snapshot_touchpoints t USING (snapshot_id, revisit_id)
WHERE h.is_current;
COMMENT ON VIEW marts.revisit_snapshots IS 'The current snapshot of every computed revisit, one row per touchpoint: what revisit comparisons use.';
