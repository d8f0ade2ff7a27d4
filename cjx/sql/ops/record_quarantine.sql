-- Keeps every quarantined row of landed_rows with its raw record (temp view staged_raw: file_id, row_number,
-- record struct, extras), so nothing is lost; fields beyond the header are kept in the record as _extra_fields.
INSERT INTO ops.quarantine (file_id, source_id, row_number, reason, message, record)
SELECT r.file_id, $source_id, r.row_number, r.reason, r.message,
       CASE WHEN len(w.extras) > 0 THEN json_merge_patch(to_json(w.record), json_object('_extra_fields', w.extras))
            ELSE to_json(w.record) END
FROM landed_rows r
JOIN staged_raw w USING (file_id, row_number)
WHERE r.status = 'quarantined'
ORDER BY r.file_seq, r.row_number;
