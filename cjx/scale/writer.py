"""The single writer: plan the files of a run, then load their partitions one file per transaction, in order.

`plan_jobs` lists the new files of every source in the order a serial ingest takes them (sources as declared,
files by name: cjx.ingest.run.source_files), each a `ParseJob` any worker can run (cjx.scale.partition).
`ingest_partitioned` is cjx.ingest.run.ingest_journey with the file-local work done elsewhere: it takes the
partitions in that same order, whatever order the workers finish in, and loads each through
`cjx.ingest.ingest_file` with three stand-ins: a lander that reads the raw rows from the Parquet files instead of
the export, a stager that reads the staged cells and row checks the worker made (`partition_stager`: no
re-parsing) and decides each row's fate against core (cjx.ingest.staging.stage_file_fate), and a gate that takes
the worker's verdict (great-expectations on the checks that do not depend on core) and adds, in SQL, the checks
that do (`PartitionGate`: the uniqueness of the ids about to be loaded). Everything else (the "seen before" rule,
the core load, the accounting, the rollback of a failing batch, rejected and archived files) is the serial code,
on the one connection, so the database ends exactly as a serial run leaves it.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from cjx.ingest.fingerprint import file_id as make_file_id
from cjx.ingest.fingerprint import sha256_file
from cjx.ingest.gate import BatchGate, GateOutcome, Verdict
from cjx.ingest.landing import Landed
from cjx.ingest.limits import safe_name
from cjx.ingest.load_file import FileResult, Lander, Stager, ingest_file, record_rejected_move
from cjx.ingest.reprocess import record_version, reprocess_sources, stale_sources
from cjx.ingest.run import archive_dir, move_to_archive, move_to_rejected, rejected_dir, source_files
from cjx.ingest.staging import (
    create_views,
    ensure_raw_table,
    file_columns,
    prepare_source,
    raw_names_for,
    raw_table,
    sql_literal,
    stage_file_fate,
)
from cjx.journey.model import Journey, Source
from cjx.privacy.scrub import define_sql_scrub
from cjx.scale.partition import ParseJob, Partition, here, load_staged, parse_file, remove_partition
from cjx.workspace import open_database

if TYPE_CHECKING:
    from cjx.pipeline import Workspace

ParseAll = Callable[[list[ParseJob]], Iterable[Partition]]


def partition_root(db: Path, folder: str | Path | None = None) -> Path:
    """Where partitions go: `folder`, else $CJX_PARTITIONS, else `<database>.partitions/` beside the database.
    With a remote cluster it must be a folder every worker and the writer see (shared storage)."""
    chosen = folder or os.environ.get("CJX_PARTITIONS")
    return Path(chosen).resolve() if chosen else db.resolve().with_name(db.name + ".partitions")


def plan_jobs(con: duckdb.DuckDBPyConnection, ws: Workspace, folder: Path) -> list[ParseJob]:
    """Every file the sources' patterns match now, in serial order; the erased list as it stands."""
    erased = tuple(r[0] for r in con.execute("SELECT pseudonym_hash FROM ops.erased_respondents").fetchall())
    lj = ws.journey
    jobs: list[ParseJob] = []
    for source in lj.journey.sources:
        for path in source_files(lj, source):
            jobs.append(
                ParseJob(str(lj.path), lj.version, str(ws.db), source.id, str(path), str(folder), len(jobs), erased)
            )
    return jobs


def serial_parse(jobs: list[ParseJob]) -> Iterator[Partition]:
    """Parse in this process, one file after the other (what a run without workers would do)."""
    return map(parse_file, jobs)


def ingest_partitioned(
    ws: Workspace, parse_all: ParseAll = serial_parse, *, folder: Path | None = None
) -> list[FileResult]:
    """cjx.pipeline.ingest with the per-file work done by `parse_all` (on Dask workers, say); one writer."""
    gate = BatchGate(ws.docs_dir)
    root = (folder or partition_root(ws.db)) / f"run-{uuid.uuid4().hex[:12]}"
    key = ws.pseudonym_key  # resolved (the key file made, if it is one) before any worker looks for it
    with closing(open_database(ws.journey, ws.db)) as con:
        results: list[FileResult] = []
        stale = stale_sources(con, ws.journey)
        if stale:
            results += reprocess_sources(con, ws.journey, key, stale, gate=gate, reason="journey file changed")
        jobs = plan_jobs(con, ws, root)
        if jobs:
            _import_gate_library()
        try:
            results += _write_all(con, ws, _in_order(con, jobs, parse_all), key, gate)
        finally:
            _remove_empty(root)
    if any(r.status != "skipped" for r in results):
        gate.build_docs()  # the workers' validation results are in its store (PartitionGate: keep_result)
    return results


def _in_order(con: duckdb.DuckDBPyConnection, jobs: list[ParseJob], parse_all: ParseAll) -> Iterator[Partition]:
    """Every job's partition in arrival order; a file whose content is loaded already is not sent to a worker
    (ingest_file skips it before landing, as a serial run does, and records the skip)."""
    loaded = set(con.execute("SELECT source_id, sha256 FROM ops.ingest_files WHERE status = 'loaded'").fetchall())
    digests = [sha256_file(Path(job.path)) for job in jobs]
    seen = {
        job.seq: Partition(job, make_file_id(d, job.source_id), d)
        for job, d in zip(jobs, digests)
        if (job.source_id, d) in loaded  # per source, as ingest_file's seen-before check
    }
    parsed = iter(parse_all([job for job in jobs if job.seq not in seen]))
    for job in jobs:
        yield seen[job.seq] if job.seq in seen else next(parsed)


def _write_all(
    con: duckdb.DuckDBPyConnection, ws: Workspace, parts: Iterable[Partition], key: str, gate: BatchGate
) -> list[FileResult]:
    lj = ws.journey
    keep_ids = lj.journey.settings.keep_raw_identifiers
    results: list[FileResult] = []
    loaded_sources: set[str] = set()
    judged: list[tuple[Source, Verdict]] = []
    for expected, part in enumerate(parts):
        if part.job.seq != expected:
            raise RuntimeError(f"partition {part.job.seq} arrived where {expected} was due: the writer needs order")
        source = lj.journey.source(part.job.source_id)
        path = Path(part.job.path)
        try:
            result = ingest_file(
                con,
                path,
                source,
                pseudonym_key=key,
                keep_raw_identifiers=keep_ids,
                journey=lj.journey,
                gate=PartitionGate(part, gate, judged),
                lander=partition_lander(part),
                stager=partition_stager(part),
            )
        finally:
            remove_partition(part)
        if part.parsed_by and part.parsed_by != here() and result.status != "skipped":
            note = f"{safe_name(path.name)}: parsed in {part.parsed_by} (a worker), loaded by the writer"
            result = dataclasses.replace(result, notes=(*result.notes, note))
        # what cjx.ingest.run.ingest_source does with each file's result
        if result.status == "rejected":
            moved = move_to_rejected(path, rejected_dir(lj), result.reject_reason or "rejected", result.file_id)
            record_rejected_move(con, result.file_id, moved)
            result = FileResult(**{**result.as_dict(), "rejected_to": str(moved), "notes": tuple(result.notes)})
        elif result.status in ("loaded", "skipped") and (archive := archive_dir(lj)) is not None:
            move_to_archive(path, archive / source.id, result.file_id)
        if result.status == "loaded":
            loaded_sources.add(source.id)
        results.append(result)
    for source in lj.journey.sources:
        if source.id in loaded_sources:
            # the staging views as a serial run's last loaded file of the source leaves them (a rejected file's
            # rendering rolls back with it): rendered from raw as it now stands
            create_views(con, source)
            record_version(con, lj.journey, source)
    for source, verdict in judged:
        gate.keep_result(source, verdict)
    return results


def partition_lander(part: Partition) -> Lander:
    """A cjx.ingest.load_file.Lander that puts the partition's rows in raw.<source> (the export is not read again)."""

    def lander(
        con: duckdb.DuckDBPyConnection,
        path: Path,
        source: Source,
        file_id: str,
        key: str,
        keep_raw_identifiers: bool,
        journey: Journey | None,
    ) -> Landed:
        if file_id != part.file_id:
            raise RuntimeError(f"{path.name} changed after it was parsed: run again")
        exc = part.exception()
        if exc is not None:
            raise exc  # the very exception landing raised: the reason is the one a serial run gives
        if part.folder is None:
            raise RuntimeError(f"{path.name} was not parsed: run again")
        landed = part.landed_value()
        load_raw(con, part, source, landed.columns)
        define_sql_scrub(con)  # what privacy at landing leaves on the connection
        # raw.<source>'s declared columns and the codebook labels, as a serial landing leaves them; no staging view:
        # nothing the writer does reads them (the worker staged the file), so _write_all renders them once at the end
        prepare_source(con, journey, source, views=())
        return landed

    return lander


def partition_stager(part: Partition) -> Stager:
    """A cjx.ingest.load_file.Stager that takes the cells and row checks the worker staged (nothing is parsed again)
    and decides each row's fate against core, as stage_file does."""

    def stager(con: duckdb.DuckDBPyConnection, source: Source, file_id: str) -> None:
        load_staged(con, part.folder or "", file_id)
        stage_file_fate(con, source, file_id)

    return stager


class PartitionGate:
    """The batch gate of a file a worker judged (`Partition.verdict`: great-expectations on every check that does not
    depend on core), completed by the checks that do, counted in SQL on the writer's staged landed_rows
    (cjx.ingest.gate.Verdict.with_core); the same ops.validations rows, success and reason as BatchGate.validate
    gives in a serial run. The completed verdict is kept in `judged`: its GX result goes into `gate`'s store at the
    end of the run, for Data Docs (BatchGate.keep_result), off the writer's path from file to file."""

    def __init__(self, part: Partition, gate: BatchGate, judged: list[tuple[Source, Verdict]]) -> None:
        self.part = part
        self.gate = gate
        self.judged = judged  # where the completed verdicts go, for the writer's Data Docs at the end of the run

    def validate(
        self,
        con: duckdb.DuckDBPyConnection,
        source: Source,
        file_name: str,
        file_id: str,
        *,
        max_failing_share: float = 0.5,
    ) -> GateOutcome:
        verdict = self.part.verdict
        if verdict is None or verdict.max_failing_share != max_failing_share:
            raise RuntimeError(f"{safe_name(file_name)} was not judged under the journey in force: run again")
        done: Verdict = verdict.with_core(con, source, file_id)
        self.judged.append((source, done))
        return done.outcome(file_name, self.gate.docs_dir)


def load_raw(con: duckdb.DuckDBPyConnection, part: Partition, source: Source, columns: list[str]) -> None:
    """Append the partition to raw.<source>, raw.files (file_seq: the next in this database), ops.scrubbed_text
    and ops.erased_rows."""
    folder = Path(part.folder or "")

    def parquet(name: str) -> str:
        # read_parquet in an INSERT binds no parameter for the path: a quoted literal (sql_literal)
        return f"read_parquet({sql_literal(str(folder / f'{name}.parquet'))})"

    ensure_raw_table(con, source, columns)
    con.execute(f"INSERT INTO {raw_table(source.id)} BY NAME SELECT * FROM {parquet('raw')}")
    seq = con.execute("SELECT nextval('raw.file_seq')").fetchall()[0][0]
    con.execute(
        f"INSERT OR REPLACE INTO raw.files BY NAME SELECT * REPLACE ($seq::BIGINT AS file_seq, "
        f"(now() AT TIME ZONE 'UTC')::TIMESTAMP AS landed_at) FROM {parquet('files')}",
        {"seq": seq},
    )
    con.execute(f"INSERT OR REPLACE INTO ops.scrubbed_text BY NAME SELECT * FROM {parquet('scrubbed')}")
    # a serial landing records every comment column raw.<source> has (earlier files' too), with zero counts
    present = set(file_columns(con, source.id))
    comments = [raw for q in source.questions if q.metric == "comment" for raw in raw_names_for(source, q.column)]
    for column in dict.fromkeys(c for c in comments if c in present):
        con.execute(
            "INSERT OR IGNORE INTO ops.scrubbed_text VALUES (?, ?, ?, 0, 0, 0)", [part.file_id, source.id, column]
        )
    con.execute(f"INSERT INTO ops.erased_rows BY NAME SELECT * FROM {parquet('erased')}")


def _import_gate_library() -> None:
    """Import great-expectations (4-6 CPU s, the gate's first file) in a thread while the workers parse the first
    files: the writer would only wait for them then, where a serial run pays the import on its critical path."""
    if "great_expectations" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()


def _remove_empty(root: Path) -> None:
    try:
        root.rmdir()
        root.parent.rmdir()
    except OSError:
        pass  # a partition kept on purpose, or another run's folder beside it
