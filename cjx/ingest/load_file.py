"""Ingest one file: land it in raw, stage it (staging views), load core, gate the batch (a failing batch rolls the
file back), account for every row."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, Protocol

import duckdb

from cjx.ingest.adapters import land
from cjx.ingest.errors import FileRejected
from cjx.ingest.fingerprint import file_id as make_file_id
from cjx.ingest.fingerprint import sha256_file
from cjx.ingest.landing import Landed
from cjx.ingest.limits import safe_name, use_limits
from cjx.ingest.raw import keep_raw
from cjx.ingest.reexports import repeated_note
from cjx.ingest.staging import prepare_source, stage_file
from cjx.journey.model import Journey, Source
from cjx.privacy.messages import redact, redact_reason, redacted_traceback
from cjx.store import run_sql
from cjx.store.db import fit_memory

if TYPE_CHECKING:
    from cjx.ingest.gate import GateOutcome

log = logging.getLogger("cjx.ingest")


class Gate(Protocol):
    """What ingest asks of a batch gate (cjx.ingest.gate.BatchGate): pass or reject one staged batch."""

    def validate(
        self,
        con: duckdb.DuckDBPyConnection,
        source: Source,
        file_name: str,
        file_id: str,
        *,
        max_failing_share: float = 0.5,
    ) -> GateOutcome: ...


DefaultGate = Literal["default"]
# How a file's rows reach raw.<source> (land_file, or cjx.scale.writer loading a partition parsed elsewhere):
# (con, path, source, file_id, pseudonym_key, keep_raw_identifiers, journey) -> Landed
Lander = Callable[[duckdb.DuckDBPyConnection, Path, Source, str, str, bool, "Journey | None"], Landed]
# How a landed file's staged temp relations are made (stage_file, or cjx.scale.writer loading the ones a worker
# staged): (con, source, file_id) -> None, leaving landed_cells, landed_comments, landed_attributes, landed_rows
Stager = Callable[[duckdb.DuckDBPyConnection, Source, str], None]
DEFAULT_GATE: Final = "default"  # the shared in-memory great-expectations gate (cjx.ingest.gate.default_gate)


@dataclass(frozen=True)
class FileResult:
    """What happened to one file; rows_read = rows_loaded + rows_quarantined + rows_duplicate."""

    file_id: str
    source_id: str
    path: str
    status: str  # loaded | rejected | skipped (content seen before)
    reject_reason: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    format: str | None = None
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    gate_seconds: float | None = None  # what the great-expectations batch gate took on this file
    rejected_to: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class _GateFailed(FileRejected):
    def __init__(self, message: str, validations: list[dict]) -> None:
        super().__init__(message)
        self.validations = validations


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    *,
    pseudonym_key: str,
    keep_raw_identifiers: bool = False,
    journey: Journey | None = None,
    gate: Gate | DefaultGate | None = DEFAULT_GATE,
    lander: Lander | None = None,
    stager: Stager | None = None,
) -> FileResult:
    """Ingest `path` for `source` in one transaction: land it in raw, stage it, load core, gate it.

    A file whose content was loaded before is skipped; one rejected before is tried again, since the
    journey file may have been fixed since. `journey` supplies named codebooks and the gate threshold;
    `gate` is a cjx.ingest.gate.BatchGate (None: no batch gate, for property tests only). Whatever goes
    wrong while reading or staging this one file rejects it with a one-line reason (traceback in the log).
    `lander` replaces land_file (cjx.scale.writer: rows parsed by another process into a Parquet partition), and
    `stager` replaces cjx.ingest.staging.stage_file (cjx.scale.writer: the cells and row checks staged there too).
    """
    sha256 = sha256_file(path)
    fid = make_file_id(sha256, source.id)
    seen = con.execute(  # per source: the same bytes for another source are another file (issue 11, item 8)
        "SELECT path FROM ops.ingest_files WHERE source_id = ? AND sha256 = ? AND status = 'loaded'",
        [source.id, sha256],
    ).fetchall()
    if seen:  # recorded per file, with the file it duplicates (migration 014)
        con.execute(
            "INSERT INTO ops.skipped_files VALUES (?, ?, ?, ?, ?)", [str(path), source.id, fid, seen[0][0], _now()]
        )
        note = f"{safe_name(path.name)}: the same content as {safe_name(Path(seen[0][0]).name)}, loaded before; skipped"
        return FileResult(fid, source.id, str(path), "skipped", notes=(note,))
    if gate == DEFAULT_GATE:
        from cjx.ingest.gate import default_gate

        gate = default_gate()

    validations: list[dict] = []
    con.execute("BEGIN TRANSACTION")
    try:
        result, validations = _load(
            con,
            path,
            source,
            fid,
            pseudonym_key,
            keep_raw_identifiers,
            journey,
            gate,
            lander or land_file,
            stager or stage_file,
        )
    except Exception as exc:  # one file never breaks a run: whatever fails here rejects this file alone
        con.execute("ROLLBACK")
        validations = getattr(exc, "validations", [])
        result = FileResult(fid, source.id, str(path), "rejected", reject_reason=_reject_reason(path, exc))
        con.execute("BEGIN TRANSACTION")
    _forget_earlier_attempts(con, fid, source.id, sha256)
    con.execute(
        "INSERT INTO ops.ingest_files (file_id, source_id, path, sha256, n_bytes, status, reject_reason, rows_read, "
        "rows_loaded, rows_quarantined, rows_duplicate, ingested_at, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.file_id,
            result.source_id,
            result.path,
            sha256,
            path.stat().st_size,
            result.status,
            result.reject_reason,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            result.rows_duplicate,
            _now(),
            result.format,
        ],
    )
    record_validations(con, fid, source.id, validations)
    con.execute("COMMIT")
    return result


def _forget_earlier_attempts(con: duckdb.DuckDBPyConnection, fid: str, source_id: str, sha256: str) -> None:
    """Drop the records of an earlier (rejected) attempt at this file, under its id or, for a file recorded before
    ids were per source (migration 030), under its content-only id."""
    earlier = "SELECT file_id FROM ops.ingest_files WHERE source_id = ? AND sha256 = ?"
    con.execute(f"DELETE FROM ops.validations WHERE file_id = ? OR file_id IN ({earlier})", [fid, source_id, sha256])
    con.execute(
        "DELETE FROM ops.ingest_files WHERE file_id = ? OR (source_id = ? AND sha256 = ?)", [fid, source_id, sha256]
    )


def _reject_reason(path: Path, exc: Exception) -> str:
    """FileRejected says why itself; anything else is logged with its traceback and named in one line."""
    if isinstance(exc, FileRejected):
        return redact_reason(str(exc), path.name, safe_name(path.name))  # never a cell or a raw line
    name = safe_name(path.name)
    log.error("%s: cannot be read\n%s", name, redacted_traceback(exc))
    first = redact(safe_name((str(exc).strip().splitlines() or [""])[0][:300]))
    return f"{name}: cannot be read ({type(exc).__name__}: {first}); the traceback is in the run log"


def record_validations(con: duckdb.DuckDBPyConnection, file_id: str, source_id: str, validations: list[dict]) -> None:
    """The gate's checks of one file in ops.validations, in one statement (a 50-question source has 100+)."""
    if not validations:
        return
    at = _now()
    rows = [
        [
            file_id,
            source_id,
            v["suite_name"],
            v["expectation"],
            v["column_name"],
            v["success"],
            v["element_count"],
            v["unexpected_count"],
            v["unexpected_share"],
            json.dumps(v["details"], default=str),
            at,
        ]
        for v in validations
    ]
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
    con.execute(f"INSERT INTO ops.validations VALUES {values}", [x for row in rows for x in row])


def record_rejected_move(con: duckdb.DuckDBPyConnection, file_id: str, moved_to: Path) -> None:
    """Note where a rejected file went (cjx.ingest.run moves it)."""
    con.execute("UPDATE ops.ingest_files SET rejected_to = ? WHERE file_id = ?", [str(moved_to), file_id])


def land_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    fid: str,
    key: str,
    keep_raw_identifiers: bool,
    journey: Journey | None,
) -> Landed:
    """Read the file with its format adapter and append it to raw.<source> (identifiers pseudonymised)."""
    from cjx.privacy.landing import after_raw_landing  # cjx.privacy.landing imports cjx.ingest modules

    with use_limits(journey.settings.limits if journey is not None else None):
        landed = land(con, path, source)
        keep_raw(con, path, source, fid, landed, pseudonym_key=key, keep_raw_identifiers=keep_raw_identifiers)
        # erased people dropped, misaligned rows' e-mails pseudonymised, comments scrubbed (cjx.privacy.landing)
        landed = after_raw_landing(
            con, source, fid, landed, pseudonym_key=key, keep_raw_identifiers=keep_raw_identifiers, journey=journey
        )
    prepare_source(con, journey, source)
    return landed


def _load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    fid: str,
    key: str,
    keep_raw_identifiers: bool,
    journey: Journey | None,
    gate: Gate | None,
    lander: Lander,
    stager: Stager,
) -> tuple[FileResult, list[dict]]:
    fit_memory(con)  # DuckDB's pool: what the memory budget leaves beside the process now
    landed = lander(con, path, source, fid, key, keep_raw_identifiers, journey)
    stager(con, source, fid)
    repeated = repeated_note(con, source, path.name)  # before core changes (cjx.ingest.reexports)
    load_core(con, source)
    validations: list[dict] = []
    gate_seconds = None
    if gate is not None:
        # The gate reads the staged temp tables, which load_core leaves as they are; it runs after the load so
        # that great-expectations (imported on the first gated file, ~150 MiB) arrives after DuckDB's heavy
        # work, in the room a smaller pool leaves (cjx.ingest.gate.make_room_for_gx). A failing batch raises,
        # and the whole file rolls back.
        share = journey.settings.max_failing_share if journey is not None else 0.5
        started = time.perf_counter()
        outcome = gate.validate(con, source, path.name, fid, max_failing_share=share)
        gate_seconds = time.perf_counter() - started
        validations = outcome.rows
        if not outcome.success:
            raise _GateFailed(outcome.message, validations)
    counts = dict(con.execute("SELECT status, count(*) FROM landed_rows GROUP BY status").fetchall())
    reasons = dict(
        con.execute(
            "SELECT reason, count(*) FROM landed_rows WHERE status = 'quarantined' GROUP BY reason ORDER BY reason"
        ).fetchall()
    )
    rows_read = sum(counts.values())
    if rows_read != landed.rows:
        raise RuntimeError(f"staging accounted for {rows_read} of {landed.rows} landed rows")
    return FileResult(
        fid,
        source.id,
        str(path),
        "loaded",
        rows_read=landed.rows,
        rows_loaded=counts.get("loaded", 0),
        rows_quarantined=counts.get("quarantined", 0),
        rows_duplicate=counts.get("duplicate", 0),
        format=landed.format,
        quarantined_by_reason=reasons,
        notes=tuple(landed.notes) + ((repeated,) if repeated else ()),
        gate_seconds=gate_seconds,
    ), validations


def load_core(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Quarantine, supersede and load the rows of temp table landed_rows (and their cells in landed_cells)."""
    run_sql(con, "ops/record_quarantine", {"source_id": source.id})
    run_sql(con, "core/load_superseded", {"source_id": source.id})
    if source.kind == "survey":
        run_sql(con, "core/load_responses", {"source_id": source.id})
    else:
        run_sql(
            con,
            "core/load_events",
            {"source_id": source.id, "event_type": source.event_type, "touchpoint_id": source.touchpoint},
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
