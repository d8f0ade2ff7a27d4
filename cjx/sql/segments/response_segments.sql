-- The responses of one revisit with each segment value (through their respondent), for importance per segment value:
-- one row per (segment, value) with the keys of its responses (in no order), of which cjx.segments.priority keeps
-- the rows of the revisit's driver frame (cjx.metrics.drivers.driver_frames, indexed by response_key).
SELECT g.segment_id, g.value AS segment_value, list(rv.response_key) AS response_keys
FROM core.response_revisits rv
JOIN core.respondent_segments g ON g.respondent_id = rv.respondent_id AND g.revisit_id = rv.revisit_id
WHERE rv.revisit_id = $revisit_id
GROUP BY ALL
