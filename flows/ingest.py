"""Ingest flow: every declared source's files -> raw -> core, gated by great-expectations, recorded in ops.

The work is cjx.pipeline.ingest; this adds the retries on transient failures and the ingested-files artifact.
"""

from __future__ import annotations

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from cjx import pipeline, settings
from cjx.ingest import FileResult
from cjx.pipeline import Workspace, open_workspace


def _transient(task, task_run, state) -> bool:
    """Retry only what a second try can fix: a file still being copied, a disk hiccup; not bad data or code."""
    return isinstance(state.result(raise_on_failure=False), (duckdb.IOException, OSError))


# The workspace holds the pseudonym key: never cached or hashed (NO_CACHE); a task's inputs are not recorded.
@task(retries=2, retry_delay_seconds=5, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def ingest_files(ws: Workspace) -> list[FileResult]:
    """Ingest every source's new files (one transaction per file; unchanged files are skipped), gated by GX.
    A retry is safe: files loaded by the failed try are skipped."""
    files = pipeline.ingest(ws)
    create_table_artifact(
        key="ingested-files",
        description="Files seen by this ingest run",
        table=[{k: v for k, v in f.as_dict().items() if k not in ("notes", "quarantined_by_reason")} for f in files],
    )
    return files


@flow(name="ingest", log_prints=True)
def ingest(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None) -> list[dict]:
    """Ingest all sources of `journey` into the DuckDB file `db` (a run of its own in ops.runs: ingest-<id>)."""
    ws = open_workspace(journey, db)
    run_id = f"ingest-{flow_run.id}" if flow_run.id else None
    files = pipeline.run_ingest(ws, run_id=run_id, step=ingest_files, log=get_run_logger())
    return [f.as_dict() for f in files]
