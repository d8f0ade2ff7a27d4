"""Pipeline flow: ingest, then score, then report, then publish. This is what runs on the schedule.

The run itself (lock, ops.runs, the "nothing new" rule) is cjx.pipeline.run; the flow runs each step as a task.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from cjx import pipeline as library
from cjx import settings
from cjx.pipeline import Steps, Workspace, open_workspace
from flows.alerts import send_alerts
from flows.ingest import dask_runner, ingest_files, write_partitions
from flows.report import write_reports
from flows.score import score_marts


@task(cache_policy=NO_CACHE)
def publish_for_readers(ws: Workspace, run_id: str) -> dict:
    """Replace the published copy (database, Parquet exports of the marts) in one swap, once the run is marked
    finished."""
    return library.publish(ws, run_id)


TASKS = Steps(ingest=ingest_files, score=score_marts, report=write_reports, publish=publish_for_readers)
# the same, with the files parsed on the flow's Dask cluster and loaded by one writer (flows.ingest.write_partitions)
PARALLEL_TASKS = Steps(ingest=write_partitions, score=score_marts, report=write_reports, publish=publish_for_readers)


@flow(name="pipeline", log_prints=True)
def pipeline(
    journey: str = str(settings.SAMPLE_JOURNEY),
    db: str | None = None,
    reports: str | None = None,
    parallel: bool = False,
) -> dict:
    """Run the whole path for one journey file; return what each step did. `parallel`: parse the files on the
    flow's task runner (a DaskTaskRunner: pipeline_on_dask), one writer."""
    ws = open_workspace(journey, db, reports)
    steps = PARALLEL_TASKS if parallel else TASKS
    result = library.run(ws, run_id=str(flow_run.id or "local"), steps=steps, log=get_run_logger())
    if result.warnings:
        create_markdown_artifact(
            key="run-warnings",
            markdown=f"**Run {result.status}**\n\n" + "\n".join(f"- {w}" for w in result.warnings),
            description="What this run wants the analyst to know",
        )
    if result.alerts and ws.journey.journey.alerts is not None:
        sent = send_alerts(ws.journey.journey.alerts, result.alerts, return_state=True)
        if not sent.is_completed():  # the run itself went well: a notification that cannot be sent is logged
            get_run_logger().error("alerts: could not be sent: %s", sent.message)
    return result.as_dict()


def pipeline_on_dask(
    journey: str = str(settings.SAMPLE_JOURNEY),
    db: str | None = None,
    reports: str | None = None,
    *,
    workers: int = 2,
    address: str | None = None,
) -> dict:
    """The pipeline flow with its files parsed on Dask (a local cluster of `workers`, or `address`)."""
    runner = dask_runner(workers, address)
    return pipeline.with_options(task_runner=runner)(journey=journey, db=db, reports=reports, parallel=True)


if __name__ == "__main__":
    pipeline()
