"""Scheduling: the pipeline as a Prefect deployment on the journey's cron schedule."""

from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.schedules import Cron

from cjx.journey import LoadedJourney
from flows.pipeline import pipeline


def deployment_parameters(lj: LoadedJourney, db: Path | None, reports: Path | None) -> dict:
    """Flow parameters for scheduled runs: absolute paths, since the worker may start elsewhere."""
    return {
        "journey": str(lj.path),
        "db": str(db.resolve()) if db else None,
        "reports": str(reports.resolve()) if reports else None,
    }


def pipeline_deployment(lj: LoadedJourney, db: Path | None = None, reports: Path | None = None):
    """A served deployment of the pipeline flow on the journey's cron and time zone."""
    return pipeline.to_deployment(
        name=f"{lj.journey.journey.id}-scheduled",
        schedules=[Cron(lj.journey.schedule.cron, timezone=lj.journey.schedule.timezone)],
        parameters=deployment_parameters(lj, db, reports),
        concurrency_limit=1,  # never two runs at once; the run lock guards manual runs too
        tags=["cjx"],
    )


def serve_pipeline(lj: LoadedJourney, db: Path | None = None, reports: Path | None = None) -> None:
    """Serve the deployment in this process until interrupted."""
    serve(pipeline_deployment(lj, db, reports))
