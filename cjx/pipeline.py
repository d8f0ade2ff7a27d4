"""The pipeline of one journey, end to end, as library calls: ingest, score, report, publish.

`open_workspace` loads the journey once and resolves where things live; each step takes the workspace,
opens the database for itself and returns what it did. `run` does the whole path under the run lock, with
the run recorded in ops.runs and the "nothing new" rule; `run_ingest` and `run_reprocess` do one step alone
the same way. Nothing here imports Prefect: the flows in flows/ pass their tasks (retries, artifacts) in as
`Steps` and their run logger as `log`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from cjx import settings
from cjx.alerts import Alert, alerts_for_run
from cjx.ingest import FileResult, ingest_journey
from cjx.ingest.gate import BatchGate, docs_dir_for
from cjx.journey import LoadedJourney, load_journey
from cjx.segments.customers import load_customers
from cjx.store import connect, migrate
from cjx.store.publish import clean_published, is_published
from cjx.store.publish import publish as publish_database
from cjx.store.runs import (
    DatabaseHeld,
    finish_run,
    flush_pending_runs,
    is_nothing_new,
    journal_run,
    mark_killed,
    new_run_id,
    open_working_database,
    prune_journal,
    record_pending_failure,
    run_lock,
    start_run,
)
from cjx.workspace import open_database, revisits_with_data

if TYPE_CHECKING:
    from cjx.metrics.drivers import DriverFrames
    from cjx.report.snapshot import SnapshotResult

# The scoring and report modules (scipy, plotly, jinja) are imported by the steps that use them, so that
# `cjx ingest` starts without them.

Logger = logging.Logger | logging.LoggerAdapter
log = logging.getLogger(__name__)

NOTHING_NEW = "nothing new: no new file and the journey is unchanged; marts and scorecards are current"


# -- the workspace ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """One journey and where its run reads and writes: the database, the scorecard folder, GX's folder."""

    journey: LoadedJourney
    db: Path
    reports: Path
    docs_dir: Path  # great-expectations' project and Data Docs

    @property
    def version(self) -> str:
        """The journey version in force (sha256 of the journey file)."""
        return self.journey.version

    @cached_property
    def pseudonym_key(self) -> str:
        """$CJX_PSEUDONYM_KEY, else the journey's Prefect Secret block, else the key file beside the database;
        resolved on first use (inside the run lock), then kept. Not part of repr."""
        return settings.pseudonym_key(self.db, self.journey.journey.settings.pseudonym_key_block)


def open_workspace(journey: str | Path, db: str | Path | None = None, reports: str | Path | None = None) -> Workspace:
    """Load and validate the journey (JourneyError if it is bad); resolve the database and reports paths
    (option, else $CJX_DB / $CJX_REPORTS, else the defaults). Touches no file."""
    db_path = settings.database_path(db)
    return Workspace(
        journey=load_journey(journey), db=db_path, reports=settings.reports_dir(reports), docs_dir=docs_dir_for(db_path)
    )


# -- ingest ----------------------------------------------------------------------------------------------------


def ingest(ws: Workspace) -> list[FileResult]:
    """Migrate the database, sync the journey and ingest every source's new files (one transaction per file;
    files seen before are skipped), gated by great-expectations; Data Docs are rebuilt when a file was new."""
    gate = BatchGate(ws.docs_dir)
    with closing(open_database(ws.journey, ws.db)) as con:
        files = ingest_journey(con, ws.journey, ws.pseudonym_key, gate=gate)
        customers = load_customers(con, ws.journey, ws.pseudonym_key)  # the customers: table (cjx.segments)
    _build_docs(gate, files)
    return files + ([customers] if customers else [])


def reprocess(ws: Workspace, sources: list[str] | None = None) -> list[FileResult]:
    """Rebuild `sources` (default: every source with raw data) from raw with the journey in force, gated like an
    ingest (cjx.ingest.reprocess_sources; ReprocessRefused says why a source cannot be rebuilt)."""
    from cjx.ingest import reprocess_sources

    gate = BatchGate(ws.docs_dir)
    with closing(open_database(ws.journey, ws.db)) as con:
        files = reprocess_sources(con, ws.journey, ws.pseudonym_key, sources, gate=gate)
    _build_docs(gate, files)
    return files


def _build_docs(gate: BatchGate, files: list[FileResult]) -> None:
    if any(f.status != "skipped" for f in files):
        gate.build_docs()


def ingest_lines(files: list[FileResult]) -> list[str]:
    """What an ingest did, for the log: rejections, notes, sources rebuilt from raw, new and skipped counts."""
    lines = []
    for f in files:
        if f.status == "rejected":
            lines.append(f"ingest: rejected {f.reject_reason} (moved to {f.rejected_to})")
        lines += [f"ingest: {note}" for note in f.notes]
        if f.gate_seconds is not None:
            lines.append(
                f"ingest: {Path(f.path).name}: batch gate (great-expectations) passed in {f.gate_seconds:.2f} s"
            )
    rebuilt = sorted({f.source_id for f in files if f.status == "reprocessed"})
    if rebuilt:
        lines.append(f"ingest: rebuilt from raw under the journey in force: {', '.join(rebuilt)}")
    new = sum(f.status not in ("skipped", "reprocessed") for f in files)
    skipped = sum(f.status == "skipped" for f in files)
    lines.append(f"ingest: {new} new file(s), {skipped} unchanged file(s) skipped")
    return lines


# -- score -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreResult:
    marts: dict[str, int]  # rows per mart
    revisits: dict[str, int]  # snapshots_taken, changes
    undocumented: list[str] = field(default_factory=list)  # mart columns without a description

    def as_dict(self) -> dict[str, int]:
        return {**self.marts, **self.revisits}


def build_all_marts(
    ws: Workspace, progress: Callable[[str], None] | None = None, frames: DriverFrames | None = None
) -> dict[str, int]:
    """Rebuild every mart in one transaction, so readers never see half of them; rows per mart. ``progress``: see
    ``score``; ``frames`` keeps the driver frames read for importance (cjx.metrics.drivers.DriverFrames)."""
    from cjx.metrics.marts import build_marts

    with closing(connect(ws.db)) as con:
        con.execute("BEGIN TRANSACTION")
        counts = build_marts(con, progress, frames)
        con.execute("COMMIT")
    return counts


def update_revisit_records(ws: Workspace, frames: DriverFrames | None = None) -> tuple[dict[str, int], list[str]]:
    """Snapshot revisits whose data changed, rebuild the comparisons and document the marts, in one transaction;
    the revisit counts and the mart columns still without a description. ``frames``: the driver frames the marts
    read (None: read again)."""
    from cjx.metrics.glossary import document_marts
    from cjx.metrics.revisits import update_revisits

    with closing(connect(ws.db)) as con:
        con.execute("BEGIN TRANSACTION")
        counts = update_revisits(con, frames)
        undocumented = document_marts(con)
        con.execute("COMMIT")
    return counts, undocumented


def score_comments(ws: Workspace) -> dict[str, int]:
    """Language, sentiment and themes of the comments (cjx.comments), in one transaction, before the marts."""
    from cjx.comments.score import score_comments as score_all

    with closing(connect(ws.db)) as con:
        con.execute("BEGIN TRANSACTION")
        counts = score_all(con, ws.journey.journey)
        con.execute("COMMIT")
    return counts


def score(ws: Workspace, progress: Callable[[str], None] | None = None) -> ScoreResult:
    """Score the comments, build the marts (scorecard, importance, priority, themes, ...), then the revisit
    snapshots and comparisons. ``progress`` hears the long steps (importance per revisit and per batch of
    resamples); default: the cjx log."""
    from cjx.metrics.drivers import DriverFrames

    score_comments(ws)
    frames = DriverFrames()  # the answers read and pivoted once for every importance of the step
    marts = build_all_marts(ws, progress, frames)
    revisits, undocumented = update_revisit_records(ws, frames)
    return ScoreResult(marts, revisits, undocumented)


def score_lines(scored: ScoreResult) -> list[str]:
    """What scoring did, for the log."""
    lines = [f"score: columns without a description: {', '.join(scored.undocumented)}"] if scored.undocumented else []
    lines.append("score: " + ", ".join(f"marts.{k} {v} rows" for k, v in scored.marts.items()))
    lines.append(
        f"score: {scored.revisits['snapshots_taken']} revisit snapshot(s) taken, "
        f"{scored.revisits['changes']} change row(s)"
    )
    return lines


# -- what a run should say went wrong -----------------------------------------------------------------------


def run_warnings(ws: Workspace) -> list[str]:
    """One line per declared source that got no rows for the latest revisit with data, and for the outcome when
    its question has no answer there (no importance can be derived): a run with any ends "completed with
    warnings"."""
    from cjx.store import query

    outcome = ws.journey.journey.outcome
    with closing(connect(ws.db)) as con:
        rows = query(con, "ops/latest_revisit_rows", {"outcome_column": (outcome and outcome.question) or ""})
    if rows.empty:
        return ["no revisit has any data yet: every scorecard is empty"]
    first = rows.iloc[0]
    revisit = f"revisit {first.revisit_id} ({first.start_date:%Y-%m-%d}..{first.end_date:%Y-%m-%d})"
    counts = dict(zip(rows.source_id, rows.n_rows))
    warnings = [
        f"source {source.id!r} got no rows for the latest {revisit}"
        for source in ws.journey.journey.sources
        if not counts.get(source.id)
    ]
    if outcome is not None and outcome.source is not None and counts.get(outcome.source):
        answers = dict(zip(rows.source_id, rows.n_outcome_answers)).get(outcome.source, 0)
        if not answers:
            warnings.append(
                f"the outcome {outcome.source}.{outcome.question} has no answer in the latest {revisit}: "
                "no importance or priority for it"
            )
    # A declared weighting that a revisit's respondents cannot meet: that revisit is reported unweighted, and says so.
    from cjx.segments.weights import weighting_warnings

    with closing(connect(ws.db)) as con:
        warnings += weighting_warnings(con)
    return warnings


# -- report ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevisitReport:
    """The files written for one revisit, and the headline and priorities the flow shows as artifacts."""

    revisit_id: str
    scorecard: str
    owner_pages: list[str]
    exports: list[str]
    markdown: str
    priority_rows: list[dict]


@dataclass(frozen=True)
class ReportResult:
    revisits: list[RevisitReport]  # oldest revisit first
    pngs: list[str] = field(default_factory=list)
    snapshot_skipped: str | None = None  # why no PNG was written

    @property
    def scorecards(self) -> list[str]:
        """The main pages; owner pages and exports sit in the scorecard_<revisit>/ folder beside each."""
        return [r.scorecard for r in self.revisits]

    @property
    def latest(self) -> RevisitReport | None:
        return self.revisits[-1] if self.revisits else None


def revisits_to_report(ws: Workspace) -> list[str]:
    """Revisits with at least one response, oldest first."""
    with closing(connect(ws.db)) as con:  # not read_only: the run holds this file open for writing
        return revisits_with_data(con)


def write_revisit_report(ws: Workspace, revisit_id: str) -> RevisitReport:
    """Exports (CSV, XLSX), owner pages and the main page of one revisit."""
    from cjx.privacy.paths import inside
    from cjx.report import ReportFiles, load_scorecard_data, render_owner_page, render_scorecard
    from cjx.report.artifacts import headline_markdown, priority_rows
    from cjx.report.assets import write_assets
    from cjx.report.exports import write_exports
    from cjx.report.segments import load_segment_data

    out = ws.reports
    with closing(connect(ws.db)) as con:  # not read_only: the run holds this file open for writing
        data = load_scorecard_data(con, revisit_id)
        segments = load_segment_data(con, revisit_id)  # the pages' segment selector (cjx.report.segments)
        files = ReportFiles(revisit_id, tuple(data.owners))
        # readable CSV/XLSX in the page's language, raw mart rows as Parquet (cjx.report.exports)
        exports = write_exports(inside(out, f"{files.folder}/exports"), con, data)
    write_assets(out)  # the plotly.js bundle the main pages share
    # inside(): every write is confirmed to stay in the reports folder (cjx.privacy.paths)
    owner_pages = [
        _write(inside(out, files.owner(owner)), render_owner_page(data, owner, segments)) for owner in data.owners
    ]
    links = [(Path(p).name, str(Path(p).relative_to(out))) for p in exports]
    main = _write(inside(out, files.main), render_scorecard(data, exports=links, segments=segments))
    return RevisitReport(revisit_id, main, owner_pages, exports, headline_markdown(data, main), priority_rows(data))


def snapshot_scorecards(scorecards: list[str]) -> SnapshotResult:
    """PNG snapshots (whole page and each chart) into scorecard_<revisit>/exports/png/, if chromium is here."""
    from cjx.report.snapshot import snapshot_pages

    return snapshot_pages([(Path(p), Path(p).with_suffix("") / "exports" / "png") for p in scorecards])


def report(ws: Workspace) -> ReportResult:
    """Every revisit's scorecard, owner pages and exports into ws.reports, then their PNG snapshots."""
    written = [write_revisit_report(ws, revisit_id) for revisit_id in revisits_to_report(ws)]
    if not written:
        return ReportResult([])
    snapshots = snapshot_scorecards([w.scorecard for w in written])
    return ReportResult(written, snapshots.written, snapshots.skipped)


def report_lines(reported: ReportResult) -> list[str]:
    """What reporting wrote, for the log (why PNGs were skipped is a warning of its own)."""
    lines = [
        f"report: {w.scorecard} with {len(w.owner_pages)} owner page(s) and {len(w.exports)} export(s)"
        for w in reported.revisits
    ]
    lines.append(f"report: {len(reported.pngs)} PNG snapshot(s) written")
    return lines


def existing_scorecards(ws: Workspace) -> list[str]:
    """The main scorecard pages already in ws.reports."""
    return sorted(map(str, ws.reports.glob("scorecard_*.html")))


def _write(path: Path, content: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


# -- publish ---------------------------------------------------------------------------------------------------


def publish(ws: Workspace, run_id: str | None = None) -> dict[str, object]:
    """Replace the published copy (database, Parquet exports of the marts, manifest) in one swap
    (cjx.store.publish)."""
    return publish_database(ws.db, run_id)


# -- runs ------------------------------------------------------------------------------------------------------


@dataclass
class RunRecord:
    """The run being recorded: its id, the files its ingest saw, the status it ends with if nothing fails, the
    warnings it ends with, and what to do once it is marked finished (publish, so the copy shows it finished)."""

    run_id: str
    files: list[FileResult] = field(default_factory=list)
    status: str = "completed"
    warnings: list[str] = field(default_factory=list)
    after_finish: Callable[[], object] | None = None
    published: object = None
    release: Callable[[], AbstractContextManager[None]] | None = None  # set by recorded_run


@contextmanager
def _hold(ws: Workspace, record: RunRecord, wait: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """The run's connection to the working database, with record.release() to let go of the file for a moment
    (cjx forget replaces the file itself) and take it back."""
    state = {"con": open_working_database(ws.db, wait)}

    @contextmanager
    def release() -> Iterator[None]:
        state["con"].close()
        try:
            yield
        finally:
            state["con"] = open_working_database(ws.db, wait)

    record.release = release
    try:
        yield state["con"]
    finally:
        state["con"].close()


@contextmanager
def recorded_run(ws: Workspace, run_id: str, log: Logger = log) -> Iterator[RunRecord]:
    """Hold the run lock and the working database, and record the run in ops.runs: running, then record.status
    (or failed with the error; killed when interrupted), then record.after_finish.

    The lock comes first: a run that finds another one writing the database stops (RunLocked) before touching
    anything. Then the database itself: a foreign process holding it (a notebook) makes the run wait, then stop
    with one line naming its pid (DatabaseHeld), kept beside the database for the next run to put in ops.runs.
    Both waits last up to $CJX_LOCK_WAIT seconds. The connection opened here stays open until the run is over, so
    that nothing can take the file between two steps (each step's connection shares it, same process).
    """
    wait = settings.lock_wait_seconds()
    record = RunRecord(run_id)
    with run_lock(ws.db, wait_seconds=wait):
        try:
            hold = _hold(ws, record, wait)
            held = hold.__enter__()
        except DatabaseHeld as exc:
            record_pending_failure(ws.db, run_id, ws.version, str(exc))
            raise
        try:
            migrate(held)
            flush_pending_runs(held, ws.db)
            for killed in mark_killed(held, run_id):
                log.warning("run %s never finished (killed): marked killed", killed)
                journal_run(held, ws.db, killed)
            start_run(held, run_id, ws.version)
            journal_run(held, ws.db, run_id)
            for leftover in clean_published(ws.db):
                log.info("publish: removed %s, left by an earlier publish", leftover)
            try:
                yield record
            except Exception as exc:
                _finish(ws, record, "failed", f"{type(exc).__name__}: {exc}")
                raise
            except BaseException as exc:  # Ctrl-C, SIGTERM (turned into KeyboardInterrupt), SystemExit
                _finish(ws, record, "killed", f"killed: interrupted ({type(exc).__name__})")
                raise
            _finish(ws, record, record.status)
            if record.after_finish is not None:
                try:
                    record.published = record.after_finish()
                except Exception as exc:
                    _finish(ws, record, "failed", f"publish: {type(exc).__name__}: {exc}")
                    raise
                with closing(connect(ws.db)) as con:
                    finished = con.execute("SELECT run_id FROM ops.runs WHERE status <> 'running'").fetchall()
                prune_journal(ws.db, {r[0] for r in finished})
        finally:
            hold.__exit__(None, None, None)


def _finish(ws: Workspace, record: RunRecord, status: str, error: str | None = None) -> None:
    with closing(connect(ws.db)) as con:  # shares the instance the run holds (same process, same file)
        finish_run(con, record.run_id, status, [f.as_dict() for f in record.files], error, record.warnings)
        journal_run(con, ws.db, record.run_id)


def nothing_new(ws: Workspace, files: list[FileResult], run_id: str) -> bool:
    """No new file, the last pipeline run ended well with this journey (cjx.store.runs.is_nothing_new), and its
    scorecards are there: marts and scorecards are current."""
    with closing(connect(ws.db)) as con:
        current = is_nothing_new(con, [f.as_dict() for f in files], ws.version, run_id)
    return current and any(ws.reports.glob("scorecard_*.html"))


@dataclass(frozen=True)
class Steps:
    """What a run calls for each step. The Prefect flow passes its tasks here (retries, artifacts)."""

    ingest: Callable[[Workspace], list[FileResult]] = ingest
    score: Callable[[Workspace], ScoreResult] = score
    report: Callable[[Workspace], ReportResult] = report
    publish: Callable[[Workspace, str], dict] = publish


@dataclass(frozen=True)
class RunResult:
    run_id: str
    files: list[FileResult]
    scored: ScoreResult | None = None
    reported: ReportResult | None = None
    scorecards: list[str] = field(default_factory=list)
    published: dict | None = None
    nothing_new: bool = False
    status: str = "completed"
    warnings: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)  # to send (the flow sends them: flows/alerts.py)

    def as_dict(self) -> dict:
        """What the pipeline flow returns: files (as dicts), marts (rows and revisit counts), scorecards,
        published, nothing_new, status, warnings."""
        return {
            "files": [f.as_dict() for f in self.files],
            "marts": self.scored.as_dict() if self.scored else {},
            "scorecards": self.scorecards,
            "published": self.published,
            "nothing_new": self.nothing_new,
            "status": self.status,
            "warnings": self.warnings,
            "alerts": [a.title for a in self.alerts],
        }


def run(ws: Workspace, *, run_id: str | None = None, steps: Steps = Steps(), log: Logger = log) -> RunResult:
    """The whole path for one journey under the run lock, recorded in ops.runs: ingest; then, unless nothing is
    new, score and report; the run is marked finished, then published (so the published copy shows it finished).
    A "nothing new" run publishes too when the published copy is missing. Step results go to `log` at INFO."""
    run_id = run_id or new_run_id()
    with recorded_run(ws, run_id, log) as record:
        record.files = files = steps.ingest(ws)
        _say(log, ingest_lines(files))
        if nothing_new(ws, files, run_id):
            log.info(NOTHING_NEW)
            record.status = "nothing new"
            if not is_published(ws.db):
                log.info("publish: the published copy is missing: publishing it again")
                record.after_finish = lambda: steps.publish(ws, run_id)
        else:
            scored = steps.score(ws)
            _say(log, score_lines(scored))
            reported = steps.report(ws)
            _say(log, report_lines(reported))
            if reported.snapshot_skipped:
                log.warning("report: %s", reported.snapshot_skipped)
            record.warnings = run_warnings(ws)
            for warning in record.warnings:
                log.warning("run: %s", warning)
            if record.warnings:
                record.status = "completed with warnings"
            record.after_finish = lambda: steps.publish(ws, run_id)
        alerts = alerts_for_run(ws.db, ws.journey, scored=record.status != "nothing new")
    published = record.published if isinstance(record.published, dict) else None
    if record.status == "nothing new":
        return RunResult(
            run_id,
            files,
            scorecards=existing_scorecards(ws),
            published=published,
            nothing_new=True,
            status=record.status,
            alerts=alerts,
        )
    return RunResult(
        run_id,
        files,
        scored,
        reported,
        reported.scorecards,
        published,
        status=record.status,
        warnings=record.warnings,
        alerts=alerts,
    )


def run_ingest(
    ws: Workspace,
    *,
    run_id: str | None = None,
    step: Callable[[Workspace], list[FileResult]] = ingest,
    log: Logger = log,
) -> list[FileResult]:
    """The ingest step alone, under the run lock and recorded in ops.runs (run id ingest-<uuid>); the marts
    and scorecards are rebuilt by the next run."""
    with recorded_run(ws, run_id or new_run_id("ingest"), log) as record:
        record.files = files = step(ws)
        _say(log, ingest_lines(files))
    return files


def run_reprocess(
    ws: Workspace, sources: list[str] | None = None, *, run_id: str | None = None, log: Logger = log
) -> list[FileResult]:
    """`reprocess` alone, under the run lock and recorded in ops.runs (run id reprocess-<uuid>)."""
    with recorded_run(ws, run_id or new_run_id("reprocess"), log) as record:
        record.files = files = reprocess(ws, sources)
        _say(log, [line.replace("ingest: ", "reprocess: ", 1) for line in ingest_lines(files)])
    return files


def _say(log: Logger, lines: list[str]) -> None:
    for line in lines:
        log.info(line)
