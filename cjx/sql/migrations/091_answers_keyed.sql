-- What the marts read: each answer with its column spelled out and its response as the key, so they join
-- core.response_revisits on (source_id, response_key) instead of on the response id text.
CREATE VIEW core.answers_keyed AS
SELECT a.response_key, k.source_id, k.column_name, k.metric, k.touchpoint_id, a.value, a.score, a.is_na
FROM core.answer_values a
JOIN core.answer_columns k USING (column_key);

COMMENT ON VIEW core.answers_keyed IS 'core.answers with the response as its key (core.responses.response_key) instead of its ids: what the marts join with core.response_revisits.';
