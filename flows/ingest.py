"""Ingest flow: every declared source's files -> raw -> core, gated by great-expectations, recorded in ops.

The work is cjx.pipeline.ingest; this adds the retries on transient failures and the ingested-files artifact.
With `parallel=True` (run it through `ingest_on_dask`), each file is parsed, staged and gated on what it holds
alone on the cluster of the flow's task runner (Prefect's DaskTaskRunner: a local cluster or a remote scheduler)
into a Parquet partition, and one `write_partitions` task, in the flow's own process, loads them in arrival order
against core (cjx.scale.writer).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.runtime import flow_run

from cjx import pipeline, settings
from cjx.ingest import FileResult
from cjx.pipeline import Workspace, open_workspace
from cjx.scale import partition, writer


def _transient(task, task_run, state) -> bool:
    """Retry only what a second try can fix: a file still being copied, a disk hiccup; not bad data or code."""
    return isinstance(state.result(raise_on_failure=False), (duckdb.IOException, OSError))


def _artifact(files: list[FileResult]) -> None:
    create_table_artifact(
        key="ingested-files",
        description="Files seen by this ingest run",
        table=[{k: v for k, v in f.as_dict().items() if k not in ("notes", "quarantined_by_reason")} for f in files],
    )


# The workspace holds the pseudonym key: never cached or hashed (NO_CACHE); a task's inputs are not recorded.
@task(retries=2, retry_delay_seconds=5, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def ingest_files(ws: Workspace) -> list[FileResult]:
    """Ingest every source's new files (one transaction per file; unchanged files are skipped), gated by GX.
    A retry is safe: files loaded by the failed try are skipped."""
    files = pipeline.ingest(ws)
    _artifact(files)
    return files


@task(cache_policy=NO_CACHE)
def write_partitions(ws: Workspace) -> list[FileResult]:
    """The single writer: sends every new file to the flow's Dask cluster (cjx.scale.partition.parse_file, one Dask
    task per file: land, stage, the gate's file-local checks), then loads the partitions one transaction per file,
    in arrival order, as each is ready (cjx.scale.writer.ingest_partitioned: fate against core, core load, the
    uniqueness check, accounting).

    The files go to the DaskTaskRunner's own client as plain Dask tasks, not as one Prefect task each: a Prefect
    task run costs about 0.5 CPU s in the flow's process (its context serialised, its function tokenised) and as
    much again in the worker (measured, docs/scale.md), more than parsing a small export. Dask retries a parse
    whose worker died; a bad file is not a failure there (the partition carries why, the writer rejects it)."""
    client, local = _dask_client()
    if local:  # the writer is the critical path: on the flow's own machine the workers give it the CPU first
        client.run(os.nice, 10)

    def on_workers(jobs: list[partition.ParseJob]) -> Iterator[partition.Partition]:
        futures = client.map(partition.parse_file, jobs, pure=False, retries=2)
        return (future.result() for future in futures)

    files = writer.ingest_partitioned(ws, on_workers)
    _artifact(files)
    return files


def _dask_client():
    """The Dask client of the flow run's DaskTaskRunner (ingest_on_dask), and whether the runner started its own
    LocalCluster (no address); one line if the flow runs without it."""
    context = FlowRunContext.get()
    runner = context.task_runner if context is not None else None
    client = getattr(runner, "client", None)
    if client is None:
        raise RuntimeError("the parallel ingest needs the flow to run on a DaskTaskRunner: use ingest_on_dask")
    return client, not getattr(runner, "address", None)


@flow(name="ingest", log_prints=True)
def ingest(journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None, parallel: bool = False) -> list[dict]:
    """Ingest all sources of `journey` into the DuckDB file `db` (a run of its own in ops.runs: ingest-<id>);
    `parallel`: parse the files on the flow's task runner (see ingest_on_dask), one writer."""
    ws = open_workspace(journey, db)
    run_id = f"ingest-{flow_run.id}" if flow_run.id else None
    step = write_partitions if parallel else ingest_files
    files = pipeline.run_ingest(ws, run_id=run_id, step=step, log=get_run_logger())
    return [f.as_dict() for f in files]


def dask_runner(workers: int = 2, address: str | None = None, memory_limit: str = "1GiB"):
    """Prefect's DaskTaskRunner: against the scheduler at `address`, else a LocalCluster of `workers` processes
    (one thread each: DuckDB parallelises inside a file, Dask across files)."""
    from prefect_dask import DaskTaskRunner  # the `scale` extra: pip install 'cjx[scale]'

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True, "memory_limit": memory_limit}
    )


def ingest_on_dask(
    journey: str = str(settings.SAMPLE_JOURNEY), db: str | None = None, *, workers: int = 2, address: str | None = None
) -> list[dict]:
    """The ingest flow with its per-file parsing on Dask (a local cluster of `workers`, or `address`)."""
    return ingest.with_options(task_runner=dask_runner(workers, address))(journey=journey, db=db, parallel=True)
