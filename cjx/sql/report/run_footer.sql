-- The run a report belongs to: the one running now (reports are written inside a run), else the latest.
SELECT run_id, started_at
FROM ops.runs
ORDER BY status = 'running' DESC, started_at DESC
LIMIT 1;
