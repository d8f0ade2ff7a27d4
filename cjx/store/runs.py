"""Run history in ops.runs, and a lock so that two pipeline runs never write one database at once."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
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


class DatabaseHeld(RunLocked):
    """A process that is not a cjx run (a notebook, a query, a DuckDB CLI) holds the working database open."""


# Statuses a run can end with. "completed with warnings": everything ran, but something the analyst should know
# (a source or the outcome without data for the latest revisit); "killed": found unfinished by a later run.
ENDED_WELL = ("completed", "completed with warnings", "nothing new")


def open_working_database(db_path: Path, wait_seconds: float = 0) -> duckdb.DuckDBPyConnection:
    """Open the working database for writing. If another process holds the file (DuckDB's own file lock), wait up
    to `wait_seconds`, then raise DatabaseHeld naming the holder's pid."""
    from cjx.store.db import connect

    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return connect(db_path)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                found = re.search(r"held in (.*?) \(PID (\d+)\)", str(exc))
                holder = f"pid {found[2]}, {Path(found[1]).name}" if found else "another process"
                raise DatabaseHeld(
                    f"{db_path}: the working database is held open by {holder}; readers should open the "
                    f"published copy instead (waited {wait_seconds:g} s; CJX_LOCK_WAIT=<seconds> to wait longer)"
                ) from None
            time.sleep(0.5)


def _pending_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".pending-runs")


def record_pending_failure(db_path: Path, run_id: str, journey_version: str, error: str) -> None:
    """A run that could not open the database cannot write ops.runs: keep its record beside the database for the
    next run to insert (flush_pending_runs)."""
    now = _now().isoformat()
    line = {"run_id": run_id, "journey_version": journey_version, "at": now, "error": error}
    with _pending_path(db_path).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
    journal_pending(db_path, line)


def pending_failures(db_path: Path) -> list[dict]:
    """Runs recorded beside the database, not yet in ops.runs."""
    path = _pending_path(db_path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def flush_pending_runs(con: duckdb.DuckDBPyConnection, db_path: Path) -> int:
    """Insert the runs record_pending_failure kept into ops.runs (status failed); remove the file."""
    pending = pending_failures(db_path)
    for p in pending:
        at = dt.datetime.fromisoformat(p["at"])
        con.execute(
            "INSERT OR IGNORE INTO ops.runs (run_id, journey_version, started_at, finished_at, status, error) "
            "VALUES (?, ?, ?, ?, 'failed', ?)",
            [p["run_id"], p["journey_version"], at, at, p["error"]],
        )
    _pending_path(db_path).unlink(missing_ok=True)
    return len(pending)


def mark_killed(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Runs still `running` that are not `run_id`: with the run lock held, none of them can still be running, so
    they were killed (SIGKILL, a reboot, a full disk). Mark them `killed`; return their ids."""
    killed = [
        r[0]
        for r in con.execute(
            "SELECT run_id FROM ops.runs WHERE status = 'running' AND run_id <> ? ORDER BY started_at", [run_id]
        ).fetchall()
    ]
    for kid in killed:
        con.execute(
            "UPDATE ops.runs SET status = 'killed', error = ? WHERE run_id = ?",
            [f"killed: found unfinished by run {run_id}", kid],
        )
    return killed


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
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    files: list[dict],
    error: str | None = None,
    warnings: list[str] | None = None,
) -> None:
    """Record how a run ended: new files (loaded or rejected) and their rows per outcome, files skipped, and the
    sources rebuilt from raw (files with status "reprocessed"; their accounting is in ops.reprocessings)."""
    new = [f for f in files if f["status"] not in ("skipped", "reprocessed")]
    reprocessed = sorted({f["source_id"] for f in files if f["status"] == "reprocessed"}) or None
    con.execute(
        "UPDATE ops.runs SET finished_at = ?, status = ?, n_files_new = ?, n_files_skipped = ?, n_files_rejected = ?, "
        "rows_read = ?, rows_loaded = ?, rows_quarantined = ?, rows_duplicate = ?, error = ?, reprocessed = ?, "
        "warnings = ? WHERE run_id = ?",
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
            warnings or None,
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
        return step is None and status in ENDED_WELL and version == journey_version
    return False


# -- the run journal: what `cjx status` reads besides the published copy ----------------------------------------

# Readers never open the working database, and the published copy is replaced only by a pipeline run that got
# as far as publishing. So every recorded run also appends its ops.runs row, when it starts and when it ends, to a
# small journal beside the database; `cjx status` shows the published ops.runs with the journal on top. Each
# publish drops the journal lines the copy now holds.

_RUN_COLUMNS = (
    "run_id",
    "journey_version",
    "started_at",
    "finished_at",
    "status",
    "n_files_new",
    "n_files_skipped",
    "n_files_rejected",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_duplicate",
    "error",
    "reprocessed",
    "warnings",
)


def journal_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".runs.jsonl")


def _jsonable(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def journal_run(con: duckdb.DuckDBPyConnection, db_path: Path, run_id: str) -> None:
    """Append run `run_id`'s row of ops.runs, as it is now, to the journal."""
    cols = ", ".join(_RUN_COLUMNS)
    rows = con.execute(f"SELECT {cols} FROM ops.runs WHERE run_id = ?", [run_id]).fetchall()
    if rows:
        line = {k: _jsonable(v) for k, v in zip(_RUN_COLUMNS, rows[0])}
        with journal_path(db_path).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")


def journal_pending(db_path: Path, pending: dict) -> None:
    """A run that never reached ops.runs (record_pending_failure), in the journal as a failed run."""
    line = dict.fromkeys(_RUN_COLUMNS)
    line.update(
        run_id=pending["run_id"],
        journey_version=pending["journey_version"],
        started_at=pending["at"],
        finished_at=pending["at"],
        status="failed",
        error=pending["error"],
    )
    with journal_path(db_path).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def journal_runs(db_path: Path) -> list[dict]:
    """The journal's runs, the latest line per run, with times as datetimes."""
    path = journal_path(db_path)
    latest: dict[str, dict] = {}
    if path.exists():
        for text in path.read_text(encoding="utf-8").splitlines():
            try:
                line = json.loads(text)
            except json.JSONDecodeError:  # a line cut short by a kill
                continue
            for key in ("started_at", "finished_at"):
                if line.get(key):
                    line[key] = dt.datetime.fromisoformat(line[key])
            latest[line["run_id"]] = line
    return list(latest.values())


def prune_journal(db_path: Path, published_run_ids: set[str]) -> None:
    """Keep only the journal lines of runs the published copy does not hold as finished."""
    path = journal_path(db_path)
    if not path.exists():
        return
    keep = [r for r in path.read_text(encoding="utf-8").splitlines() if _run_id(r) not in published_run_ids]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in keep), encoding="utf-8")
    os.replace(tmp, path)


def _run_id(line: str) -> str | None:
    try:
        return json.loads(line).get("run_id")
    except json.JSONDecodeError:
        return None
