CREATE TABLE ops.ingest_files (
    file_id          VARCHAR PRIMARY KEY,
    source_id        VARCHAR NOT NULL,
    path             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    n_bytes          BIGINT NOT NULL,
    status           VARCHAR NOT NULL,
    reject_reason    VARCHAR,
    rows_read        BIGINT NOT NULL DEFAULT 0,
    rows_loaded      BIGINT NOT NULL DEFAULT 0,
    rows_quarantined BIGINT NOT NULL DEFAULT 0,
    rows_duplicate   BIGINT NOT NULL DEFAULT 0,
    ingested_at      TIMESTAMP NOT NULL
);
COMMENT ON TABLE ops.ingest_files IS 'One row per distinct file content seen; rows_read = rows_loaded + rows_quarantined + rows_duplicate.';
COMMENT ON COLUMN ops.ingest_files.file_id IS 'First 16 hex digits of the sha256 of the file content.';
COMMENT ON COLUMN ops.ingest_files.status IS 'loaded or rejected.';
COMMENT ON COLUMN ops.ingest_files.rows_duplicate IS 'Rows whose response or event id was already loaded (earlier file or earlier row).';

CREATE TABLE ops.quarantine (
    file_id     VARCHAR NOT NULL,
    source_id   VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,
    reason      VARCHAR NOT NULL,
    message     VARCHAR NOT NULL,
    record      JSON NOT NULL,
    PRIMARY KEY (file_id, row_number)
);
COMMENT ON TABLE ops.quarantine IS 'Input rows not loaded, with the first reason code, a message naming every problem, and the raw record.';
COMMENT ON COLUMN ops.quarantine.row_number IS '1-based data row in the file (header rows not counted).';
COMMENT ON COLUMN ops.quarantine.reason IS 'missing_id, missing_respondent, bad_timestamp, not_a_number or out_of_range.';
