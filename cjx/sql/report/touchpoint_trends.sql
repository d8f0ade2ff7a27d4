-- Each touchpoint's headline in every computed revisit up to $revisit_id, oldest first, from the frozen snapshots
-- (marts.revisit_snapshots), with its 95% interval on the 0..1 performance scale (NPS mapped (x + 100) / 200),
-- its base and its quadrant: what the trend strips draw.
WITH upto AS (
    SELECT revisit_start FROM marts.revisit_snapshots WHERE revisit_id = $revisit_id LIMIT 1
), final AS (
    SELECT s.touchpoint_id, s.revisit_id, s.revisit_start, s.headline_metric, s.n_headline, s.is_low_base,
           s.performance,
           CASE WHEN s.headline_metric = 'nps' THEN (s.headline_ci_low + 100) / 200 ELSE s.headline_ci_low END
               AS performance_ci_low,
           CASE WHEN s.headline_metric = 'nps' THEN (s.headline_ci_high + 100) / 200 ELSE s.headline_ci_high END
               AS performance_ci_high,
           s.quadrant, s.priority_rank
    FROM marts.revisit_snapshots s
    WHERE s.revisit_start <= (SELECT revisit_start FROM upto)
)
SELECT * FROM final
ORDER BY touchpoint_id, revisit_start;
