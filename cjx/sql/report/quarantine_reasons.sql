-- Rows held in quarantine, counted by source and reason (every file ingested so far).
SELECT q.source_id, q.reason, count(*) AS n_rows, count(DISTINCT q.file_id) AS n_files
FROM ops.quarantine q
GROUP BY ALL
ORDER BY n_rows DESC, q.source_id, q.reason;
