-- Revisits as records: a snapshot freezes a revisit's scorecard so history stays reproducible when the journey
-- file changes later. A new snapshot is taken only when the data of the revisit changes (new files in its period).
CREATE TABLE core.revisit_snapshots (
    snapshot_id      VARCHAR PRIMARY KEY,
    revisit_id       VARCHAR NOT NULL,
    start_date       DATE NOT NULL,
    end_date         DATE NOT NULL,
    journey_version  VARCHAR NOT NULL,
    data_fingerprint VARCHAR NOT NULL,
    computed_at      TIMESTAMP NOT NULL,
    is_current       BOOLEAN NOT NULL
);
COMMENT ON TABLE core.revisit_snapshots IS 'One row per computed snapshot of a revisit; is_current marks the one in use.';
COMMENT ON COLUMN core.revisit_snapshots.journey_version IS 'sha256 of the journey file in force when the snapshot was computed.';
COMMENT ON COLUMN core.revisit_snapshots.data_fingerprint IS 'md5 over the files and row counts whose responses and events fall in the period.';

CREATE TABLE core.revisit_snapshot_touchpoints (
    snapshot_id VARCHAR NOT NULL, revisit_id VARCHAR NOT NULL, touchpoint_id VARCHAR NOT NULL,
    touchpoint_name VARCHAR, stage_id VARCHAR, stage_name VARCHAR, stage_position INTEGER, touchpoint_position INTEGER,
    owner VARCHAR, is_critical BOOLEAN, target_value DOUBLE, is_low_base BOOLEAN, n_responses BIGINT,
    n_csat BIGINT, csat_mean DOUBLE, csat_sd DOUBLE, n_csat_top2 BIGINT, csat_top2_share DOUBLE,
    n_ces BIGINT, ces_mean DOUBLE, ces_sd DOUBLE, n_ces_easy BIGINT, ces_easy_share DOUBLE,
    n_nps BIGINT, nps DOUBLE, nps_se DOUBLE, n_promoters BIGINT, n_detractors BIGINT,
    headline_metric VARCHAR, headline_value DOUBLE, headline_ci_low DOUBLE, headline_ci_high DOUBLE, n_headline BIGINT,
    performance DOUBLE, importance DOUBLE, importance_ci_low DOUBLE, importance_ci_high DOUBLE, importance_rank INTEGER,
    reach DOUBLE, quadrant VARCHAR, priority_score DOUBLE, priority_rank BIGINT,
    PRIMARY KEY (snapshot_id, touchpoint_id)
);
COMMENT ON TABLE core.revisit_snapshot_touchpoints IS 'Frozen scorecard rows of each snapshot: performance with sufficient statistics, importance, reach, quadrant, priority.';

CREATE VIEW marts.revisit_snapshots AS
SELECT h.snapshot_id, h.start_date AS revisit_start, h.end_date AS revisit_end, h.journey_version, h.computed_at, t.*
    EXCLUDE (snapshot_id)
FROM core.revisit_snapshots h
JOIN core.revisit_snapshot_touchpoints t USING (snapshot_id, revisit_id)
WHERE h.is_current;
COMMENT ON VIEW marts.revisit_snapshots IS 'The current snapshot of every computed revisit, one row per touchpoint: what revisit comparisons use.';
