"""Ingest flow: every declared source's files -> raw -> core, recorded in ops.ingest_files."""

from __future__ import annotations

from contextlib import closing

from prefect import flow, task
from prefect.artifacts import create_table_artifact

from cjx import settings
from cjx.ingest import ingest_source
from cjx.journey import load_journey
from cjx.store import connect
from cjx.workspace import open_workspace


@task
def prepare_database(journey: str, db: str) -> list[str]:
    """Migrate the database and sync the journey; return the source ids to ingest."""
    lj, con = open_workspace(journey, db)
    con.close()
    return [s.id for s in lj.journey.sources]


@task(retries=2, retry_delay_seconds=5)
def ingest_source_files(journey: str, db: str, source_id: str) -> list[dict]:
    """Ingest the files of one source (one transaction per file; unchanged files are skipped)."""
    with closing(connect(db)) as con:
        results = ingest_source(con, load_journey(journey), source_id, settings.pseudonym_key(settings.database_path(db)))
    return [r.as_dict() for r in results]


@flow(name="ingest", log_prints=True)
def ingest(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None) -> list[dict]:
    """Ingest all sources of `journey` into the DuckDB file `db`."""
    db = str(settings.database_path(db))
    files = [f for source_id in prepare_database(journey, db) for f in ingest_source_files(journey, db, source_id)]
    create_table_artifact(key="ingested-files", table=files, description="Files seen by this ingest run")
    new = [f for f in files if f["status"] != "skipped"]
    print(f"ingest: {len(new)} new file(s), {len(files) - len(new)} unchanged file(s) skipped")
    return files
