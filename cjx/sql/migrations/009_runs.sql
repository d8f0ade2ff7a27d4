CREATE TABLE ops.runs (
    run_id           VARCHAR PRIMARY KEY,
    journey_version  VARCHAR NOT NULL,
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    status           VARCHAR NOT NULL,
    n_files_new      BIGINT,
    n_files_skipped  BIGINT,
    n_files_rejected BIGINT,
    rows_read        BIGINT,
    rows_loaded      BIGINT,
    rows_quarantined BIGINT,
    rows_duplicate   BIGINT,
    error            VARCHAR
);
COMMENT ON TABLE ops.runs IS 'Pipeline runs: when, with which journey version, what happened to files and rows, and the error if one failed.';
COMMENT ON COLUMN ops.runs.run_id IS 'The Prefect flow run id.';
COMMENT ON COLUMN ops.runs.status IS 'running, completed, nothing new (no new file and the same journey: marts kept) or failed.';
