"""Score flow: rebuild the marts from core, then snapshot and compare the revisits."""

from __future__ import annotations

from contextlib import closing

from prefect import flow, task
from prefect.artifacts import create_table_artifact

from cjx import settings
from cjx.metrics.glossary import document_marts
from cjx.metrics.marts import build_marts
from cjx.metrics.revisits import update_revisits
from cjx.store import connect


@task
def build_all_marts(db: str) -> dict[str, int]:
    """Rebuild every mart in one transaction, so readers never see half of them."""
    with closing(connect(db)) as con:
        con.execute("BEGIN TRANSACTION")
        counts = build_marts(con)
        con.execute("COMMIT")
    return counts


@task
def update_revisit_records(db: str) -> dict[str, int]:
    """Snapshot revisits whose data changed, rebuild the comparisons and document the marts, in one transaction."""
    with closing(connect(db)) as con:
        con.execute("BEGIN TRANSACTION")
        counts = update_revisits(con)
        undocumented = document_marts(con)
        con.execute("COMMIT")
    if undocumented:
        print(f"score: columns without a description: {', '.join(undocumented)}")
    return counts


@flow(name="score", log_prints=True)
def score(db: str | None = None) -> dict[str, int]:
    """Build the marts (scorecard, importance, priority, ...) and the revisit snapshots and comparisons."""
    db = str(settings.database_path(db))
    counts = build_all_marts(db)
    revisits = update_revisit_records(db)
    create_table_artifact(key="marts", table=[{"mart": k, "rows": v} for k, v in counts.items()])
    print("score: " + ", ".join(f"marts.{k} {v} rows" for k, v in counts.items()))
    print(f"score: {revisits['snapshots_taken']} revisit snapshot(s) taken, {revisits['changes']} change row(s)")
    return {**counts, **revisits}
