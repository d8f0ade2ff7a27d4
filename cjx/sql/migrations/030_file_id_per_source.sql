-- Real exports (issue 11, item 8): a file's id derives from its source and its content
-- (left(sha256(source_id || chr(0) || sha256), 16), cjx.ingest.fingerprint.file_id), so the same bytes dropped
-- for two sources are two files, each ingested. Files recorded before keep their content-only id (an opaque key
-- in raw, quarantine, validations and core lineage); the seen-before check matches on (source_id, sha256).
COMMENT ON COLUMN ops.ingest_files.file_id IS 'First 16 hex digits of sha256(source_id || chr(0) || sha256 of the content); before migration 030, of the content alone.';
COMMENT ON COLUMN ops.ingest_files.sha256 IS 'sha256 of the file content; a file whose (source_id, sha256) was loaded before is skipped (ops.skipped_files).';
COMMENT ON TABLE ops.skipped_files IS 'Files skipped as seen before: the same content was loaded before for the same source as duplicate_of (its path then); file_id is this file''s id (from its source and content).';
