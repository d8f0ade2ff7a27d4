-- Keeps every quarantined row of the file with its raw record, so nothing is lost.
INSERT INTO ops.quarantine (file_id, source_id, row_number, reason, message, record)
SELECT $file_id, $source_id, r.row_number, r.reason, r.message, to_json(l)
FROM landed_rows r
JOIN landing l USING (row_number)
WHERE r.status = 'quarantined'
ORDER BY r.row_number;
