-- Touchpoints of the journey with no or too little feedback per revisit.
CREATE OR REPLACE TABLE marts.blind_spots AS
SELECT revisit_id, stage_name, touchpoint_id, touchpoint_name, owner, is_critical, n_responses,
       CASE WHEN n_responses = 0 THEN 'no feedback' ELSE 'low base' END AS blind_spot
FROM marts.touchpoint_scorecard
WHERE is_low_base
ORDER BY revisit_id, stage_position, touchpoint_position;

COMMENT ON TABLE marts.blind_spots IS 'Touchpoints with no feedback or a base below core.journey.min_base, per revisit.';
