"""Score flow: rebuild the marts from core, then snapshot and compare the revisits (cjx.pipeline.score)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from cjx import pipeline, settings
from cjx.pipeline import ScoreResult, Workspace, open_workspace


@task(cache_policy=NO_CACHE)
def score_marts(ws: Workspace) -> ScoreResult:
    """Rebuild every mart in one transaction, then the revisit snapshots and comparisons in another."""
    # the long steps' progress (importance per revisit and resample batch) goes to the run's log, so it shows in
    # `cjx run`'s output and the Prefect UI, not only in the cjx log
    scored = pipeline.score(ws, progress=get_run_logger().info)
    create_table_artifact(key="marts", table=[{"mart": k, "rows": v} for k, v in scored.marts.items()])
    return scored


@flow(name="score", log_prints=True)
def score(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None) -> dict[str, int]:
    """Build the marts (scorecard, importance, priority, ...) and the revisit snapshots and comparisons."""
    scored = score_marts(open_workspace(journey, db))
    for line in pipeline.score_lines(scored):
        get_run_logger().info(line)
    return scored.as_dict()
