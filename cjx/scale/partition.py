"""Parse and stage one export into a Parquet partition, writing nothing to the main database: the per-file part of
an ingest, everything that reads only the file's own rows.

A worker (any process, on any machine that sees the inbox and the partition folder) does for one file what
`cjx.ingest.load_file.ingest_file` does before the file meets core: detect the format, read it with its adapter
under the journey's limits, keep its rows as raw records with the identifiers pseudonymised, apply privacy at
landing (erased people dropped, misaligned rows protected, comments scrubbed: `cjx.privacy.landing`), stage it
(`cjx.ingest.staging.stage_file_cells`: the parsed rated cells, the text cells and the row checks, rendered from
the same templates) and judge it with the batch gate's checks that do not depend on core, great-expectations
included (`cjx.ingest.gate.BatchGate.judge(local=True)`). It does so in a scratch in-memory DuckDB with the
schema migrated and the journey synced (its core holds no rows), then writes the result as one folder per file:

    <partition folder>/<file_id>/raw.parquet         the file's rows of raw.<source> (pseudonymised, scrubbed)
                                 files.parquet       its raw.files row (format, header, Excel dates, columns)
                                 scrubbed.parquet    its ops.scrubbed_text rows (tags put in, per comment column)
                                 erased.parquet      its ops.erased_rows row (rows of erased people not kept)
                                 cells.parquet       temp view landed_cells (rated answers and measures, parsed)
                                 comments.parquet    landed_comments (comment cells, as given)
                                 attributes.parquet  landed_attributes (the touchpoint_by column's cells)
                                 row_checks.parquet  staged_row_checks (per row: ids, at_utc, reason, message)

and returns a `Partition` (the file id, the adapter's `Landed` and the gate's `Verdict`, or the exception that
rejected the file). Only pseudonyms ever reach the folder; `cjx.scale.writer` loads a partition (`load_staged`
for the staged relations, the very function the worker's gate ran on) and removes it.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import socket
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from cjx import settings
from cjx.ingest.adapters import land
from cjx.ingest.fingerprint import file_id as make_file_id
from cjx.ingest.fingerprint import sha256_file
from cjx.ingest.gate import Verdict, default_gate
from cjx.ingest.landing import Landed, drop_landing
from cjx.ingest.limits import safe_name, use_limits
from cjx.ingest.raw import keep_raw
from cjx.ingest.staging import prepare_source, raw_table, sql_literal, stage_file_cells, stage_file_fate
from cjx.journey.load import LoadedJourney, load_journey
from cjx.journey.sync import sync_journey
from cjx.privacy.messages import redacted_traceback
from cjx.store import migrate

log = logging.getLogger("cjx.scale")

PARTS = ("raw", "files", "scrubbed", "erased")
# the staged relations of one file, as cjx.ingest.staging.stage_file_cells leaves them: partition part -> relation
STAGED = {
    "cells": "landed_cells",
    "comments": "landed_comments",
    "attributes": "landed_attributes",
    "row_checks": "staged_row_checks",
}


@dataclass(frozen=True)
class ParseJob:
    """One file to parse: everything a worker needs, as plain values (it travels to the Dask scheduler).

    No key travels: the worker resolves the pseudonym key itself, as the run does ($CJX_PSEUDONYM_KEY, the
    journey's Secret block, or the key file beside `db`), so it never sits in a task's inputs."""

    journey: str  # the journey file
    version: str  # its sha256 when the run planned this job: a worker refuses another version
    db: str  # the database path (only to find the pseudonym key file beside it; never opened)
    source_id: str
    path: str
    folder: str  # the partition folder
    seq: int  # arrival order within the run: the writer loads partitions in this order
    erased: tuple[str, ...] = ()  # ops.erased_respondents.pseudonym_hash at planning time (hashes of pseudonyms)


@dataclass
class Partition:
    """What a worker made of one file: where its Parquet files are, or why it could not be landed."""

    job: ParseJob
    file_id: str
    sha256: str
    folder: str | None = None  # <partition folder>/<file_id>, None when rejected
    landed: dict = field(default_factory=dict)  # cjx.ingest.landing.Landed as a dict
    error: bytes | None = None  # the pickled exception that rejected the file (re-raised by the writer)
    verdict: Verdict | None = None  # the batch gate's checks that do not depend on core (the writer adds the rest)
    parsed_by: str = ""  # "process <pid> on <host>": where the parsing ran (a Dask worker's, or the writer's own)

    def landed_value(self) -> Landed:
        data = dict(self.landed)
        for name in ("partial", "non_response"):
            if data.get(name) is not None:
                data[name] = (data[name][0], list(data[name][1]))
        return Landed(**data)

    def exception(self) -> Exception | None:
        return pickle.loads(self.error) if self.error is not None else None  # our own bytes, made just above


_JOURNEYS: dict[tuple[str, str], LoadedJourney] = {}
_SCRATCH: dict[tuple[int, int], duckdb.DuckDBPyConnection] = {}  # (pid, thread): a connection is not shared
_SYNCED: dict[tuple[int, int], str] = {}  # the journey version synced into each scratch database


def parse_file(job: ParseJob) -> Partition:
    """Land `job.path` in a scratch database and write it as a partition; never raises for a bad file."""
    path = Path(job.path)
    sha256 = sha256_file(path)
    fid = make_file_id(sha256, job.source_id)
    lj = _journey(job)
    source = lj.journey.source(job.source_id)
    key = settings.pseudonym_key(Path(job.db), lj.journey.settings.pseudonym_key_block)
    keep_ids = lj.journey.settings.keep_raw_identifiers
    target = Path(job.folder) / fid
    con = _scratch(lj)
    _reset(con, job.erased)
    try:
        from cjx.privacy.landing import after_raw_landing  # cjx.privacy.landing imports cjx.ingest modules

        with use_limits(lj.journey.settings.limits):
            landed = land(con, path, source)
            keep_raw(con, path, source, fid, landed, pseudonym_key=key, keep_raw_identifiers=keep_ids)
            landed = after_raw_landing(
                con, source, fid, landed, pseudonym_key=key, keep_raw_identifiers=keep_ids, journey=lj.journey
            )
        prepare_source(con, lj.journey, source, views=("timestamps",))  # what row checks and the gate read
        stage_file_cells(con, source, fid)
        _write(con, target, source.id, fid)
        # the gate on what the writer will load: the staged relations read from the partition, each row's fate
        # decided against this database's core, which holds no rows (only the checks on CORE_METRICS depend on it,
        # and the gate leaves those to the writer)
        load_staged(con, str(target), fid)
        stage_file_fate(con, source, fid)
        share = lj.journey.settings.max_failing_share
        verdict = default_gate().judge(con, source, fid, max_failing_share=share, local=True)
    except Exception as exc:  # one file never breaks a run: the writer rejects it with serial's reason
        drop_landing(con)
        shutil.rmtree(target, ignore_errors=True)
        if not _is_file_rejected(exc):
            log.error("%s: cannot be read\n%s", safe_name(path.name), redacted_traceback(exc))
        return Partition(job, fid, sha256, error=_pickled(exc), parsed_by=here())
    return Partition(job, fid, sha256, folder=str(target), landed=asdict(landed), verdict=verdict, parsed_by=here())


def load_staged(con: duckdb.DuckDBPyConnection, folder: str, file_id: str) -> None:
    """The partition's staged relations as temp views over its Parquet files (landed_cells, landed_comments,
    landed_attributes, staged_row_checks), with the file's file_seq in this database (raw.files: the writer numbers
    files itself). Views, not tables: each is read about once where it lies (measured: a fifth of the CPU of copying
    them into temp tables first); the partition stays until the file's transaction is over."""
    seq = con.execute("SELECT file_seq FROM raw.files WHERE file_id = ?", [file_id]).fetchall()[0][0]
    for part, relation in STAGED.items():
        # read_parquet in a CREATE binds no parameter for the path: a quoted literal (sql_literal)
        parquet = f"read_parquet({sql_literal(str(Path(folder) / f'{part}.parquet'))})"
        columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {parquet}").fetchall()}
        replace = f" REPLACE ({int(seq)}::BIGINT AS file_seq)" if "file_seq" in columns else ""
        _drop_temp(con, relation)  # the last file's, or staging's (staging makes landed_cells a view over temp tables)
        con.execute(f"CREATE TEMP VIEW {relation} AS SELECT *{replace} FROM {parquet}")


def here() -> str:
    """This process, as a partition records where it was parsed."""
    return f"process {os.getpid()} on {socket.gethostname()}"


def remove_partition(part: Partition) -> None:
    """Delete the partition's folder (the writer has loaded it, or the file was skipped or rejected)."""
    if part.folder:
        shutil.rmtree(part.folder, ignore_errors=True)


def _journey(job: ParseJob) -> LoadedJourney:
    cached = _JOURNEYS.get((job.journey, job.version))
    if cached is None:
        cached = load_journey(job.journey)
        if cached.version != job.version:
            raise RuntimeError(
                f"{safe_name(Path(job.journey).name)} changed while the run was parsing its files; run again"
            )
        _JOURNEYS[(job.journey, job.version)] = cached
    return cached


def _scratch(lj: LoadedJourney) -> duckdb.DuckDBPyConnection:
    """One migrated in-memory database per worker thread (migrating costs more than landing a small file), with the
    journey in force synced into its core (staging reads core.questions); its core never holds a row."""
    where = (os.getpid(), threading.get_ident())
    con = _SCRATCH.get(where)
    if con is None:
        con = duckdb.connect(":memory:", config={"threads": 1})  # one file per worker: Dask runs the files side by side
        migrate(con)
        _SCRATCH[where] = con
    if _SYNCED.get(where) != lj.version:
        sync_journey(con, lj)
        _SYNCED[where] = lj.version
    return con


def _reset(con: duckdb.DuckDBPyConnection, erased: tuple[str, ...]) -> None:
    """Empty what the last file left: raw tables, their bookkeeping, the erased list (then this run's)."""
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'").fetchall():
        if table != "files":
            con.execute(f"DROP TABLE {raw_table(table)}")
    for relation in STAGED.values():  # the last file's views over its (deleted) partition
        _drop_temp(con, relation)
    for table in ("raw.files", "ops.scrubbed_text", "ops.erased_rows", "ops.erased_respondents"):
        con.execute(f"DELETE FROM {table}")
    if erased:
        con.executemany("INSERT INTO ops.erased_respondents VALUES (?, 'scale')", [[h] for h in erased])


def _drop_temp(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Drop temp table or view `relation` (one of STAGED's names), whichever it is, if it exists."""
    found = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE temporary AND view_name = $name "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE temporary AND table_name = $name",
        {"name": relation},
    ).fetchall()
    for (kind,) in found:
        con.execute(f"DROP {kind} {relation}")


def _write(con: duckdb.DuckDBPyConnection, target: Path, source_id: str, fid: str) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    queries = {
        "raw": f"SELECT * FROM {raw_table(source_id)}",
        "files": "SELECT * FROM raw.files",
        "scrubbed": "SELECT * FROM ops.scrubbed_text",
        "erased": "SELECT * FROM ops.erased_rows",
        **{part: f"SELECT * FROM {relation}" for part, relation in STAGED.items()},
    }
    for name, select in queries.items():
        # COPY ... TO takes no bound parameter: the path goes in as a quoted literal (cjx.ingest.staging.sql_literal)
        con.execute(f"COPY ({select}) TO {sql_literal(str(target / f'{name}.parquet'))} (FORMAT parquet)")


def _is_file_rejected(exc: Exception) -> bool:
    from cjx.ingest.errors import FileRejected

    return isinstance(exc, FileRejected)


def _pickled(exc: Exception) -> bytes:
    """The exception itself, so the writer rejects the file with the very reason a serial run gives."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
