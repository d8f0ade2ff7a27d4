"""Score flow: rebuild the marts from core."""

from __future__ import annotations

from contextlib import closing

from prefect import flow, task
from prefect.artifacts import create_table_artifact

from cjx import settings
from cjx.metrics.marts import build_marts
from cjx.store import connect


@task
def build_all_marts(db: str) -> dict[str, int]:
    """Rebuild every mart in one transaction, so readers never see half of them."""
    with closing(connect(db)) as con:
        con.execute("BEGIN TRANSACTION")
        counts = build_marts(con)
        con.execute("COMMIT")
    return counts


@flow(name="score", log_prints=True)
def score(db: str | None = None) -> dict[str, int]:
    """Build marts.touchpoint_scorecard, marts.revisit_headline and marts.data_quality."""
    counts = build_all_marts(str(settings.database_path(db)))
    create_table_artifact(key="marts", table=[{"mart": k, "rows": v} for k, v in counts.items()])
    print("score: " + ", ".join(f"marts.{k} {v} rows" for k, v in counts.items()))
    return counts
