-- Comments without a sentiment row (new, or rescored after a change of text).
SELECT c.source_id, c.response_id, c.column_name, md5(c.comment) AS text_hash, c.comment
FROM core.comments c
ANTI JOIN core.comment_sentiment s USING (source_id, response_id, column_name)
WHERE trim(c.comment) <> ''
ORDER BY c.source_id, c.response_id, c.column_name;
