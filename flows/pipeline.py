"""Pipeline flow: ingest, then score, then report. This is what runs on the schedule."""

from __future__ import annotations

from prefect import flow

from cjx import settings
from flows.ingest import ingest
from flows.report import report
from flows.score import score


@flow(name="pipeline", log_prints=True)
def pipeline(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None, reports: str | None = None) -> dict:
    """Run the whole path for one journey file; return what each step did."""
    files = ingest(journey=journey, db=db)
    marts = score(db=db)
    scorecards = report(db=db, reports=reports)
    return {"files": files, "marts": marts, "scorecards": scorecards}


if __name__ == "__main__":
    pipeline()
