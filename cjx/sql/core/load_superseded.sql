-- Overlapping exports: a response (or event) seen again with a later recorded time replaces the loaded
-- version. The old version's rows leave core, and its file now counts that row as a duplicate, so
-- rows_read = rows_loaded + rows_quarantined + rows_duplicate holds for every file and core holds
-- exactly the rows the files say they loaded.
UPDATE ops.ingest_files f
SET rows_loaded = f.rows_loaded - s.n, rows_duplicate = f.rows_duplicate + s.n
FROM (SELECT supersedes_file_id AS file_id, count(*) AS n FROM landed_rows
      WHERE supersedes_file_id IS NOT NULL GROUP BY ALL) s
WHERE f.file_id = s.file_id;

CREATE OR REPLACE TEMP TABLE superseded AS
SELECT record_id FROM landed_rows WHERE supersedes_file_id IS NOT NULL;

-- the superseded responses' keys, found once: answers, comments and attributes are stored by key (migrations 090, 092)
CREATE OR REPLACE TEMP TABLE superseded_keys AS
SELECT response_key FROM core.responses
WHERE source_id = $source_id AND response_id IN (SELECT record_id FROM superseded);

DELETE FROM core.answer_values WHERE response_key IN (SELECT response_key FROM superseded_keys);
DELETE FROM core.response_measures WHERE source_id = $source_id AND response_id IN (SELECT record_id FROM superseded);
DELETE FROM core.comment_texts WHERE response_key IN (SELECT response_key FROM superseded_keys);
DELETE FROM core.attribute_values WHERE response_key IN (SELECT response_key FROM superseded_keys);
DELETE FROM core.partial_responses WHERE source_id = $source_id AND response_id IN (SELECT record_id FROM superseded);
DELETE FROM core.responses WHERE source_id = $source_id AND response_id IN (SELECT record_id FROM superseded);
DELETE FROM core.event_measures WHERE source_id = $source_id AND event_id IN (SELECT record_id FROM superseded);
DELETE FROM core.events WHERE source_id = $source_id AND event_id IN (SELECT record_id FROM superseded);
