"""Run history in ops.runs, and a lock so that two pipeline runs never write one database at once."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# Runs of one step alone (`cjx ingest`, `cjx reprocess`) carry the step as a prefix of their run id; a pipeline
# run's id is the Prefect flow run id (or a bare uuid when the library runs it without Prefect).
STEP_RUNS = ("ingest", "reprocess")


class RunLocked(RuntimeError):
    """Another run holds the database; the message says which and since when."""


@contextmanager
def run_lock(db_path: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold an exclusive lock beside the database for the duration of a run.

    DuckDB allows one writing process per file; a second run would fail mid-way on the file lock. This
    lock makes it wait up to `wait_seconds` and then stop before touching anything, with a clear message.
    """
    lock_path = db_path.with_name(db_path.name + ".run-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as fh:
        deadline = dt.datetime.now() + dt.timedelta(seconds=wait_seconds)
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if dt.datetime.now() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    raise RunLocked(
                        f"{db_path}: another cjx run is writing this database ({holder}); "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC")
        fh.flush()
        try:
            yield
        finally:
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, journey_version: str) -> None:
    """Record a run as running."""
    con.execute(
        "INSERT OR REPLACE INTO ops.runs (run_id, journey_version, started_at, status) VALUES (?, ?, ?, 'running')",
        [run_id, journey_version, _now()],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, files: list[dict], error: str | None = None
) -> None:
    """Record how a run ended: new files (loaded or rejected) and their rows per outcome, files skipped, and the
    sources rebuilt from raw (files with status "reprocessed"; their accounting is in ops.reprocessings)."""
    new = [f for f in files if f["status"] not in ("skipped", "reprocessed")]
    reprocessed = sorted({f["source_id"] for f in files if f["status"] == "reprocessed"}) or None
    con.execute(
        "UPDATE ops.runs SET finished_at = ?, status = ?, n_files_new = ?, n_files_skipped = ?, n_files_rejected = ?, "
        "rows_read = ?, rows_loaded = ?, rows_quarantined = ?, rows_duplicate = ?, error = ?, reprocessed = ? "
        "WHERE run_id = ?",
        [
            _now(),
            status,
            len(new),
            sum(f["status"] == "skipped" for f in files),
            sum(f["status"] == "rejected" for f in files),
            sum(f["rows_read"] for f in new),
            sum(f["rows_loaded"] for f in new),
            sum(f["rows_quarantined"] for f in new),
            sum(f["rows_duplicate"] for f in new),
            error,
            reprocessed,
            run_id,
        ],
    )


def new_run_id(step: str | None = None) -> str:
    """A fresh run id: a uuid, prefixed with the step for a run of one step alone (ingest-<uuid>)."""
    if step is not None and step not in STEP_RUNS:
        raise ValueError(f"unknown step {step!r}; one of {STEP_RUNS}")
    return f"{step}-{uuid.uuid4()}" if step else str(uuid.uuid4())


def run_step(run_id: str) -> str | None:
    """The step a run of one step alone ran (ingest, reprocess); None for a pipeline run."""
    return next((step for step in STEP_RUNS if run_id.startswith(f"{step}-")), None)


def is_nothing_new(con: duckdb.DuckDBPyConnection, files: list[dict], journey_version: str, run_id: str) -> bool:
    """No new file, and the pipeline run before this one ended well with the same journey: the marts are current.

    A run before this one that failed or never finished (killed mid-way) may have loaded files without
    rebuilding the marts, so then this run rebuilds them. So does an ingest or reprocess alone since that
    pipeline run, unless it was an ingest that completed without a new file or a rebuilt source.
    """
    if any(f["status"] != "skipped" for f in files):
        return False
    previous = con.execute(
        "SELECT run_id, status, journey_version, n_files_new, reprocessed FROM ops.runs "
        "WHERE run_id <> ? ORDER BY started_at DESC",
        [run_id],
    ).fetchall()
    for prev_id, status, version, n_files_new, reprocessed in previous:
        step = run_step(prev_id)
        if step == "ingest" and status == "completed" and n_files_new == 0 and not reprocessed:
            continue  # changed nothing: look further back
        return step is None and status in ("completed", "nothing new") and version == journey_version
    return False
