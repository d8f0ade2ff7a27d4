"""Ingest one file: land it, keep it raw, check every row, load core, and account for every row."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from cjx.ingest.adapters import FileRejected, land
from cjx.ingest.fingerprint import file_id as make_file_id
from cjx.ingest.fingerprint import sha256_file
from cjx.journey.model import Source
from cjx.store import quote_ident, run_sql


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

    def as_dict(self) -> dict:
        return asdict(self)


def ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, pseudonym_key: str, keep_raw_identifiers: bool = False
) -> FileResult:
    """Ingest `path` for `source` in one transaction.

    A file whose content was loaded before is skipped; one rejected before is tried again, since the
    journey file may have been fixed since.
    """
    sha256 = sha256_file(path)
    fid = make_file_id(sha256)
    if con.execute("SELECT 1 FROM ops.ingest_files WHERE file_id = ? AND status = 'loaded'", [fid]).fetchone():
        return FileResult(fid, source.id, str(path), "skipped")

    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM ops.ingest_files WHERE file_id = ?", [fid])
    try:
        result = _load(con, path, source, fid, pseudonym_key, keep_raw_identifiers)
    except FileRejected as exc:
        con.execute("ROLLBACK")
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM ops.ingest_files WHERE file_id = ?", [fid])
        result = FileResult(fid, source.id, str(path), "rejected", reject_reason=str(exc))
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute(
        "INSERT INTO ops.ingest_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [result.file_id, result.source_id, result.path, sha256, path.stat().st_size, result.status,
         result.reject_reason, result.rows_read, result.rows_loaded, result.rows_quarantined,
         result.rows_duplicate, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
    con.execute("COMMIT")
    return result


def _load(con, path: Path, source: Source, fid: str, key: str, keep_raw_identifiers: bool) -> FileResult:
    rows_read = land(con, path, source)
    if not keep_raw_identifiers:
        _pseudonymise(con, [source.respondent_id, *source.private_columns], key)
    _keep_raw(con, source.id, fid)
    id_column = source.response_id if source.kind == "survey" else source.event_id
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW landed_keys AS SELECT row_number, "
        f"{quote_ident(id_column)} AS record_id, {quote_ident(source.respondent_id)} AS respondent_id, "
        f"{quote_ident(source.timestamp)} AS ts_raw FROM landing"
    )
    run_sql(con, "staging/landed_rows", {
        "source_id": source.id, "file_name": path.name, "id_column": id_column,
        "respondent_column": source.respondent_id, "timestamp_column": source.timestamp,
        "timestamp_format": source.timestamp_format, "timezone": source.timezone,
        "measures": source.measures, "touchpoint_id": source.touchpoint,
        "attributes": [source.touchpoint_by.column] if source.touchpoint_by else [],
    })
    run_sql(con, "ops/record_quarantine", {"file_id": fid, "source_id": source.id})
    if source.kind == "survey":
        run_sql(con, "core/load_responses", {"file_id": fid, "source_id": source.id})
    else:
        run_sql(con, "core/load_events", {"file_id": fid, "source_id": source.id, "event_type": source.event_type,
                                          "touchpoint_id": source.touchpoint})
    counts = dict(con.execute("SELECT status, count(*) FROM landed_rows GROUP BY status").fetchall())
    return FileResult(
        fid, source.id, str(path), "loaded", rows_read=rows_read, rows_loaded=counts.get("loaded", 0),
        rows_quarantined=counts.get("quarantined", 0), rows_duplicate=counts.get("duplicate", 0),
    )


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
