-- Every scored comment with its language, for theme matching and discovery (a fixed order: NMF is deterministic).
SELECT c.source_id, c.response_id, c.column_name, c.comment, s.language
FROM core.comments c
JOIN core.comment_sentiment s USING (source_id, response_id, column_name)
ORDER BY c.source_id, c.response_id, c.column_name;
