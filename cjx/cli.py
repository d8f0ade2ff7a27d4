"""The cjx command line without Prefect: ingest, check, validate, summaries, the sample.

The commands that run Prefect flows (run, demo, serve) are added to this app by flows.cli, the console
entry point; no cjx module imports flows.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cjx import settings
from cjx.journey import JourneyError, load_journey

if TYPE_CHECKING:
    from cjx.ingest import FileResult
    from cjx.pipeline import Workspace

# Every environment variable cjx reads, for `cjx --help` (a test checks the list against the code).
ENVIRONMENT = """Environment variables:

\b
  CJX_DB                  the working DuckDB file (default data/cjx.duckdb)
  CJX_REPORTS             the scorecard folder (default reports/)
  CJX_PUBLISHED           the published copy readers open (default published/ beside the database)
  CJX_LOCK_WAIT           seconds a run waits for another run or a process holding the database (default 0)
  CJX_PSEUDONYM_KEY       the pseudonymisation key (default: the key file)
  CJX_PSEUDONYM_KEY_FILE  the key file (default .cjx_pseudonym_key beside the database)
  CJX_MEMORY_BUDGET       MiB the whole process should stay within (default 512)
  CJX_DUCKDB_MEMORY       pins DuckDB's buffer pool instead (e.g. 192MB)
  CJX_BLAS_THREADS        threads for the importance statistics' linear algebra
  CJX_PARTITIONS          where a parallel ingest's per-file Parquet partitions go (default <db>.partitions/)
  CJX_PREFECT_HOME        where the Prefect server cjx starts keeps its data (default .cjx/prefect)
  CJX_PREFECT_PORT        its port (default: a free port chosen at start)
  PREFECT_API_URL         a Prefect server of your own: cjx then starts none
"""

# rich_markup_mode=None: plain help, so that nothing in brackets ([default: ...], [env var: ...]) is taken for
# Rich markup and dropped.
app = typer.Typer(
    help="Customer-journey feedback analytics on DuckDB.",
    epilog=ENVIRONMENT,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

JourneyOpt = Annotated[Path, typer.Option("--journey", "-j", help="Journey file (journey.yml).")]
DbOpt = Annotated[
    Path | None,
    typer.Option("--db", envvar="CJX_DB", show_envvar=True, help="DuckDB working file [default: data/cjx.duckdb]."),
]
ReportsOpt = Annotated[
    Path | None,
    typer.Option("--reports", envvar="CJX_REPORTS", show_envvar=True, help="Scorecard folder [default: reports/]."),
]


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _read_only(db: Path | None):
    """The published copy of the database, read-only (never the working file: see cjx.store.publish)."""
    from cjx.store import connect
    from cjx.store.publish import reader_database

    path = settings.database_path(db)
    readable = reader_database(path)
    if readable is None:
        fail(f"{path}: no published copy yet; run `cjx demo` or `cjx run --journey ...` first")
    return closing(connect(readable, read_only=True))


@app.command()
def ingest(journey: JourneyOpt, db: DbOpt = None) -> None:
    """Ingest the new files of every source, without scoring or reports (no Prefect); per-file accounting."""
    from cjx.pipeline import run_ingest

    files = _locked(run_ingest, _workspace(journey, db))
    typer.echo(files_text(files))
    _echo_lines(files, "ingest")


@app.command()
def reprocess(
    journey: JourneyOpt,
    db: DbOpt = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Source id to rebuild, repeatable (default: all).")
    ] = None,
) -> None:
    """Rebuild sources from raw with the journey in force (no Prefect); per-file accounting."""
    from cjx.pipeline import run_reprocess

    ws = _workspace(journey, db)
    known = [s.id for s in ws.journey.journey.sources]
    for s in source or []:
        if s not in known:
            fail(f"unknown source {s!r}; the journey declares {known}")
    files = _locked(run_reprocess, ws, list(source) if source else None)
    typer.echo(files_text(files))
    _echo_lines(files, "reprocess")


def _workspace(journey: Path, db: Path | None, reports: Path | None = None) -> Workspace:
    from cjx.pipeline import open_workspace

    try:
        return open_workspace(journey, db, reports)
    except JourneyError as exc:
        fail(str(exc))


def _locked(step, *args):
    """Run `step`; another run holding the database, a source that cannot be rebuilt under the journey in
    force, or a pseudonymisation key file that is unsafe to use, is a one-line error (exit 2)."""
    from cjx.ingest import ReprocessRefused
    from cjx.privacy.key import KeyFileError
    from cjx.store.runs import RunLocked

    try:
        return step(*args)
    except (RunLocked, ReprocessRefused, KeyFileError) as exc:
        fail(str(exc))


def files_text(files: list[FileResult]) -> str:
    """One line per file: file, source, status, rows read = loaded + quarantined + duplicate, reject reason."""
    from cjx.report.revisit_text import table_text

    if not files:
        return "No file matches the sources' patterns."
    rows: list[tuple[str, ...]] = [
        ("File", "Source", "Status", "Rows read", "Loaded", "Quarantined", "Duplicate", "Reject reason")
    ]
    rows += [
        (
            Path(f.path).name,
            f.source_id,
            f.status,
            str(f.rows_read),
            str(f.rows_loaded),
            str(f.rows_quarantined),
            str(f.rows_duplicate),
            f.reject_reason or "",
        )
        for f in files
    ]
    return table_text(rows)


def _echo_lines(files: list[FileResult], step: str) -> None:
    """Under the table: where rejected files went, the ingest notes, the counts."""
    from cjx.pipeline import ingest_lines

    for f in files:
        if f.rejected_to:
            typer.echo(f"{step}: {Path(f.path).name} rejected, moved to {f.rejected_to}")
    for line in ingest_lines(files):
        if not line.startswith("ingest: rejected "):  # the reason is in the table
            typer.echo(line.replace("ingest: ", f"{step}: ", 1))
    if any(f.status != "skipped" for f in files):
        typer.echo("marts and scorecards are rebuilt by the next `cjx run`")


@app.command()
def forget(
    journey: JourneyOpt,
    respondent: Annotated[
        str, typer.Option("--respondent", help="The person's id or e-mail address, as the exports have it.")
    ],
    db: DbOpt = None,
    reports: ReportsOpt = None,
) -> None:
    """Erase one person everywhere (raw, core, quarantine, marts, scorecards, published copy); no Prefect."""
    from cjx.privacy.forget import erasure_lines, forget

    try:
        erasure = _locked(forget, _workspace(journey, db, reports), respondent)
    except ValueError as exc:
        fail(str(exc))
    for line in erasure_lines(erasure):
        typer.echo(line)


@app.command()
def check(journey: Annotated[Path, typer.Argument(help="Journey file to validate.")]) -> None:
    """Validate a journey file: every error and warning at once, one line each (exit 2 on an error)."""
    from cjx.check import check_journey

    lj, findings = check_journey(journey)
    for finding in findings:
        typer.echo(finding.line(), err=finding.level == "error")
    if lj is None:
        raise typer.Exit(2)
    j = lj.journey
    warned = sum(f.level == "warning" for f in findings)
    typer.echo(
        f"{journey}: ok{f' with {warned} warning(s)' if warned else ''}: {len(j.stages)} stages, "
        f"{len(j.touchpoints)} touchpoints, {len(j.sources)} sources, {len(j.revisits)} revisits"
    )


@app.command()
def summary(
    db: DbOpt = None, revisit: Annotated[str | None, typer.Option(help="Revisit id (default: the latest).")] = None
) -> None:
    """Print the touchpoint summary of a revisit from the database."""
    from cjx.report.summary import summary_text

    with _read_only(db) as con:
        typer.echo(summary_text(con, revisit))


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the sample into.")] = Path("data/sample"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 20261124,
) -> None:
    """Generate the sample journey, survey exports and operational data (with planted truth)."""
    from cjx.sample.generate import generate_sample

    generate_sample(out, seed=seed)
    typer.echo(f"sample written to {out} (planted truth in {out / 'planted_truth.json'})")


revisit_app = typer.Typer(
    help="Revisits of the journey: list them, compare two.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(revisit_app, name="revisit")


@revisit_app.command("list")
def revisit_list(db: DbOpt = None) -> None:
    """List the declared revisits and their computed snapshots."""
    from cjx.report.revisit_text import revisit_list_text
    from cjx.store import query

    with _read_only(db) as con:
        revisits = query(con, "revisits/revisit_list")
    typer.echo(revisit_list_text(revisits))


@revisit_app.command("compare")
def revisit_compare(
    a: Annotated[str, typer.Argument(help="Earlier revisit id.")],
    b: Annotated[str, typer.Argument(help="Later revisit id.")],
    db: DbOpt = None,
) -> None:
    """Compare two computed revisits touchpoint by touchpoint, with significance."""
    from cjx.metrics.revisits import compare_revisits, computed_revisits, snapshots
    from cjx.report.revisit_text import comparison_text

    with _read_only(db) as con:
        known = computed_revisits(con)
        for revisit in (a, b):
            if revisit not in known:
                fail(f"revisit {revisit!r} has not been computed; computed revisits: {known}")
        min_base = con.execute("SELECT min_base FROM core.journey").fetchall()[0][0]
        changes = compare_revisits(snapshots(con), a, b, min_base)
    typer.echo(comparison_text(changes))


@app.command()
def status(
    journey: Annotated[
        Path | None,
        typer.Option(
            "--journey", "-j", help="Journey file, to list the files waiting in its inboxes (default: none listed)."
        ),
    ] = None,
    db: DbOpt = None,
    last: Annotated[int, typer.Option(help="How many runs to show.")] = 10,
) -> None:
    """Show the last runs (from the published copy and the run journal beside the database) and the files
    waiting to be ingested; never opens the working database."""
    from cjx.report.status import recent_runs, status_text, waiting_files
    from cjx.store import connect
    from cjx.store.publish import reader_database

    lj = None
    if journey is not None:
        try:
            lj = load_journey(journey)
        except JourneyError as exc:
            fail(str(exc))
    path = settings.database_path(db)
    readable = reader_database(path)
    if readable is None:
        typer.echo(status_text(recent_runs(None, path, last), waiting_files(None, lj)))
        return
    with closing(connect(readable, read_only=True)) as con:
        typer.echo(status_text(recent_runs(con, path, last), waiting_files(con, lj)))


@app.command()
def schema(
    db: DbOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write the Markdown here instead of printing it.")] = None,
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
def validate(
    file: Annotated[Path, typer.Argument(help="Export file to check.")],
    journey: JourneyOpt = settings.SAMPLE_JOURNEY,
    source: Annotated[
        str | None, typer.Option("--source", help="Source id (default: the one whose files pattern matches).")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Dry run: what FILE would load, quarantine (by reason), count as duplicate or reject, against what the
    database holds (read, never written); nothing is written or moved."""
    from cjx.ingest.dryrun import dry_run, pick_source, report

    try:
        lj = load_journey(journey)
    except JourneyError as exc:
        fail(str(exc))
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        src = pick_source(lj, file, source)
    except ValueError as exc:
        fail(str(exc))
    result, quarantined = dry_run(lj, file, src, settings.database_path(db))
    typer.echo(report(result, quarantined))
    if result.status == "rejected":
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
