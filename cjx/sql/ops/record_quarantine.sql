-- Keeps every quarantined row of the file with its raw record, so nothing is lost; fields beyond the
-- header (a row with too many fields) are kept in the record as _extra_fields.
INSERT INTO ops.quarantine (file_id, source_id, row_number, reason, message, record)
SELECT $file_id, $source_id, r.row_number, r.reason, r.message,
       CASE WHEN len(m.extras) > 0 THEN json_merge_patch(to_json(l), json_object('_extra_fields', m.extras))
            ELSE to_json(l) END
FROM landed_rows r
JOIN landing l USING (row_number)
LEFT JOIN malformed m USING (row_number)
WHERE r.status = 'quarantined'
ORDER BY r.row_number;
