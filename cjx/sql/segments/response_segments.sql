-- The segment values of each response of one revisit (through its respondent), for importance per segment value:
-- cjx.segments.priority keeps the rows of cjx.metrics.drivers.driver_frame whose response has the value.
SELECT DISTINCT r.response_id, g.segment_id, g.value AS segment_value
FROM core.responses r
JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
JOIN core.respondent_segments g ON g.respondent_id = r.respondent_id AND g.revisit_id = v.revisit_id
WHERE v.revisit_id = $revisit_id
