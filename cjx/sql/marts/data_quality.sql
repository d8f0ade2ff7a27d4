-- Row accounting per ingested file: what was read, loaded, quarantined (by reason) and skipped as duplicate.
CREATE OR REPLACE TABLE marts.data_quality AS
WITH reasons AS (
    SELECT file_id, string_agg(reason || ': ' || n, ', ' ORDER BY reason) AS quarantine_reasons
    FROM (SELECT file_id, reason, count(*) AS n FROM ops.quarantine GROUP BY ALL)
    GROUP BY file_id
)
SELECT
    f.source_id, regexp_extract(f.path, '[^/\\]+$') AS file_name, f.file_id, f.status, f.reject_reason,
    f.rows_read, f.rows_loaded, f.rows_quarantined, f.rows_duplicate, r.quarantine_reasons, f.ingested_at
FROM ops.ingest_files f
LEFT JOIN reasons r USING (file_id)
ORDER BY f.source_id, file_name;

COMMENT ON TABLE marts.data_quality IS 'Per file: rows read = loaded + quarantined + duplicate, with quarantine reasons.';
