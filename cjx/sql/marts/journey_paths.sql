-- Observed transitions between touchpoints per customer, from operational events in time order: the real,
-- non-linear journey. A transition belongs to the revisit of the event it leaves from.
CREATE OR REPLACE TABLE marts.journey_paths AS
WITH source AS (
    SELECT e.respondent_id, e.touchpoint_id, e.occurred_at, e.event_id
    FROM core.events e
    WHERE e.touchpoint_id IS NOT NULL
), renamed AS (
    SELECT respondent_id, touchpoint_id AS from_touchpoint_id, occurred_at,
           lead(touchpoint_id) OVER (PARTITION BY respondent_id ORDER BY occurred_at, event_id) AS to_touchpoint_id
    FROM source
), final AS (
    SELECT v.revisit_id, r.from_touchpoint_id, r.to_touchpoint_id,
           count(*) AS n_transitions, count(DISTINCT r.respondent_id) AS n_customers
    FROM renamed r
    JOIN core.revisits v ON r.occurred_at >= v.start_at AND r.occurred_at < v.end_at
    WHERE r.to_touchpoint_id IS NOT NULL
    GROUP BY ALL
)
SELECT f.*,
       f.from_touchpoint_id = f.to_touchpoint_id AS is_repeat,
       (ts.position, tf.position) < (fs.position, ff.position) AS is_loop_back
FROM final f
JOIN core.touchpoints ff ON ff.touchpoint_id = f.from_touchpoint_id
JOIN core.stages fs ON fs.stage_id = ff.stage_id
JOIN core.touchpoints tf ON tf.touchpoint_id = f.to_touchpoint_id
JOIN core.stages ts ON ts.stage_id = tf.stage_id
ORDER BY f.revisit_id, f.n_transitions DESC, f.from_touchpoint_id, f.to_touchpoint_id;

COMMENT ON TABLE marts.journey_paths IS 'Transitions from one touchpoint to the next per customer (operational events in time order), counted per revisit.';
COMMENT ON COLUMN marts.journey_paths.is_repeat IS 'The customer met the same touchpoint again (e.g. a second support contact).';
COMMENT ON COLUMN marts.journey_paths.is_loop_back IS 'The next touchpoint lies earlier in the declared journey: the customer looped back.';
