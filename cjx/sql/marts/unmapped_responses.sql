-- Responses that a source's mapping rule could not place on a touchpoint, by source, revisit and reason.
CREATE OR REPLACE TABLE marts.unmapped_responses AS
SELECT rt.source_id, v.revisit_id, rt.unmapped_reason, count(*) AS n_responses
FROM core.response_touchpoints rt
JOIN core.responses r USING (source_id, response_id)
LEFT JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
WHERE rt.touchpoint_id IS NULL
GROUP BY ALL
ORDER BY ALL;

COMMENT ON TABLE marts.unmapped_responses IS 'Responses no mapping rule placed on a touchpoint (kept in core, never dropped), counted by reason.';
