"""The `cjx` console entry point: cjx.cli's commands plus those that run Prefect flows (run, demo, serve).

Prefect is imported only when one of these three runs, so `cjx ingest`, `cjx check`, ... start without it.
"""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from cjx import settings
from cjx.cli import DbOpt, JourneyOpt, ReportsOpt, app, fail
from cjx.cli import ingest as serial_ingest
from cjx.journey import JourneyError, load_journey

__all__ = ["app"]


def _prefect_defaults() -> None:
    """Before Prefect is imported: no analytics; and a temporary server on a busy machine may take longer than
    Prefect's 20 s to start."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


MAX_WORKERS = 64
WorkersOpt = Annotated[
    str | None,
    typer.Option(
        "--workers",
        metavar="N",
        help="Parse the new files on a local Dask cluster of N worker processes (Prefect's DaskTaskRunner; one "
        "writer loads them in arrival order, as a serial run would). Default: serial.",
        show_default=False,
    ),
]


def parse_workers(text: str | None) -> int | None:
    """--workers N: a whole number from 1 to MAX_WORKERS, or None (serial); anything else is a one-line error."""
    if text is None:
        return None
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        fail(f"--workers: found {value[:20]!r}, expected a whole number of worker processes from 1 to {MAX_WORKERS}")
    return int(value)


def _with_server(run_flow):
    """Run `run_flow` against PREFECT_API_URL, or a temporary local server that dies with this process."""
    from flows.schedule import terminate_as_interrupt
    from flows.server import configured_api_url, local_server

    with terminate_as_interrupt():
        if configured_api_url():
            return run_flow()
        with local_server(scheduler=False):  # Prefect's own temporary server would outlive this process if killed
            return run_flow()


def _run_pipeline(journey: Path, db: Path | None, reports: Path | None, workers: int | None = None) -> None:
    try:
        load_journey(journey)  # fail fast, with a one-line error, before Prefect starts
    except JourneyError as exc:
        fail(str(exc))
    _prefect_defaults()
    from cjx.ingest import ReprocessRefused
    from cjx.report.summary import summary_text
    from cjx.store import connect
    from cjx.store.publish import reader_database
    from cjx.store.runs import RunLocked
    from cjx.supervise import ChildFailed
    from flows.pipeline import pipeline, pipeline_on_dask

    def run_flow() -> dict:
        where = (str(journey), str(db) if db else None, str(reports) if reports else None)
        return pipeline(*where) if workers is None else pipeline_on_dask(*where, workers=workers)

    try:
        result = _with_server(run_flow)
    except (RunLocked, ReprocessRefused, ChildFailed) as exc:
        fail(str(exc))
    readable = reader_database(settings.database_path(db))
    if readable is not None:
        with closing(connect(readable, read_only=True)) as con:
            typer.echo("\n" + summary_text(con))
    for warning in result.get("warnings", []):
        typer.echo(f"warning: {warning}")
    if result["nothing_new"]:
        typer.echo("nothing new since the last run")
    for path in result["scorecards"]:
        typer.echo(f"scorecard: {path}")
        folder = Path(path).with_suffix("")  # owner pages and exports sit beside the page (cjx.report.ReportFiles)
        for what, sub, pattern in (
            ("owner pages", "owners", "*.html"),
            ("exports", "exports", "*.*"),
            ("snapshots", "exports/png", "*.png"),
        ):
            found = sorted((folder / sub).glob(pattern))
            if found:
                typer.echo(f"  {what}: {folder / sub}/ ({', '.join(f.name for f in found)})")
    if result["published"]:
        typer.echo(f"read-only copy for queries: {result['published']['database']}")


@app.command()
def demo(db: DbOpt = None, reports: ReportsOpt = None) -> None:
    """Run the whole pipeline on data/sample and write the scorecards."""
    if not settings.SAMPLE_JOURNEY.exists():
        fail(f"{settings.SAMPLE_JOURNEY} not found: run from the cjx checkout, or `cjx sample --out data/sample`")
    _run_pipeline(settings.SAMPLE_JOURNEY, db, reports)


@app.command()
def run(journey: JourneyOpt, db: DbOpt = None, reports: ReportsOpt = None, workers: WorkersOpt = None) -> None:
    """Run the pipeline flow (ingest, score, report, publish) for a journey file."""
    _run_pipeline(journey, db, reports, parse_workers(workers))


# `cjx ingest` is cjx.cli's (no Prefect), with --workers added here: the parallel ingest is a Prefect flow
app.registered_commands[:] = [c for c in app.registered_commands if c.callback is not serial_ingest]


@app.command()
def ingest(journey: JourneyOpt, db: DbOpt = None, workers: WorkersOpt = None) -> None:
    """Ingest the new files of every source, without scoring or reports; per-file accounting. Serial and without
    Prefect by default; with --workers N the ingest flow parses the files on a local Dask cluster."""
    n = parse_workers(workers)
    if n is None:
        serial_ingest(journey, db)
        return
    try:
        load_journey(journey)
    except JourneyError as exc:
        fail(str(exc))
    _prefect_defaults()
    from cjx.cli import _echo_lines, files_text
    from cjx.ingest import FileResult, ReprocessRefused
    from cjx.privacy.key import KeyFileError
    from cjx.store.runs import RunLocked
    from flows.ingest import ingest_on_dask

    try:
        found = _with_server(lambda: ingest_on_dask(str(journey), str(db) if db else None, workers=n))
    except (RunLocked, ReprocessRefused, KeyFileError) as exc:
        fail(str(exc))
    files = [FileResult(**{**f, "notes": tuple(f["notes"])}) for f in found]
    typer.echo(files_text(files))
    _echo_lines(files, "ingest")


@app.command()
def serve(journey: JourneyOpt = settings.SAMPLE_JOURNEY, db: DbOpt = None, reports: ReportsOpt = None) -> None:
    """Run the pipeline on the journey's schedule until Ctrl-C: against PREFECT_API_URL when set, otherwise with a
    local Prefect server (scheduler included) that keeps its data in .cjx/prefect (CJX_PREFECT_HOME) and stops
    with this command."""
    try:
        lj = load_journey(journey)
    except JourneyError as exc:
        fail(str(exc))
    _prefect_defaults()
    from cjx.supervise import ChildFailed
    from flows.schedule import serve_pipeline

    try:
        serve_pipeline(lj, db=db, reports=reports, say=lambda line: typer.echo(line, err=True))
    except ChildFailed as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


# `cjx --help` lists the pipeline first, then the steps, then the rest.
_ORDER = ("demo", "run", "ingest", "reprocess", "check", "summary", "sample", "status", "schema", "serve", "validate")
app.registered_commands.sort(
    key=lambda c: _ORDER.index(n) if (n := c.name or getattr(c.callback, "__name__", "")) in _ORDER else len(_ORDER)
)

if __name__ == "__main__":
    app()
