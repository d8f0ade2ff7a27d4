-- Which sources (survey tools) feed each touchpoint in each revisit, so a comparison can say when the mix changed.
SELECT v.revisit_id, m.touchpoint_id, list(DISTINCT a.source_id ORDER BY a.source_id) AS sources
FROM core.answers a
JOIN core.answer_touchpoints m USING (source_id, response_id, column_name)
JOIN core.responses r USING (source_id, response_id)
JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
WHERE m.touchpoint_id IS NOT NULL AND NOT a.is_na
GROUP BY ALL
