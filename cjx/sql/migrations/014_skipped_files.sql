-- Real exports (issue 11): a file skipped because its content was loaded before is recorded per file, with the
-- file it duplicates, so an analyst can see why a dropped-in export changed nothing.
CREATE TABLE IF NOT EXISTS ops.skipped_files (
    path         VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    file_id      VARCHAR NOT NULL,
    duplicate_of VARCHAR,
    skipped_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE ops.skipped_files IS 'Files skipped as seen before: the same content (file_id, a content hash) was loaded before as duplicate_of (its path then).';
