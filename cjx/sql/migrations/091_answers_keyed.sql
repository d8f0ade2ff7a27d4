-- What the marts read: each answer with its column spelled out and its response as the key, so they join
-- core.response_revisits ON response_key alone: an integer hash join, where the response id text (or even
-- source_id beside the key: 1.5 against 0.5 CPU s over 10 M answers) makes every mart's pass dearer.
CREATE VIEW core.answers_keyed AS
SELECT a.response_key, k.source_id, k.column_name, k.metric, k.touchpoint_id, a.value, a.score, a.is_na
FROM core.answer_values a
JOIN core.answer_columns k USING (column_key);

COMMENT ON VIEW core.answers_keyed IS 'core.answers with the response as its key (core.responses.response_key) instead of its ids: what the marts join with core.response_revisits.';
