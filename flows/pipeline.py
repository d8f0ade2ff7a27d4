"""Pipeline flow: ingest, then score, then report, then publish. This is what runs on the schedule."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from prefect import flow, task
from prefect.runtime import flow_run

from cjx import settings
from cjx.journey import load_journey
from cjx.store import connect, migrate
from cjx.store.publish import publish
from cjx.store.runs import finish_run, is_nothing_new, run_lock, start_run
from flows.ingest import ingest
from flows.report import report
from flows.score import score


@task
def begin_run(db: str, run_id: str, journey_version: str) -> None:
    """Record the run in ops.runs as running."""
    with closing(connect(db)) as con:
        migrate(con)
        start_run(con, run_id, journey_version)


@task
def end_run(db: str, run_id: str, status: str, files: list[dict], error: str | None = None) -> None:
    """Record how the run ended."""
    with closing(connect(db)) as con:
        finish_run(con, run_id, status, files, error)


@task
def nothing_new(db: str, files: list[dict], journey_version: str, run_id: str) -> bool:
    """True when no file is new and the previous run completed with the same journey."""
    with closing(connect(db)) as con:
        return is_nothing_new(con, files, journey_version, run_id)


@task
def publish_for_readers(db: str) -> dict:
    """Replace the read-only copy and the Parquet exports of the marts."""
    return publish(Path(db))


@flow(name="pipeline", log_prints=True)
def pipeline(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None, reports: str | None = None) -> dict:
    """Run the whole path for one journey file; return what each step did."""
    db = str(settings.database_path(db))
    reports_dir = settings.reports_dir(reports)
    version = load_journey(journey).version
    run_id = str(flow_run.id or "local")
    with run_lock(Path(db), wait_seconds=settings.lock_wait_seconds()):
        begin_run(db, run_id, version)
        files: list[dict] = []
        try:
            files = ingest(journey=journey, db=db)
            if nothing_new(db, files, version, run_id) and any(reports_dir.glob("scorecard_*.html")):
                print("nothing new: no new file and the journey is unchanged; marts and scorecards are current")
                end_run(db, run_id, "nothing new", files)
                return {"files": files, "marts": {}, "scorecards": sorted(map(str, reports_dir.glob("scorecard_*.html"))),
                        "published": None, "nothing_new": True}
            marts = score(db=db)
            scorecards = report(db=db, reports=str(reports_dir))
            published = publish_for_readers(db)
        except Exception as exc:
            end_run(db, run_id, "failed", files, f"{type(exc).__name__}: {exc}")
            raise
        end_run(db, run_id, "completed", files)
    return {"files": files, "marts": marts, "scorecards": scorecards, "published": published, "nothing_new": False}


if __name__ == "__main__":
    pipeline()
