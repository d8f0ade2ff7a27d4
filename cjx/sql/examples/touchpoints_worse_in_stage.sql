-- Which touchpoints of a stage got significantly worse since the last revisit?
SELECT touchpoint_name, owner, metric, value_a, value_b, difference, ci_low, ci_high, q_value
FROM marts.revisit_changes
WHERE stage_name = $stage
  AND direction = 'worse'
  AND revisit_b = (SELECT revisit_id FROM marts.revisit_snapshots ORDER BY revisit_start DESC LIMIT 1)
ORDER BY difference
