-- Where should each owner act first in the latest revisit?
SELECT owner, touchpoint_name, quadrant, priority_rank, performance, importance, reach
FROM marts.touchpoint_priority
WHERE revisit_id = (SELECT revisit_id FROM marts.revisit_snapshots ORDER BY revisit_start DESC LIMIT 1)
  AND priority_rank IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY owner ORDER BY priority_rank) = 1
ORDER BY priority_rank
