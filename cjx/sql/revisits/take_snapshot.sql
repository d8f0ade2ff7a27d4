-- Freeze the revisit's current marts as a new snapshot and make it the current one.
UPDATE core.revisit_snapshots SET is_current = false WHERE revisit_id = $revisit_id;

INSERT INTO core.revisit_snapshots
SELECT $snapshot_id, v.revisit_id, v.start_date, v.end_date, j.journey_version, $fingerprint, $computed_at, true
FROM core.revisits v
CROSS JOIN core.journey j
WHERE v.revisit_id = $revisit_id;

INSERT INTO core.revisit_snapshot_touchpoints BY NAME
SELECT
    $snapshot_id AS snapshot_id, s.revisit_id, s.touchpoint_id, s.touchpoint_name, s.stage_id, s.stage_name,
    s.stage_position, s.touchpoint_position, s.owner, s.is_critical, s.target_value, s.is_low_base, s.n_responses,
    s.n_csat, s.csat_mean, s.csat_sd, s.n_csat_top2, s.csat_top2_share,
    s.n_ces, s.ces_mean, s.ces_sd, s.n_ces_easy, s.ces_easy_share,
    s.n_nps, s.nps, s.nps_se, s.n_promoters, s.n_detractors,
    s.headline_metric, s.headline_value, s.headline_ci_low, s.headline_ci_high, s.n_headline,
    p.performance, p.importance, p.importance_ci_low, p.importance_ci_high, p.importance_rank,
    p.reach, p.quadrant, p.priority_score, p.priority_rank,
    s.n_eff_csat, s.n_eff_ces, s.n_eff_nps, s.promoter_share, s.detractor_share, s.is_weighted
FROM marts.touchpoint_scorecard s
LEFT JOIN marts.touchpoint_priority p USING (revisit_id, touchpoint_id)
WHERE s.revisit_id = $revisit_id;
