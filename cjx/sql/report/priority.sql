-- The priority table of one revisit: marts.touchpoint_priority with the change of each touchpoint's headline
-- metric since the previous computed revisit (marts.revisit_changes, BH-adjusted), in priority order.
WITH source AS (
    SELECT * FROM marts.touchpoint_priority WHERE revisit_id = $revisit_id
), changes AS (
    SELECT touchpoint_id, metric, revisit_a, status, note, n_a, n_b, value_a, value_b, difference, ci_low, ci_high,
           q_value, is_significant, direction
    FROM marts.revisit_changes
    WHERE revisit_b = $revisit_id
), final AS (
    SELECT s.*,
           c.revisit_a AS change_from, c.metric AS change_metric, c.status AS change_status, c.note AS change_note,
           c.n_a AS change_n_from, c.value_a AS change_value_from, c.difference AS change, c.ci_low AS change_ci_low,
           c.ci_high AS change_ci_high, c.q_value AS change_q_value, c.is_significant AS change_is_significant,
           c.direction AS change_direction
    FROM source s
    LEFT JOIN changes c
      ON c.touchpoint_id = s.touchpoint_id
     AND c.metric = CASE s.headline_metric WHEN 'csat' THEN 'csat_top2' WHEN 'ces' THEN 'ces_easy' ELSE 'nps' END
)
SELECT * FROM final
ORDER BY priority_rank NULLS LAST, stage_position, touchpoint_position;
