"""Ingest one file: land it, keep it raw, check every row, gate the batch, load core, account for every row."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from cjx.ingest.adapters import land
from cjx.ingest.codebook import codebook_labels
from cjx.ingest.errors import FileRejected
from cjx.ingest.fingerprint import file_id as make_file_id
from cjx.ingest.fingerprint import sha256_file
from cjx.ingest.landing import Landed
from cjx.ingest.locale import number_params, timestamp_params
from cjx.journey.model import Journey, Source
from cjx.store import quote_ident, run_sql

DEFAULT_GATE = "default"  # the shared in-memory great-expectations gate (cjx.ingest.gate.default_gate)


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
    rejected_to: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class _GateFailed(FileRejected):
    def __init__(self, message: str, validations: list[dict]) -> None:
        super().__init__(message)
        self.validations = validations


def ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, pseudonym_key: str,
    keep_raw_identifiers: bool = False, journey: Journey | None = None, gate: object = DEFAULT_GATE,
) -> FileResult:
    """Ingest `path` for `source` in one transaction.

    A file whose content was loaded before is skipped; one rejected before is tried again, since the
    journey file may have been fixed since. `journey` supplies named codebooks and the gate threshold;
    `gate` is a cjx.ingest.gate.BatchGate (None: no batch gate, for property tests only).
    """
    sha256 = sha256_file(path)
    fid = make_file_id(sha256)
    if con.execute("SELECT 1 FROM ops.ingest_files WHERE file_id = ? AND status = 'loaded'", [fid]).fetchone():
        return FileResult(fid, source.id, str(path), "skipped")
    if gate == DEFAULT_GATE:
        from cjx.ingest.gate import default_gate

        gate = default_gate()

    validations: list[dict] = []
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM ops.ingest_files WHERE file_id = ?", [fid])
    con.execute("DELETE FROM ops.validations WHERE file_id = ?", [fid])
    try:
        result, validations = _load(con, path, source, fid, pseudonym_key, keep_raw_identifiers, journey, gate)
    except FileRejected as exc:
        con.execute("ROLLBACK")
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM ops.ingest_files WHERE file_id = ?", [fid])
        con.execute("DELETE FROM ops.validations WHERE file_id = ?", [fid])
        validations = getattr(exc, "validations", [])
        result = FileResult(fid, source.id, str(path), "rejected", reject_reason=str(exc))
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute(
        "INSERT INTO ops.ingest_files (file_id, source_id, path, sha256, n_bytes, status, reject_reason, rows_read, "
        "rows_loaded, rows_quarantined, rows_duplicate, ingested_at, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.file_id, result.source_id, result.path, sha256, path.stat().st_size, result.status,
         result.reject_reason, result.rows_read, result.rows_loaded, result.rows_quarantined,
         result.rows_duplicate, _now(), result.format],
    )
    for v in validations:
        con.execute(
            "INSERT INTO ops.validations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [fid, source.id, v["suite_name"], v["expectation"], v["column_name"], v["success"], v["element_count"],
             v["unexpected_count"], v["unexpected_share"], json.dumps(v["details"], default=str), _now()],
        )
    con.execute("COMMIT")
    return result


def record_rejected_move(con: duckdb.DuckDBPyConnection, file_id: str, moved_to: Path) -> None:
    """Note where a rejected file went (cjx.ingest.run moves it)."""
    con.execute("UPDATE ops.ingest_files SET rejected_to = ? WHERE file_id = ?", [str(moved_to), file_id])


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, source: Source, fid: str, key: str,
               keep_raw_identifiers: bool, journey: Journey | None) -> Landed:
    """Land the file, keep it in raw and decide every row's fate (temp tables landed_cells, landed_rows)."""
    landed = land(con, path, source)
    if not keep_raw_identifiers:
        _pseudonymise(con, [source.respondent_id, *source.private_columns], key)
    _keep_raw(con, source.id, fid)
    id_column = source.response_id if source.kind == "survey" else source.event_id
    partial_col = quote_ident(landed.partial[0]) if landed.partial else "NULL"
    non_response_col = quote_ident(landed.non_response[0]) if landed.non_response else "NULL"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW landed_keys AS SELECT row_number, "
        f"{quote_ident(id_column)} AS record_id, {quote_ident(source.respondent_id)} AS respondent_id, "
        f"{quote_ident(source.timestamp)} AS ts_raw, {partial_col}::VARCHAR AS partial_raw, "
        f"{non_response_col}::VARCHAR AS non_response_raw FROM landing"
    )
    con.register("codebook_labels_df", codebook_labels(source, journey))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE codebook_labels AS SELECT * FROM codebook_labels_df")
    finally:
        con.unregister("codebook_labels_df")
    run_sql(con, "staging/landed_rows", {
        "source_id": source.id, "file_name": path.name, "id_column": id_column,
        "respondent_column": source.respondent_id, "timestamp_column": source.timestamp,
        "measures": source.measures, "touchpoint_id": source.touchpoint,
        "attributes": [source.touchpoint_by.column] if source.touchpoint_by else [],
        "partial_values": landed.partial[1] if landed.partial else [],
        "non_response_values": landed.non_response[1] if landed.non_response else [],
        "non_response_column": landed.non_response[0] if landed.non_response else "",
        "iso_fallback": landed.excel_dates,
        **number_params(source), **timestamp_params(source, landed.format, landed.excel_dates),
    })
    return landed


def _load(con, path: Path, source: Source, fid: str, key: str, keep_raw_identifiers: bool,
          journey: Journey | None, gate) -> tuple[FileResult, list[dict]]:
    landed = stage_file(con, path, source, fid, key, keep_raw_identifiers, journey)
    validations: list[dict] = []
    if gate is not None:
        share = journey.settings.max_failing_share if journey is not None else 0.5
        outcome = gate.validate(con, source, path.name, fid, max_failing_share=share)
        validations = outcome.rows
        if not outcome.success:
            raise _GateFailed(outcome.message, validations)
    run_sql(con, "ops/record_quarantine", {"file_id": fid, "source_id": source.id})
    run_sql(con, "core/load_superseded", {"source_id": source.id})
    if source.kind == "survey":
        run_sql(con, "core/load_responses", {"file_id": fid, "source_id": source.id})
    else:
        run_sql(con, "core/load_events", {"file_id": fid, "source_id": source.id, "event_type": source.event_type,
                                          "touchpoint_id": source.touchpoint})
    counts = dict(con.execute("SELECT status, count(*) FROM landed_rows GROUP BY status").fetchall())
    reasons = dict(con.execute("SELECT reason, count(*) FROM landed_rows WHERE status = 'quarantined' "
                               "GROUP BY reason ORDER BY reason").fetchall())
    return FileResult(
        fid, source.id, str(path), "loaded", rows_read=landed.rows, rows_loaded=counts.get("loaded", 0),
        rows_quarantined=counts.get("quarantined", 0), rows_duplicate=counts.get("duplicate", 0),
        format=landed.format, quarantined_by_reason=reasons, notes=tuple(landed.notes),
    ), validations


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _pseudonymise(con: duckdb.DuckDBPyConnection, columns: list[str], key: str) -> None:
    """Replace identifiers by a keyed sha256 of the trimmed, lower-cased value (64 bits, hex)."""
    present = {r[0] for r in con.execute("SELECT name FROM pragma_table_info('landing')").fetchall()}
    for column in dict.fromkeys(c for c in columns if c in present):
        col = quote_ident(column)
        con.execute(
            f"UPDATE landing SET {col} = left(sha256($key || lower(trim({col}))), 16) "
            f"WHERE nullif(trim({col}), '') IS NOT NULL",
            {"key": key},
        )


def _keep_raw(con: duckdb.DuckDBPyConnection, source_id: str, fid: str) -> None:
    """Append the landed rows to raw.<source>, adding any column this file brings that the table lacks."""
    table = f"raw.{quote_ident(source_id)}"
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} (file_id VARCHAR NOT NULL, row_number BIGINT NOT NULL)")
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ?", [source_id]
    ).fetchall()}
    landed = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('landing')").fetchall()]
    for column in landed:
        if column not in have:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {quote_ident(column)} VARCHAR")
    con.execute(f"INSERT INTO {table} BY NAME SELECT $file_id AS file_id, * FROM landing", {"file_id": fid})
