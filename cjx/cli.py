"""The cjx command line: run the pipeline, generate the sample, serve the schedule, print summaries."""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from cjx import settings
from cjx.journey import JourneyError, load_journey

app = typer.Typer(help="Customer-journey feedback analytics on DuckDB.", no_args_is_help=True, add_completion=False)

JourneyOpt = Annotated[Path, typer.Option("--journey", "-j", help="Journey file (journey.yml).")]
DbOpt = Annotated[Path | None, typer.Option("--db", help="DuckDB file [env CJX_DB; default data/cjx.duckdb].")]
ReportsOpt = Annotated[Path | None, typer.Option("--reports", help="Scorecard folder [env CJX_REPORTS; default reports/].")]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _run_pipeline(journey: Path, db: Path | None, reports: Path | None) -> None:
    try:
        load_journey(journey)  # fail fast, with a one-line error, before Prefect starts
    except JourneyError as exc:
        _fail(str(exc))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.pipeline import pipeline  # Prefect is imported only for commands that run flows

    from cjx.report.summary import summary_text
    from cjx.store import connect
    from cjx.store.runs import RunLocked

    try:
        result = pipeline(journey=str(journey), db=str(db) if db else None, reports=str(reports) if reports else None)
    except RunLocked as exc:
        _fail(str(exc))
    with closing(connect(settings.database_path(db), read_only=True)) as con:
        typer.echo("\n" + summary_text(con))
    if result["nothing_new"]:
        typer.echo("nothing new since the last run")
    for path in result["scorecards"]:
        typer.echo(f"scorecard: {path}")
        folder = Path(path).with_suffix("")  # owner pages and exports sit beside the page (cjx.report.ReportFiles)
        for what, sub, pattern in (("owner pages", "owners", "*.html"), ("exports", "exports", "*.*"),
                                   ("snapshots", "exports/png", "*.png")):
            found = sorted((folder / sub).glob(pattern))
            if found:
                typer.echo(f"  {what}: {folder / sub}/ ({', '.join(f.name for f in found)})")
    if result["published"]:
        typer.echo(f"read-only copy for queries: {result['published']['database']}")


def _read_only(db: Path | None):
    from cjx.store import connect

    path = settings.database_path(db)
    if not path.exists():
        _fail(f"{path}: no database yet; run `cjx demo` or `cjx run --journey ...` first")
    return closing(connect(path, read_only=True))


@app.command()
def demo(db: DbOpt = None, reports: ReportsOpt = None) -> None:
    """Run the whole pipeline on data/sample and write the scorecards."""
    if not settings.SAMPLE_JOURNEY.exists():
        _fail(f"{settings.SAMPLE_JOURNEY} not found: run from the cjx checkout, or `cjx sample --out data/sample`")
    _run_pipeline(settings.SAMPLE_JOURNEY, db, reports)


@app.command()
def run(journey: JourneyOpt, db: DbOpt = None, reports: ReportsOpt = None) -> None:
    """Run the pipeline (ingest, score, report) for a journey file."""
    _run_pipeline(journey, db, reports)


@app.command()
def check(journey: Annotated[Path, typer.Argument(help="Journey file to validate.")]) -> None:
    """Validate a journey file and say what it declares."""
    try:
        j = load_journey(journey).journey
    except JourneyError as exc:
        _fail(str(exc))
    typer.echo(f"{journey}: ok: {len(j.stages)} stages, {len(j.touchpoints)} touchpoints, "
               f"{len(j.sources)} sources, {len(j.revisits)} revisits")


@app.command()
def summary(db: DbOpt = None, revisit: Annotated[str | None, typer.Option(help="Revisit id [latest].")] = None) -> None:
    """Print the touchpoint summary of a revisit from the database."""
    from cjx.report.summary import summary_text

    with _read_only(db) as con:
        typer.echo(summary_text(con, revisit))


@app.command()
def sample(out: Annotated[Path, typer.Option(help="Folder to write the sample into.")] = Path("data/sample"),
           seed: Annotated[int, typer.Option(help="Random seed.")] = 20261124) -> None:
    """Generate the sample journey, survey exports and operational data (with planted truth)."""
    from cjx.sample.generate import generate_sample

    generate_sample(out, seed=seed)
    typer.echo(f"sample written to {out} (planted truth in {out / 'planted_truth.json'})")


revisit_app = typer.Typer(help="Revisits of the journey: list them, compare two.", no_args_is_help=True)
app.add_typer(revisit_app, name="revisit")


@revisit_app.command("list")
def revisit_list(db: DbOpt = None) -> None:
    """List the declared revisits and their computed snapshots."""
    from cjx.report.revisit_text import revisit_list_text

    with _read_only(db) as con:
        revisits = con.execute(
            "SELECT v.revisit_id, v.start_date, v.end_date, s.computed_at, s.journey_version, "
            "(SELECT sum(n_responses) FROM marts.revisit_snapshots t WHERE t.revisit_id = v.revisit_id) AS n_responses "
            "FROM core.revisits v LEFT JOIN core.revisit_snapshots s ON s.revisit_id = v.revisit_id AND s.is_current "
            "ORDER BY v.start_date").df()
    typer.echo(revisit_list_text(revisits))


@revisit_app.command("compare")
def revisit_compare(a: Annotated[str, typer.Argument(help="Earlier revisit id.")],
                    b: Annotated[str, typer.Argument(help="Later revisit id.")], db: DbOpt = None) -> None:
    """Compare two computed revisits touchpoint by touchpoint, with significance."""
    from cjx.metrics.revisits import compare_revisits, computed_revisits, snapshots
    from cjx.report.revisit_text import comparison_text

    with _read_only(db) as con:
        known = computed_revisits(con)
        for revisit in (a, b):
            if revisit not in known:
                _fail(f"revisit {revisit!r} has not been computed; computed revisits: {known}")
        min_base = con.execute("SELECT min_base FROM core.journey").fetchall()[0][0]
        changes = compare_revisits(snapshots(con), a, b, min_base)
    typer.echo(comparison_text(changes))


@app.command()
def status(journey: JourneyOpt = settings.SAMPLE_JOURNEY, db: DbOpt = None,
           last: Annotated[int, typer.Option(help="How many runs to show.")] = 10) -> None:
    """Show the last runs and the files waiting to be ingested."""
    from cjx.report.status import status_text, waiting_files
    from cjx.store import connect

    try:
        lj = load_journey(journey)
    except JourneyError as exc:
        _fail(str(exc))
    path = settings.database_path(db)
    if not path.exists():
        typer.echo(status_text(pd.DataFrame(), waiting_files(None, lj)))
        return
    with closing(connect(path, read_only=True)) as con:
        runs = con.execute("SELECT * FROM ops.runs ORDER BY started_at DESC LIMIT ?", [last]).df()
        typer.echo(status_text(runs, waiting_files(con, lj)))


@app.command()
def schema(db: DbOpt = None,
           out: Annotated[Path | None, typer.Option(help="Write the Markdown here instead of printing it.")] = None
           ) -> None:
    """Describe the marts (tables, views, columns) from the database's own comments, as Markdown."""
    from cjx.metrics.glossary import schema_markdown

    with _read_only(db) as con:
        text = schema_markdown(con)
    if out:
        out.write_text(text + "\n")
        typer.echo(f"schema written to {out}")
    else:
        typer.echo(text)


@app.command()
def serve(journey: JourneyOpt = settings.SAMPLE_JOURNEY, db: DbOpt = None, reports: ReportsOpt = None) -> None:
    """Serve the pipeline on the schedule declared in the journey file (Ctrl-C stops)."""
    try:
        lj = load_journey(journey)
    except JourneyError as exc:
        _fail(str(exc))
    from cjx.schedule import serve_pipeline

    serve_pipeline(lj, db=db, reports=reports)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Export file to check.")],
    journey: JourneyOpt = settings.SAMPLE_JOURNEY,
    source: Annotated[str | None, typer.Option("--source", help="Source id [the one whose files pattern matches].")] = None,
) -> None:
    """Dry run: what FILE would load, quarantine (by reason) or reject; nothing is written or moved."""
    from cjx.ingest.dryrun import dry_run, pick_source, report

    try:
        lj = load_journey(journey)
    except JourneyError as exc:
        _fail(str(exc))
    if not file.is_file():
        _fail(f"{file}: no such file")
    try:
        src = pick_source(lj, file, source)
    except ValueError as exc:
        _fail(str(exc))
    result, quarantined = dry_run(lj, file, src)
    typer.echo(report(result, quarantined))
    if result.status == "rejected":
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
