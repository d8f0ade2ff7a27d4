-- Ingestion (issue 3): partial responses flagged, batch-gate results, where rejected files went.
-- A side table, not a column of core.responses, so inserts written against the original columns keep working.
CREATE TABLE core.partial_responses (
    source_id   VARCHAR NOT NULL,
    response_id VARCHAR NOT NULL,
    PRIMARY KEY (source_id, response_id)
);
COMMENT ON TABLE core.partial_responses IS 'Responses the tool marks as unfinished (Qualtrics Finished = 0, Typeform partial): loaded like the others, flagged here.';

ALTER TABLE ops.ingest_files ADD COLUMN format VARCHAR;
ALTER TABLE ops.ingest_files ADD COLUMN rejected_to VARCHAR;
COMMENT ON COLUMN ops.ingest_files.format IS 'The format adapter that read the file (declared or detected).';
COMMENT ON COLUMN ops.ingest_files.rejected_to IS 'Where a rejected file was moved; its reason file is beside it (<name>.reason.txt).';
COMMENT ON COLUMN ops.ingest_files.rows_duplicate IS 'Rows whose response or event id was also in a later-recorded or earlier-loaded version: one row per (source, id) is kept, the latest by recorded time.';
COMMENT ON COLUMN ops.quarantine.reason IS 'wrong_field_count, not_a_response, missing_id, missing_respondent, bad_timestamp, nonexistent_local_time, ambiguous_local_time, not_a_number, unknown_label or out_of_range.';

CREATE TABLE ops.validations (
    file_id         VARCHAR NOT NULL,
    source_id       VARCHAR NOT NULL,
    suite_name      VARCHAR NOT NULL,
    expectation     VARCHAR NOT NULL,
    column_name     VARCHAR,
    success         BOOLEAN NOT NULL,
    element_count   BIGINT,
    unexpected_count BIGINT,
    unexpected_share DOUBLE,
    details         JSON,
    validated_at    TIMESTAMP NOT NULL
);
COMMENT ON TABLE ops.validations IS 'great-expectations results of the batch gate: one row per expectation per validated file (latest run).';
COMMENT ON COLUMN ops.validations.success IS 'False: the file failed this expectation and was rejected whole.';
COMMENT ON COLUMN ops.validations.unexpected_share IS 'Share of the batch''s rows that failed the expectation.';
