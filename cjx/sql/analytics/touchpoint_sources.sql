-- Which sources (survey tools) feed each touchpoint in each revisit, so a comparison can say when the mix changed.
-- From the scorecard's own pass over the answers (marts.touchpoint_scorecard.sources), not another one.
SELECT revisit_id, touchpoint_id, sources
FROM marts.touchpoint_scorecard
WHERE len(sources) > 0
