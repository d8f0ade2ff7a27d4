"""The `cjx` console entry point: cjx.cli's commands plus those that run Prefect flows (run, demo, serve).

Prefect is imported only when one of these three runs, so `cjx ingest`, `cjx check`, ... start without it.
"""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

import typer

from cjx import settings
from cjx.cli import DbOpt, JourneyOpt, ReportsOpt, app, fail
from cjx.journey import JourneyError, load_journey

__all__ = ["app"]


def _prefect_defaults() -> None:
    """Before Prefect is imported: no analytics; and a temporary server on a busy machine may take longer than
    Prefect's 20 s to start."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _run_pipeline(journey: Path, db: Path | None, reports: Path | None) -> None:
    try:
        load_journey(journey)  # fail fast, with a one-line error, before Prefect starts
    except JourneyError as exc:
        fail(str(exc))
    _prefect_defaults()
    from cjx.ingest import ReprocessRefused
    from cjx.report.summary import summary_text
    from cjx.store import connect
    from cjx.store.runs import RunLocked
    from flows.pipeline import pipeline

    try:
        result = pipeline(journey=str(journey), db=str(db) if db else None, reports=str(reports) if reports else None)
    except (RunLocked, ReprocessRefused) as exc:
        fail(str(exc))
    with closing(connect(settings.database_path(db), read_only=True)) as con:
        typer.echo("\n" + summary_text(con))
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
def run(journey: JourneyOpt, db: DbOpt = None, reports: ReportsOpt = None) -> None:
    """Run the pipeline flow (ingest, score, report, publish) for a journey file."""
    _run_pipeline(journey, db, reports)


@app.command()
def serve(journey: JourneyOpt = settings.SAMPLE_JOURNEY, db: DbOpt = None, reports: ReportsOpt = None) -> None:
    """Serve the pipeline on the schedule declared in the journey file (Ctrl-C stops)."""
    try:
        lj = load_journey(journey)
    except JourneyError as exc:
        fail(str(exc))
    _prefect_defaults()
    from flows.schedule import serve_pipeline

    serve_pipeline(lj, db=db, reports=reports)


# `cjx --help` lists the pipeline first, then the steps, then the rest.
_ORDER = ("demo", "run", "ingest", "reprocess", "check", "summary", "sample", "status", "schema", "serve", "validate")
app.registered_commands.sort(
    key=lambda c: _ORDER.index(n) if (n := c.name or getattr(c.callback, "__name__", "")) in _ORDER else len(_ORDER)
)

if __name__ == "__main__":
    app()
