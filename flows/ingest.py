"""Ingest flow: every declared source's files -> raw -> core, gated by great-expectations, recorded in ops."""

from __future__ import annotations

import os
from contextlib import closing

import duckdb
from prefect import flow, task
from prefect.artifacts import create_table_artifact

from cjx import settings
from cjx.ingest import ingest_source
from cjx.ingest.gate import BatchGate, docs_dir_for
from cjx.journey import load_journey
from cjx.store import connect
from cjx.workspace import open_workspace


@task
def prepare_database(journey: str, db: str) -> list[str]:
    """Migrate the database and sync the journey; return the source ids to ingest."""
    lj, con = open_workspace(journey, db)
    con.close()
    return [s.id for s in lj.journey.sources]


def pseudonym_key(journey: str, db: str) -> str:
    """$CJX_PSEUDONYM_KEY; else the Prefect Secret block named in settings.pseudonym_key_block; else the local key file."""
    if key := os.environ.get("CJX_PSEUDONYM_KEY"):
        return key
    block = load_journey(journey).journey.settings.pseudonym_key_block
    if block:
        from prefect.blocks.system import Secret

        return Secret.load(block).get()
    return settings.pseudonym_key(settings.database_path(db))


def _transient(task, task_run, state) -> bool:
    """Retry only what a second try can fix: a file still being copied, a disk hiccup; not bad data or code."""
    return isinstance(state.result(raise_on_failure=False), (duckdb.IOException, OSError))


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=_transient)
def ingest_source_files(journey: str, db: str, source_id: str) -> list[dict]:
    """Ingest the files of one source (one transaction per file; unchanged files are skipped), gated by GX."""
    key = pseudonym_key(journey, db)  # fetched inside the task: never a task parameter Prefect would record
    gate = BatchGate(docs_dir_for(settings.database_path(db)))
    with closing(connect(db)) as con:
        results = ingest_source(con, load_journey(journey), source_id, key, gate=gate)
    if any(r.status != "skipped" for r in results):
        gate.build_docs()
    return [r.as_dict() for r in results]


@flow(name="ingest", log_prints=True)
def ingest(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None) -> list[dict]:
    """Ingest all sources of `journey` into the DuckDB file `db`."""
    db = str(settings.database_path(db))
    files = [f for source_id in prepare_database(journey, db) for f in ingest_source_files(journey, db, source_id)]
    create_table_artifact(key="ingested-files", description="Files seen by this ingest run", table=[
        {k: v for k, v in f.items() if k not in ("notes", "quarantined_by_reason")} for f in files])
    new = [f for f in files if f["status"] != "skipped"]
    for f in files:
        if f["status"] == "rejected":
            print(f"ingest: rejected {f['reject_reason']} (moved to {f['rejected_to']})")
        for note in f["notes"]:
            print(f"ingest: {note}")
    print(f"ingest: {len(new)} new file(s), {len(files) - len(new)} unchanged file(s) skipped")
    return files
