-- Sentiment rows whose comment is gone, whose text changed since it was scored, or that a lexicon or rule set other
-- than today's scored ($methods: every method cjx.comments.sentiment can give now): deleted before rescoring.
DELETE FROM core.comment_sentiment s
WHERE NOT list_contains($methods, s.method)
   OR NOT EXISTS (
    SELECT 1 FROM core.comments c
    WHERE c.source_id = s.source_id AND c.response_id = s.response_id AND c.column_name = s.column_name
      AND md5(c.comment) = s.text_hash
);
