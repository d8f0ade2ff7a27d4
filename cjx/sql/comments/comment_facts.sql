-- Sentiment and themes of every comment (for the verbatims: the themes each comment is about, its sentiment).
SELECT s.source_id, s.response_id, s.column_name, s.score AS sentiment, s.label AS sentiment_label,
       coalesce(list(h.theme_id ORDER BY h.theme_id) FILTER (h.theme_id IS NOT NULL), []) AS theme_ids
FROM core.comment_sentiment s
LEFT JOIN core.comment_theme_hits h USING (source_id, response_id, column_name)
GROUP BY ALL;
