"""Scheduling: the pipeline as a Prefect deployment on the journey's cron schedule, served by `cjx serve`.

A served deployment only runs when the server it is registered with runs Prefect's scheduler service; the
temporary server Prefect starts by itself does not (flows/server.py). So `cjx serve` serves against
PREFECT_API_URL when it is set, and otherwise starts a local Prefect server with the scheduler for as long
as it serves.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron

from cjx.journey import LoadedJourney
from flows.pipeline import pipeline
from flows.server import configured_api_url, local_server


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
        # the flow is imported by module, so scheduled runs work from any folder cjx is installed for
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C until Prefect's runner installs its own (graceful) SIGTERM handler, so that
    the `finally` blocks that stop the server run whenever the signal comes."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def serve_pipeline(
    lj: LoadedJourney, db: Path | None = None, reports: Path | None = None, say: Callable[[str], None] = print
) -> None:
    """Serve the deployment in this process until interrupted (Ctrl-C, SIGTERM): against PREFECT_API_URL, or a
    local Prefect server started for the purpose and stopped with it."""
    deployment = pipeline_deployment(lj, db, reports)
    schedule = lj.journey.schedule
    when = f"cron {schedule.cron!r} ({schedule.timezone})"
    with terminate_as_interrupt():
        if api_url := configured_api_url():
            say(f"cjx serve: serving the pipeline on {when} against PREFECT_API_URL={api_url}")
            serve(deployment)
            return
        say("cjx serve: starting a local Prefect server with the scheduler (PREFECT_API_URL is not set) ...")
        with local_server(scheduler=True) as server:
            say(
                f"cjx serve: Prefect server {server.ui_url} (pid {server.pid}; data in {server.home}, "
                f"log {server.log}); it stops when cjx serve stops"
            )
            say(f"cjx serve: serving the pipeline on {when}; Ctrl-C stops")
            serve(deployment)
        say("cjx serve: stopped the Prefect server")
