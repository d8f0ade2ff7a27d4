-- The segment values of each response of one revisit (through its respondent), for importance per segment value:
-- cjx.segments.priority keeps the rows of the revisit's driver frame (cjx.metrics.drivers.driver_frames, indexed
-- by response_key) whose response has the value.
SELECT DISTINCT rv.response_key, g.segment_id, g.value AS segment_value
FROM core.response_revisits rv
JOIN core.respondent_segments g ON g.respondent_id = rv.respondent_id AND g.revisit_id = rv.revisit_id
WHERE rv.revisit_id = $revisit_id
